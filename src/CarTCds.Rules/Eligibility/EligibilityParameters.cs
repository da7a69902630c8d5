namespace CarTCds.Rules.Eligibility;

/// <summary>Parameters of tisagenlecleucel eligibility (docs/CLINICAL-RULES.md §5). The label criteria
/// (age, diagnosis, disease status) decide the answer; the trial-derived thresholds (ELIANA/ENSIGN)
/// only shape information lines and never exclude. Values tagged [U] are unverified and must stay
/// configurable.</summary>
/// <remarks>Label: <see href="https://www.fda.gov/vaccines-blood-biologics/cellular-gene-therapy-products/kymriah-tisagenlecleucel">Kymriah
/// (tisagenlecleucel) US prescribing information</see>, §1 (indication) and §2.1 (dose).</remarks>
public sealed class EligibilityParameters
{
    /// <summary>Oldest age, in completed years, the label covers. Default 25 (Kymriah US label §1:
    /// "patients up to 25 years of age") [V].</summary>
    public int MaxAgeYears { get; init; } = 25;

    /// <summary>Whether a patient aged exactly <see cref="MaxAgeYears"/> (in completed years) is
    /// covered. Default true: eligible through the day before the 26th birthday (docs/CLINICAL-RULES.md
    /// §5 default; the EU SmPC says "up to and including 25 years" [S]). Whether the US "up to 25"
    /// includes age 25 is not stated [U]. False: eligible through the day before the 25th birthday.</summary>
    public bool AgeLimitInclusive { get; init; } = true;

    /// <summary>Whether a first relapse after allogeneic SCT is covered. Default false: the US label
    /// covers only refractory disease or second or later relapse [V]; the EU SmPC adds "relapse
    /// post-transplant" [S]. When true, exactly one non-refractory relapse that follows an allogeneic
    /// SCT on record is eligible.</summary>
    public bool FirstRelapsePostTransplantEligible { get; init; }

    /// <summary>Relapse events closer together than this are taken as the same relapse recorded
    /// twice (e.g. a combined marrow and CNS relapse entered as two Observations), unless a
    /// remission event lies between them. Default 28 days [U]: a second relapse needs a remission
    /// in between, and re-induction to remission takes about 4 weeks. <see cref="TimeSpan.Zero"/>
    /// counts every event.</summary>
    public TimeSpan DistinctRelapseMinGap { get; init; } = TimeSpan.FromDays(28);

    /// <summary>CD19 expression on blasts must be confirmed within this many calendar months before
    /// the evaluation time. Default 3 (docs/CLINICAL-RULES.md §5, ELIANA: flow cytometry within
    /// 3 months) [S]. Information only.</summary>
    public int Cd19MaxAgeMonths { get; init; } = 3;

    /// <summary>Marrow blasts, in %, at or above which the trials' disease burden criterion is met.
    /// Default 5 (ELIANA: ≥ 5 % marrow lymphoblasts) [S]. Information only.</summary>
    public decimal MinMarrowBlastsPercent { get; init; } = 5m;

    /// <summary>An allogeneic SCT fewer than this many calendar months before the planned infusion
    /// (else the evaluation date) is flagged. Default 6 (ELIANA exclusion) [S]. Information only;
    /// exactly 6 months is not flagged.</summary>
    public int MinMonthsSinceAlloSct { get; init; } = 6;

    /// <summary>Lowest Karnofsky (≥ 16 y) or Lansky (&lt; 16 y) score, 0–100, that meets the trials'
    /// performance criterion. Default 50 (ELIANA) [S]. Information only.</summary>
    public int MinPerformanceScore { get; init; } = 50;

    /// <summary>Age, in completed years, from which Karnofsky rather than Lansky applies. Default 16
    /// (Karnofsky ≥ 16 y, Lansky &lt; 16 y, ELIANA) [S]. Only used to note a scale that does not
    /// fit the age.</summary>
    public int KarnofskyFromAgeYears { get; init; } = 16;

    /// <summary>Body weight, in kg, at or below which the dose is per kg. Default 50 (Kymriah US
    /// label §2.1: "50 kg or less") [V].</summary>
    public decimal DoseWeightThresholdKg { get; init; } = 50m;

    /// <summary>Dose for patients ≤ <see cref="DoseWeightThresholdKg"/>: lowest CAR-positive viable
    /// T cells per kg. Default 0.2 × 10⁶ (label §2.1) [V].</summary>
    public decimal DosePerKgMinCells { get; init; } = 0.2e6m;

    /// <summary>Dose for patients ≤ <see cref="DoseWeightThresholdKg"/>: highest CAR-positive
    /// viable T cells per kg. Default 5.0 × 10⁶ (label §2.1) [V].</summary>
    public decimal DosePerKgMaxCells { get; init; } = 5.0e6m;

    /// <summary>Dose for patients &gt; <see cref="DoseWeightThresholdKg"/>: lowest total CAR-positive
    /// viable T cells. Default 0.1 × 10⁸ (label §2.1) [V].</summary>
    public decimal DoseFlatMinCells { get; init; } = 0.1e8m;

    /// <summary>Dose for patients &gt; <see cref="DoseWeightThresholdKg"/>: highest total
    /// CAR-positive viable T cells. Default 2.5 × 10⁸ (label §2.1) [V].</summary>
    public decimal DoseFlatMaxCells { get; init; } = 2.5e8m;

    /// <summary>A body weight older than this (before the evaluation time) is used for the dose
    /// guidance but flagged stale. Default 30 days [U].</summary>
    public TimeSpan WeightStaleAfter { get; init; } = TimeSpan.FromDays(30);

    internal IEnumerable<string> Validate()
    {
        if (MaxAgeYears is < 1 or > 120) yield return $"Eligibility.MaxAgeYears must be between 1 and 120 years (was {MaxAgeYears}).";
        if (DistinctRelapseMinGap < TimeSpan.Zero || DistinctRelapseMinGap > TimeSpan.FromDays(365)) yield return $"Eligibility.DistinctRelapseMinGap must be between 0 and 365 days (was {DistinctRelapseMinGap}).";
        if (Cd19MaxAgeMonths is < 1 or > 24) yield return $"Eligibility.Cd19MaxAgeMonths must be between 1 and 24 months (was {Cd19MaxAgeMonths}).";
        if (MinMarrowBlastsPercent is < 0m or > 100m) yield return $"Eligibility.MinMarrowBlastsPercent must be between 0 and 100 % (was {MinMarrowBlastsPercent}).";
        if (MinMonthsSinceAlloSct is < 0 or > 60) yield return $"Eligibility.MinMonthsSinceAlloSct must be between 0 and 60 months (was {MinMonthsSinceAlloSct}).";
        if (MinPerformanceScore is < 0 or > 100) yield return $"Eligibility.MinPerformanceScore must be between 0 and 100 (was {MinPerformanceScore}).";
        if (KarnofskyFromAgeYears is < 0 or > 120) yield return $"Eligibility.KarnofskyFromAgeYears must be between 0 and 120 years (was {KarnofskyFromAgeYears}).";
        if (DoseWeightThresholdKg is <= 0m or > 300m) yield return $"Eligibility.DoseWeightThresholdKg must be in (0, 300] kg (was {DoseWeightThresholdKg}).";
        if (DosePerKgMinCells <= 0m || DosePerKgMaxCells < DosePerKgMinCells) yield return $"Eligibility.DosePerKgMinCells and DosePerKgMaxCells must satisfy 0 < min ≤ max (were {DosePerKgMinCells} and {DosePerKgMaxCells}).";
        if (DoseFlatMinCells <= 0m || DoseFlatMaxCells < DoseFlatMinCells) yield return $"Eligibility.DoseFlatMinCells and DoseFlatMaxCells must satisfy 0 < min ≤ max (were {DoseFlatMinCells} and {DoseFlatMaxCells}).";
        if (WeightStaleAfter <= TimeSpan.Zero) yield return $"Eligibility.WeightStaleAfter must be positive (was {WeightStaleAfter}).";
    }
}
