using CarTCds.Rules.Facts;

namespace CarTCds.Rules.Monitoring;

/// <summary>Monitoring advice at one evaluation time: the items to show, in display order
/// (warnings first, then by rule).</summary>
/// <param name="At">The evaluation time.</param>
/// <param name="Infusion">The latest CAR-T infusion at or before <paramref name="At"/>, or null
/// when none is on record (then only pre-infusion seizure-prophylaxis advice can be given).</param>
/// <param name="DayAfterInfusion">Calendar day (UTC) after <paramref name="Infusion"/> (the infusion
/// day is day 0); null without an infusion.</param>
/// <param name="Items">The advice, each with evidence and source; empty when nothing applies.</param>
/// <param name="Missing">Monitoring data the rules expected but did not find and that raised no
/// item (e.g. no IgG since infusion), in clinical words with the code to record it under.</param>
/// <param name="Notes">Caveats a clinician should read (e.g. no infusion on record).</param>
public sealed record MonitoringAssessment(
    DateTimeOffset At,
    CarTInfusion? Infusion,
    int? DayAfterInfusion,
    IReadOnlyList<MonitoringItem> Items,
    IReadOnlyList<string> Missing,
    IReadOnlyList<string> Notes)
{
    /// <summary>The item with this code (<see cref="MonitoringCodes"/>), or null.</summary>
    public MonitoringItem? Find(string code) => Items.FirstOrDefault(i => i.Code == code);
}

/// <summary>One piece of monitoring advice.</summary>
/// <param name="Code">Stable kebab-case code (<see cref="MonitoringCodes"/>), e.g. for feedback and card UUIDs.</param>
/// <param name="Severity">Info or warning.</param>
/// <param name="Summary">One line in clinical words, under 140 characters (CDS Hooks card summary).</param>
/// <param name="Detail">What was found, what to consider, and the caveats.</param>
/// <param name="Evidence">The records the advice rests on, in time order (undated records first).</param>
/// <param name="Missing">Data that would make the advice more precise (e.g. a body weight for the dose).</param>
/// <param name="Source">The guideline or label the advice rests on.</param>
public sealed record MonitoringItem(
    string Code,
    MonitoringSeverity Severity,
    string Summary,
    string Detail,
    IReadOnlyList<Evidence> Evidence,
    IReadOnlyList<string> Missing,
    MonitoringSource Source)
{
    /// <summary>A computed dose to suggest (seizure prophylaxis); null for other items.</summary>
    public DoseSuggestion? Dose { get; init; }
}

/// <summary>How prominently an item should be shown (CDS Hooks card indicator).</summary>
public enum MonitoringSeverity
{
    Info,
    Warning,
}

/// <summary>A citation and, where one exists, a link.</summary>
/// <param name="Citation">Short citation (<c>Mahadeo KM et al., Nat Rev Clin Oncol 2019</c>).</param>
/// <param name="Url">A stable link (DOI, PMC, FDA page), or null.</param>
public sealed record MonitoringSource(string Citation, string? Url);

/// <summary>A weight-based dose to suggest.</summary>
/// <param name="Drug">The drug.</param>
/// <param name="DoseMg">min(<paramref name="MgPerKg"/> × weight, <paramref name="MaxDoseMg"/>), in mg;
/// null when no usable weight is on record (the dose is never guessed).</param>
/// <param name="MgPerKg">Dose per kg.</param>
/// <param name="MaxDoseMg">Cap per dose, in mg.</param>
/// <param name="Interval">Dosing interval (12 h = q12h).</param>
/// <param name="DurationDays">Course length after infusion, in days.</param>
/// <param name="Weight">The body weight the dose was computed from, or null.</param>
/// <param name="WeightIsStale">True when <paramref name="Weight"/> is older than the rule set's
/// <c>Orders.WeightStaleAfter</c>: used, but flagged.</param>
public sealed record DoseSuggestion(
    Drug Drug,
    decimal? DoseMg,
    decimal MgPerKg,
    decimal MaxDoseMg,
    TimeSpan Interval,
    int DurationDays,
    BodyWeight? Weight,
    bool WeightIsStale)
{
    /// <summary>Whether the cap applied.</summary>
    public bool IsCapped => Weight is not null && DoseMg == MaxDoseMg && MgPerKg * Weight.Kilograms > MaxDoseMg;
}

/// <summary>The stable codes of monitoring items.</summary>
public static class MonitoringCodes
{
    /// <summary>No ICE/CAPD score within the assessment interval while at risk of ICANS.</summary>
    public const string NeuroAssessmentOverdue = "neuro-assessment-overdue";

    /// <summary>Consider levetiracetam prophylaxis (CNS disease or seizure history).</summary>
    public const string SeizureProphylaxis = "seizure-prophylaxis";

    /// <summary>Low IgG after infusion: consider immunoglobulin replacement.</summary>
    public const string IgGReplacement = "igg-replacement";

    /// <summary>Loss of B-cell aplasia or positive MRD in the first year: high relapse risk.</summary>
    public const string RelapseRisk = "relapse-risk";

    /// <summary>Stay near the treating centre; no driving (label).</summary>
    public const string PostInfusionLogistics = "post-infusion-logistics";
}
