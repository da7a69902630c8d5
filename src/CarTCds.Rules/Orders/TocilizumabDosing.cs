using CarTCds.Rules.Facts;

namespace CarTCds.Rules.Orders;

/// <summary>Tocilizumab dosing for CAR-T cytokine release syndrome.</summary>
/// <remarks>
/// Actemra (tocilizumab) US label, CRS (docs/CLINICAL-RULES.md §4, "2018 label §2.4") [V]: &lt; 30 kg
/// 12 mg/kg, ≥ 30 kg 8 mg/kg, IV over 1 h; doses above 800 mg per infusion not recommended; up to
/// 3 additional doses (4 in total) at least 8 h apart. ASCO 2021 (Santomasso et al.,
/// <see href="https://doi.org/10.1200/JCO.21.01992"/>): at most 3 doses in 24 h. The dose comes
/// from the latest body weight (LOINC 29463-7) at or before the evaluation time; without a weight
/// no dose is computed — never guessed.
/// </remarks>
public static class TocilizumabDosing
{
    /// <summary>Computes the next dose at <paramref name="at"/>.</summary>
    /// <param name="facts">The patient's facts; weights and doses after <paramref name="at"/> are ignored.</param>
    /// <param name="at">The evaluation time (the request's time, never the wall clock).</param>
    /// <param name="rules">The rule set (<see cref="RuleSet.Orders"/>).</param>
    public static TocilizumabDose Compute(ClinicalFacts facts, DateTimeOffset at, RuleSet rules)
    {
        var p = rules.Orders;
        var notes = new List<string>();
        var missing = new List<string>();

        var choice = BodyWeights.Latest(facts, at, p.WeightStaleAfter);
        foreach (var u in choice.Unusable) notes.Add($"Body weight {ClinicalText.Num(u.Kilograms)} kg ({u.Source}) left out: not a possible weight.");

        var (courseStart, courseDescription) = Course(facts, at, p, notes);
        var given = DosesGiven(facts, courseStart, at);
        var in24h = given.Count(d => d.Time > at - TimeSpan.FromHours(24));
        var limits = Limits(given, at, p, courseDescription);
        DateTimeOffset? next = limits.Any(l => l.LiftsAt is null) ? null
            : limits.Count == 0 ? at
            : limits.Max(l => l.LiftsAt!.Value);

        var evidence = choice.Evidence(at).Concat(given.Select(GivenEvidence)).OrderBy(e => e.Time ?? DateTimeOffset.MinValue).ToList();
        var schedule = next is null ? $" No further dose: the maximum of {p.TocilizumabMaxDosesTotal} doses has been given."
            : next == at ? " A dose is allowed now."
            : $" Next dose not before {ClinicalText.When(next.Value)}.";

        if (choice.Weight is not { } w)
        {
            missing.Add(choice.Conflicting.Count > 0 ? "one confirmed body weight (LOINC 29463-7): the latest ones conflict" : "body weight (LOINC 29463-7)");
            return new TocilizumabDose(null, null, null, null, false, null, false, courseStart, given, in24h, limits, next,
                $"{choice.Problem}: dose not computed.{schedule}", evidence, missing, notes);
        }

        var (mgPerKg, uncapped, dose) = DoseFor(w.Kilograms, p);
        var capped = dose < uncapped;
        if (choice.IsStale)
        {
            notes.Add($"Body weight {ClinicalText.Num(w.Kilograms)} kg is {ClinicalText.AgeOf(w.Time, at)} old (stale after {ClinicalText.Span(p.WeightStaleAfter)}): dose computed from it; re-weigh before giving.");
        }
        var band = w.Kilograms < p.TocilizumabWeightThresholdKg ? $"< {ClinicalText.Num(p.TocilizumabWeightThresholdKg)} kg" : $"≥ {ClinicalText.Num(p.TocilizumabWeightThresholdKg)} kg";
        var cap = capped ? $" = {ClinicalText.Num(uncapped)} mg, capped at the {ClinicalText.Num(p.TocilizumabMaxDoseMg)} mg maximum per dose" : "";
        var summary = $"Tocilizumab {ClinicalText.Num(dose)} mg IV over 1 h: {ClinicalText.Num(mgPerKg)} mg/kg × {ClinicalText.Num(w.Kilograms)} kg (weight {band}, {ClinicalText.Date(w.Time)}{(choice.IsStale ? ", stale" : "")}){cap}; max {ClinicalText.Num(p.TocilizumabMaxDoseMg)} mg per dose.{schedule}";

        return new TocilizumabDose(dose, mgPerKg, w.Kilograms, w.Time, choice.IsStale, uncapped, capped, courseStart, given, in24h, limits, next,
            summary, evidence, missing, notes);
    }

    /// <summary>The label dose for a weight: mg/kg by band (&lt; threshold: 12, ≥: 8 by default),
    /// mg/kg × weight rounded to <see cref="OrderCheckParameters.TocilizumabDoseRoundingMg"/>
    /// (midpoint away from zero), then capped at <see cref="OrderCheckParameters.TocilizumabMaxDoseMg"/>.</summary>
    /// <param name="weightKg">Body weight in kg (&gt; 0).</param>
    /// <param name="p">The parameters.</param>
    /// <returns>mg/kg, the rounded uncapped dose and the dose to give, in mg.</returns>
    public static (decimal MgPerKg, decimal UncappedMg, decimal DoseMg) DoseFor(decimal weightKg, OrderCheckParameters p)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(weightKg);
        var mgPerKg = weightKg < p.TocilizumabWeightThresholdKg ? p.TocilizumabMgPerKgBelowThreshold : p.TocilizumabMgPerKgAtOrAboveThreshold;
        var uncapped = Round(mgPerKg * weightKg, p);
        return (mgPerKg, uncapped, Math.Min(uncapped, p.TocilizumabMaxDoseMg));
    }

    /// <summary>Rounds mg to the nearest multiple of the rounding step (midpoint away from zero).</summary>
    internal static decimal Round(decimal mg, OrderCheckParameters p) =>
        Math.Round(mg / p.TocilizumabDoseRoundingMg, MidpointRounding.AwayFromZero) * p.TocilizumabDoseRoundingMg;

    private static (DateTimeOffset Start, string Description) Course(ClinicalFacts facts, DateTimeOffset at, OrderCheckParameters p, List<string> notes)
    {
        var infusion = facts.LatestInfusion(at);
        if (infusion is not null) return (infusion.Time, $"the CAR-T infusion on {ClinicalText.Date(infusion.Time)}");
        notes.Add($"No CAR-T infusion on record: tocilizumab doses of the last {ClinicalText.Span(p.TocilizumabCountLookBackWithoutInfusion)} are counted toward the maximum of {p.TocilizumabMaxDosesTotal}.");
        return (at - p.TocilizumabCountLookBackWithoutInfusion, $"the last {ClinicalText.Span(p.TocilizumabCountLookBackWithoutInfusion)} (no CAR-T infusion on record)");
    }

    private static List<TocilizumabDoseGiven> DosesGiven(ClinicalFacts facts, DateTimeOffset from, DateTimeOffset at) =>
        facts.Administrations
            .Where(a => a.Drug == Drug.Tocilizumab && a.Start >= from && a.Start <= at)
            .DistinctBy(a => a.Source)
            .OrderBy(a => a.Start)
            .Select(a => new TocilizumabDoseGiven(a.Start, a.DoseMg, a.Source))
            .ToList();

    private static Evidence GivenEvidence(TocilizumabDoseGiven d) =>
        new(d.Source, d.Time, d.DoseMg is { } mg ? $"tocilizumab {ClinicalText.Num(mg)} mg given {ClinicalText.When(d.Time)}" : $"tocilizumab given {ClinicalText.When(d.Time)}");

    private static List<TocilizumabLimit> Limits(List<TocilizumabDoseGiven> given, DateTimeOffset at, OrderCheckParameters p, string course)
    {
        var limits = new List<TocilizumabLimit>();
        if (given.Count == 0) return limits;

        // Label: "The interval between consecutive doses should be at least 8 hours" — exactly 8 h is allowed.
        var last = given[^1];
        if (at - last.Time < p.TocilizumabMinInterval)
        {
            var from = last.Time.PlusSaturating(p.TocilizumabMinInterval);
            limits.Add(new TocilizumabLimit("min-interval",
                $"Last tocilizumab dose {ClinicalText.Span(at - last.Time)} ago ({ClinicalText.When(last.Time)}): repeat no sooner than {ClinicalText.Span(p.TocilizumabMinInterval)} after it, i.e. from {ClinicalText.When(from)}.",
                from, [GivenEvidence(last)]));
        }

        // Label: first dose plus up to 3 additional doses.
        if (given.Count >= p.TocilizumabMaxDosesTotal)
        {
            limits.Add(new TocilizumabLimit("max-total",
                $"{given.Count} tocilizumab doses given since {course}: the maximum is {p.TocilizumabMaxDosesTotal} in total. For CRS refractory to tocilizumab: corticosteroids, then consider anakinra, siltuximab or ruxolitinib.",
                null, given.Select(GivenEvidence).ToList()));
        }

        // ASCO 2021: at most 3 doses in 24 h; doses in (at − 24 h, at] count.
        var window = given.Where(d => d.Time > at - TimeSpan.FromHours(24)).ToList();
        if (window.Count >= p.TocilizumabMaxDosesPer24h)
        {
            // The next dose at t needs fewer than the maximum in (t − 24 h, t]: the k-th oldest must drop out.
            var k = window.Count - p.TocilizumabMaxDosesPer24h;
            var from = window[k].Time.PlusSaturating(TimeSpan.FromHours(24));
            limits.Add(new TocilizumabLimit("max-per-24h",
                $"{window.Count} tocilizumab doses in the last 24 h: at most {p.TocilizumabMaxDosesPer24h} in 24 h; the next is allowed from {ClinicalText.When(from)}.",
                from, window.Select(GivenEvidence).ToList()));
        }
        return limits;
    }
}
