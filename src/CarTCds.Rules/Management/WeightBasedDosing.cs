using CarTCds.Rules.Facts;
using CarTCds.Rules.Orders;
using static CarTCds.Rules.ClinicalText;

namespace CarTCds.Rules.Management;

/// <summary>A weight-based dose to suggest, with the doses of the same drug already given in this
/// episode.</summary>
/// <param name="Drug">The drug.</param>
/// <param name="Rule">The dose rule used (mg/kg, cap, interval).</param>
/// <param name="DoseMg">min(mg/kg × weight, cap), rounded; null when no usable weight is on record
/// (never guessed: <see cref="Missing"/> says why).</param>
/// <param name="UncappedDoseMg">mg/kg × weight, rounded; null without a weight.</param>
/// <param name="WeightKg">The weight used; null when missing or conflicting.</param>
/// <param name="WeightIsStale">True when the weight is older than <see cref="OrderCheckParameters.WeightStaleAfter"/>.</param>
/// <param name="Interval">Time between doses for this indication; null for a single dose.</param>
/// <param name="Given">The drug's administrations in this episode up to the evaluation time, oldest first.</param>
/// <param name="NextDoseFrom">When the next dose is due: the evaluation time when none was given
/// within <paramref name="Interval"/>; later when the last dose is more recent; null when a single
/// dose (no interval) was already given in the episode.</param>
/// <param name="Text">The dosage as a clinician writes it, with the calculation and the cap
/// (<c>dexamethasone 10 mg IV every 6 h (0.5 mg/kg × 52 kg = 26 mg, capped at 10 mg)</c>), or the
/// reason the dose could not be computed.</param>
/// <param name="Evidence">The weight and the doses given.</param>
/// <param name="Missing">What is needed to compute the dose; empty when it was computed.</param>
public sealed record DrugDose(
    Drug Drug,
    DoseRule Rule,
    decimal? DoseMg,
    decimal? UncappedDoseMg,
    decimal? WeightKg,
    bool WeightIsStale,
    TimeSpan? Interval,
    IReadOnlyList<DrugAdministration> Given,
    DateTimeOffset? NextDoseFrom,
    string Text,
    IReadOnlyList<Evidence> Evidence,
    IReadOnlyList<string> Missing)
{
    /// <summary>True when the cap set the dose.</summary>
    public bool IsCapped => DoseMg is { } d && UncappedDoseMg is { } u && d < u;

    /// <summary>True when a dose may be given at the evaluation time (computed, and not too soon after the last one).</summary>
    public bool DueNow(DateTimeOffset at) => DoseMg is not null && NextDoseFrom is { } next && next <= at;
}

/// <summary>Weight-based doses for the drugs of <see cref="ManagementParameters"/>: the dose to
/// suggest and the maximum an order may carry. The weight is the latest at or before the evaluation
/// time (LOINC 29463-7, <see cref="BodyWeights"/>); without one nothing is computed.</summary>
public static class WeightBasedDosing
{
    /// <summary>The dose of <paramref name="drug"/> by <paramref name="rule"/> at <paramref name="at"/>,
    /// with the doses given since <paramref name="episodeStart"/>.</summary>
    /// <param name="drug">The drug (its administrations are the doses already given).</param>
    /// <param name="rule">Its dose rule.</param>
    /// <param name="facts">The patient's facts; weights and doses after <paramref name="at"/> are ignored.</param>
    /// <param name="at">The evaluation time.</param>
    /// <param name="episodeStart">Doses given before this are not counted.</param>
    /// <param name="rules">The rule set (weight staleness, rounding).</param>
    /// <param name="interval">The interval for this indication; default the rule's.</param>
    public static DrugDose Compute(Drug drug, DoseRule rule, ClinicalFacts facts, DateTimeOffset at, DateTimeOffset episodeStart, RuleSet rules, TimeSpan? interval = null)
    {
        interval ??= rule.Interval;
        var given = facts.Administrations
            .Where(a => a.Drug == drug && a.Start >= episodeStart && a.Start <= at)
            .DistinctBy(a => a.Source).OrderBy(a => a.Start).ToList();
        DateTimeOffset? next = given.Count == 0 ? at
            : interval is { } i ? (given[^1].Start + i > at ? given[^1].Start + i : at)
            : null;

        var name = DrugGroups.Name(drug);
        var route = rule.Oral ? "orally" : "IV";
        var every = interval is { } iv ? $" every {Span(iv)}" : " once";
        var cap = rule.MaxDoseMg is { } c ? $", max {Num(c)} mg" : ", no maximum dose named";
        var choice = BodyWeights.Latest(facts, at, rules.Orders.WeightStaleAfter);
        var evidence = choice.Evidence(at).Concat(given.Select(a => GivenEvidence(a))).OrderBy(e => e.Time ?? DateTimeOffset.MinValue).ToList();
        if (choice.Weight is not { } w)
        {
            var missing = choice.Conflicting.Count > 0 ? "one confirmed body weight (LOINC 29463-7): the latest ones conflict" : "body weight (LOINC 29463-7)";
            return new DrugDose(drug, rule, null, null, null, false, interval, given, next,
                $"{name} {Num(rule.MgPerKg)} mg/kg {route}{every}{cap}: {choice.Problem}, dose could not be computed", evidence, [missing]);
        }

        var (uncapped, dose) = DoseFor(w.Kilograms, rule, rules.Management);
        var calc = dose < uncapped
            ? $"{Num(rule.MgPerKg)} mg/kg × {Num(w.Kilograms)} kg = {Num(uncapped)} mg, capped at {Num(dose)} mg"
            : $"{Num(rule.MgPerKg)} mg/kg × {Num(w.Kilograms)} kg{(rule.MaxDoseMg is { } m ? $"; max {Num(m)} mg" : "")}";
        var stale = choice.IsStale ? $"; weight of {Date(w.Time)} is stale, re-weigh" : "";
        return new DrugDose(drug, rule, dose, uncapped, w.Kilograms, choice.IsStale, interval, given, next,
            $"{name} {Num(dose)} mg {route}{every} ({calc}{stale})", evidence, []);
    }

    /// <summary>mg/kg × weight rounded to <see cref="ManagementParameters.DoseRoundingMg"/> (midpoint away
    /// from zero), and that capped at <see cref="DoseRule.MaxDoseMg"/>.</summary>
    public static (decimal UncappedMg, decimal DoseMg) DoseFor(decimal weightKg, DoseRule rule, ManagementParameters p)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(weightKg);
        var uncapped = Round(rule.MgPerKg * weightKg, p.DoseRoundingMg);
        return (uncapped, rule.MaxDoseMg is { } cap ? Math.Min(uncapped, cap) : uncapped);
    }

    /// <summary>The highest dose per administration an order may carry for this weight before it warns:
    /// min(<see cref="DoseRule.OrderMaxMgPerKg"/> × weight, <see cref="DoseRule.OrderMaxDoseMg"/>), rounded.</summary>
    public static decimal OrderMaximumMg(decimal weightKg, DoseRule rule, ManagementParameters p)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(weightKg);
        return Math.Min(Round(rule.OrderMaxMgPerKg * weightKg, p.DoseRoundingMg), rule.OrderMaxDoseMg);
    }

    internal static Evidence GivenEvidence(DrugAdministration a) =>
        new(a.Source, a.Start, $"{DrugGroups.Name(a.Drug)}{(a.DoseMg is { } mg ? $" {Num(mg)} mg" : "")} given {When(a.Start)}");

    private static decimal Round(decimal mg, decimal step) => Math.Round(mg / step, MidpointRounding.AwayFromZero) * step;
}
