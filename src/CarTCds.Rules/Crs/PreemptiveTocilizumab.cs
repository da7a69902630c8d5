using CarTCds.Rules.Facts;

namespace CarTCds.Rules.Crs;

/// <summary>The opt-in risk-adapted pre-emptive tocilizumab protocol (docs/CLINICAL-RULES.md §4a).</summary>
/// <remarks>
/// <see href="https://doi.org/10.1200/JCO.20.02477">Kadauke S et al. Risk-Adapted Preemptive Tocilizumab to
/// Prevent Severe Cytokine Release Syndrome After CTL019 for Pediatric B-Cell Acute Lymphoblastic Leukemia:
/// A Prospective Clinical Trial. J Clin Oncol 2021;39:920–930 (NCT02906371)</see>. High tumour burden
/// (≥ 40 % marrow blasts on the marrow aspirate/biopsy before infusion) → one dose of tocilizumab at
/// high, persistent fever (two temperatures ≥ 38.5 °C within 24 h), before hypotension or hypoxia; low
/// burden → standard CRS management. The trigger and burden values are from the trial's ASH 2019
/// abstract and the JCO report's summaries [S]; the JCO full text was not re-read [U].
/// </remarks>
public sealed class PreemptiveTocilizumabParameters
{
    /// <summary>Whether the site follows the protocol. Default false: an opt-in, per site
    /// (<c>CarTCds:RuleSet:PreemptiveTocilizumab:Enabled=true</c> with the site's own rule-set version).</summary>
    public bool Enabled { get; init; }

    /// <summary>High tumour burden: marrow blasts ≥ this, in %. Default 40 (Kadauke 2021) [S].</summary>
    public decimal HighBurdenMarrowBlastsPercent { get; init; } = 40m;

    /// <summary>A marrow result counts as "before infusion" when taken at most this long before it.
    /// Default 30 days [U]: the trial assessed burden on the marrow "immediately before infusion"
    /// without a stated interval.</summary>
    public TimeSpan BurdenMaxAgeBeforeInfusion { get; init; } = TimeSpan.FromDays(30);

    /// <summary>Fever trigger: temperature ≥ this, in °C. Default 38.5 (Kadauke 2021) [S].</summary>
    public decimal TriggerFeverCelsius { get; init; } = 38.5m;

    /// <summary>How many such temperatures make the fever "persistent". Default 2 [S].</summary>
    public int TriggerFeverCount { get; init; } = 2;

    /// <summary>Within how long the <see cref="TriggerFeverCount"/> temperatures must fall. Default 24 h [S].</summary>
    public TimeSpan TriggerWindow { get; init; } = TimeSpan.FromHours(24);

    internal IEnumerable<string> Validate()
    {
        if (HighBurdenMarrowBlastsPercent is <= 0m or > 100m) yield return $"PreemptiveTocilizumab.HighBurdenMarrowBlastsPercent must be in (0, 100] % (was {HighBurdenMarrowBlastsPercent}).";
        if (BurdenMaxAgeBeforeInfusion <= TimeSpan.Zero || BurdenMaxAgeBeforeInfusion > TimeSpan.FromDays(180)) yield return $"PreemptiveTocilizumab.BurdenMaxAgeBeforeInfusion must be more than 0 and at most 180 days (was {BurdenMaxAgeBeforeInfusion}).";
        if (TriggerFeverCelsius is < 38m or > 41m) yield return $"PreemptiveTocilizumab.TriggerFeverCelsius must be between 38 and 41 °C (was {TriggerFeverCelsius}).";
        if (TriggerFeverCount is < 1 or > 10) yield return $"PreemptiveTocilizumab.TriggerFeverCount must be between 1 and 10 (was {TriggerFeverCount}).";
        if (TriggerWindow <= TimeSpan.Zero || TriggerWindow > TimeSpan.FromDays(3)) yield return $"PreemptiveTocilizumab.TriggerWindow must be more than 0 and at most 3 days (was {TriggerWindow}).";
    }
}

/// <summary>Where the patient stands in the protocol.</summary>
public enum PreemptiveState
{
    /// <summary>No marrow blast result within the allowed time before infusion: the protocol cannot be applied.</summary>
    NoBurdenOnRecord,
    /// <summary>Low burden: standard CRS grading and management.</summary>
    LowBurden,
    /// <summary>High burden, trigger not (yet) met.</summary>
    HighBurdenWatch,
    /// <summary>High burden, trigger met, no tocilizumab since infusion: the single pre-emptive dose is due.</summary>
    HighBurdenDoseDue,
    /// <summary>High burden, tocilizumab already given since infusion.</summary>
    HighBurdenDoseGiven,
}

/// <param name="State">See <see cref="PreemptiveState"/>.</param>
/// <param name="Text">One clinical sentence naming the burden measurement (which result, when) and the trigger.</param>
/// <param name="Evidence">The marrow result, the trigger temperatures, the tocilizumab dose.</param>
public sealed record PreemptiveTocilizumabAssessment(PreemptiveState State, string Text, IReadOnlyList<Evidence> Evidence)
{
    /// <summary>The finding value: <c>no-burden-on-record</c>, <c>low-burden</c>, <c>high-burden-watch</c>,
    /// <c>high-burden-dose-due</c>, <c>high-burden-dose-given</c>.</summary>
    public string Code => State switch
    {
        PreemptiveState.NoBurdenOnRecord => "no-burden-on-record",
        PreemptiveState.LowBurden => "low-burden",
        PreemptiveState.HighBurdenWatch => "high-burden-watch",
        PreemptiveState.HighBurdenDoseDue => "high-burden-dose-due",
        _ => "high-burden-dose-given",
    };
}

public static class PreemptiveTocilizumab
{
    /// <summary>The protocol's answer at <paramref name="at"/>; null when the site has not switched it on
    /// or no CAR-T infusion is on record.</summary>
    public static PreemptiveTocilizumabAssessment? Assess(ClinicalFacts facts, DateTimeOffset at, RuleSet rules)
    {
        var p = rules.PreemptiveTocilizumab;
        if (!p.Enabled || facts.LatestInfusion(at) is not { } infusion) return null;

        var burden = facts.MarrowBlasts.Where(m => m.Time <= infusion.Time && m.Time >= infusion.Time - p.BurdenMaxAgeBeforeInfusion).MaxBy(m => m.Time);
        if (burden is null)
        {
            return new PreemptiveTocilizumabAssessment(PreemptiveState.NoBurdenOnRecord,
                $"No marrow blast result in the {ClinicalText.Span(p.BurdenMaxAgeBeforeInfusion)} before the infusion ({ClinicalText.When(infusion.Time)}): tumour burden unknown, so the pre-emptive protocol cannot be applied; standard CRS grading applies.", []);
        }
        var measured = $"marrow blasts {ClinicalText.Num(burden.Percent)} % on {ClinicalText.When(burden.Time)} (before the infusion on {ClinicalText.When(infusion.Time)})";
        List<Evidence> evidence = [new(burden.Source, burden.Time, $"marrow blasts {ClinicalText.Num(burden.Percent)} % before infusion")];
        if (burden.Percent < p.HighBurdenMarrowBlastsPercent)
        {
            return new PreemptiveTocilizumabAssessment(PreemptiveState.LowBurden,
                $"Low tumour burden ({measured}; high is ≥ {ClinicalText.Num(p.HighBurdenMarrowBlastsPercent)} %): standard CRS grading and management.", evidence);
        }

        var given = facts.Administrations.Where(a => a.Drug == Drug.Tocilizumab && a.Start >= infusion.Time && a.Start <= at).MinBy(a => a.Start);
        if (given is not null)
        {
            evidence.Add(new Evidence(given.Source, given.Start, "tocilizumab given"));
            return new PreemptiveTocilizumabAssessment(PreemptiveState.HighBurdenDoseGiven,
                $"High tumour burden ({measured}); tocilizumab already given on {ClinicalText.When(given.Start)}: the protocol's single pre-emptive dose is used; further doses by standard CRS management.", evidence);
        }

        var trigger = Trigger(facts, infusion.Time, at, p);
        var rule = $"{p.TriggerFeverCount} temperatures ≥ {ClinicalText.Celsius(p.TriggerFeverCelsius)} within {ClinicalText.Span(p.TriggerWindow)}";
        if (trigger is null)
        {
            return new PreemptiveTocilizumabAssessment(PreemptiveState.HighBurdenWatch,
                $"High tumour burden ({measured}): give one dose of tocilizumab at high, persistent fever ({rule}), before hypotension or hypoxia; not met so far.", evidence);
        }
        evidence.AddRange(trigger.Select(t => new Evidence(t.Source, t.Time, $"temperature {ClinicalText.Celsius(t.Celsius)} (trigger ≥ {ClinicalText.Celsius(p.TriggerFeverCelsius)})")));
        return new PreemptiveTocilizumabAssessment(PreemptiveState.HighBurdenDoseDue,
            $"High tumour burden ({measured}) and high, persistent fever ({rule}: {string.Join(", ", trigger.Select(t => $"{ClinicalText.Celsius(t.Celsius)} at {ClinicalText.When(t.Time)}"))}): one pre-emptive dose of tocilizumab is due, whatever the ASTCT grade.", evidence);
    }

    // The latest run of TriggerFeverCount temperatures ≥ the trigger after infusion spanning at most TriggerWindow.
    private static List<TemperatureReading>? Trigger(ClinicalFacts facts, DateTimeOffset infusion, DateTimeOffset at, PreemptiveTocilizumabParameters p)
    {
        var high = facts.Temperatures.Where(t => t.Time > infusion && t.Time <= at && t.Celsius >= p.TriggerFeverCelsius).OrderBy(t => t.Time).ToList();
        for (var i = high.Count - p.TriggerFeverCount; i >= 0; i--)
        {
            var run = high.GetRange(i, p.TriggerFeverCount);
            if (run[^1].Time - run[0].Time <= p.TriggerWindow) return run;
        }
        return null;
    }
}
