namespace CarTCds.Rules.Orders;

/// <summary>Parameters of order checks and dosing (docs/CLINICAL-RULES.md §4). Values tagged [U] are
/// unverified and must stay configurable.</summary>
/// <remarks>Tocilizumab: Actemra (tocilizumab) US prescribing information, CRS dosing
/// (docs/CLINICAL-RULES.md §4, "2018 label §2.4").
/// Corticosteroids and the 24-hour limit: Santomasso et al., ASCO guideline, J Clin Oncol 2021
/// (<see href="https://doi.org/10.1200/JCO.21.01992"/>).</remarks>
public sealed class OrderCheckParameters
{
    /// <summary>Body weight, in kg, from which the lower per-kg tocilizumab dose applies. Below it
    /// <see cref="TocilizumabMgPerKgBelowThreshold"/>, at or above it
    /// <see cref="TocilizumabMgPerKgAtOrAboveThreshold"/>. Default 30 (label) [V].</summary>
    public decimal TocilizumabWeightThresholdKg { get; init; } = 30m;

    /// <summary>Tocilizumab dose, mg/kg, below <see cref="TocilizumabWeightThresholdKg"/>. Default 12 (label) [V].</summary>
    public decimal TocilizumabMgPerKgBelowThreshold { get; init; } = 12m;

    /// <summary>Tocilizumab dose, mg/kg, at or above <see cref="TocilizumabWeightThresholdKg"/>. Default 8 (label) [V].</summary>
    public decimal TocilizumabMgPerKgAtOrAboveThreshold { get; init; } = 8m;

    /// <summary>Highest tocilizumab dose per infusion, in mg. Default 800 (label: "doses exceeding
    /// 800 mg per infusion are not recommended in CRS") [V]. An order above it is blocked.</summary>
    public decimal TocilizumabMaxDoseMg { get; init; } = 800m;

    /// <summary>Shortest time between two tocilizumab doses. Default 8 h (label: "at least 8 hours")
    /// [V]. A dose exactly this long after the last one is allowed.</summary>
    public TimeSpan TocilizumabMinInterval { get; init; } = TimeSpan.FromHours(8);

    /// <summary>Most tocilizumab doses in one CRS course (since the latest CAR-T infusion). Default 4
    /// (label: first dose plus "up to 3 additional doses") [V]. With this many given, a further
    /// dose is blocked.</summary>
    public int TocilizumabMaxDosesTotal { get; init; } = 4;

    /// <summary>Most tocilizumab doses in the last 24 h: doses given in (evaluation − 24 h,
    /// evaluation] count, so a dose given exactly 24 h ago no longer does. Default 3 (ASCO 2021,
    /// docs/CLINICAL-RULES.md §4) [V]. With this many in 24 h, a further dose is blocked.</summary>
    public int TocilizumabMaxDosesPer24h { get; init; } = 3;

    /// <summary>When no CAR-T infusion is on record, how far back tocilizumab doses are counted
    /// toward <see cref="TocilizumabMaxDosesTotal"/>. Default 30 days [U] (CRS after CAR-T
    /// almost always starts within 2 weeks and resolves within a month).</summary>
    public TimeSpan TocilizumabCountLookBackWithoutInfusion { get; init; } = TimeSpan.FromDays(30);

    /// <summary>The computed tocilizumab dose is rounded to the nearest multiple of this, in mg
    /// (midpoint away from zero), and never rounded above <see cref="TocilizumabMaxDoseMg"/>.
    /// Default 0.1 mg [U]: a calculation precision, not a dispensing rule; a pharmacy that rounds
    /// to vial sizes (80/200/400 mg) or to 20 mg sets its own step.</summary>
    public decimal TocilizumabDoseRoundingMg { get; init; } = 0.1m;

    /// <summary>How far, in % of the computed dose, an ordered tocilizumab dose may lie above (or
    /// below) it before the order check warns. Default 10 % [U]; exactly 10 % above is accepted.</summary>
    public decimal TocilizumabDoseTolerancePercent { get; init; } = 10m;

    /// <summary>A body weight older than this (before the evaluation time) is still used for
    /// dosing but flagged stale, and an order checked against it warns. Default 30 days [U].</summary>
    public TimeSpan WeightStaleAfter { get; init; } = TimeSpan.FromDays(30);

    /// <summary>A corticosteroid ordered up to this long after the latest CAR-T infusion, without a
    /// toxicity that warrants it, draws a warning that it may blunt CAR-T efficacy. Default 90 days
    /// [U]: CAR-T cells expand over the first 2–4 weeks and their persistence (B-cell aplasia)
    /// over the first months is what steroids may impair; the label's "avoid prophylactic systemic
    /// corticosteroids" names no time limit, and a warning costs little. Inclusive of day 90.</summary>
    public TimeSpan SteroidCautionWindow { get; init; } = TimeSpan.FromDays(90);

    /// <summary>CRS grade (ASTCT) from which corticosteroids are warranted, so no warning is given.
    /// Default 2 [U] (ASCO 2021 names steroids for grade 2 CRS persisting after tocilizumab and
    /// regimens for grades 3 and 4).</summary>
    public int SteroidWarrantingCrsGrade { get; init; } = 2;

    /// <summary>ICANS grade (ASTCT) from which corticosteroids are warranted. Default 2 (ASCO 2021:
    /// dexamethasone from ICANS grade 2) [V].</summary>
    public int SteroidWarrantingIcansGrade { get; init; } = 2;

    internal IEnumerable<string> Validate()
    {
        if (TocilizumabWeightThresholdKg is <= 0m or > 200m) yield return $"Orders.TocilizumabWeightThresholdKg must be in (0, 200] kg (was {TocilizumabWeightThresholdKg}).";
        if (TocilizumabMgPerKgBelowThreshold is <= 0m or > 20m) yield return $"Orders.TocilizumabMgPerKgBelowThreshold must be in (0, 20] mg/kg (was {TocilizumabMgPerKgBelowThreshold}).";
        if (TocilizumabMgPerKgAtOrAboveThreshold is <= 0m or > 20m) yield return $"Orders.TocilizumabMgPerKgAtOrAboveThreshold must be in (0, 20] mg/kg (was {TocilizumabMgPerKgAtOrAboveThreshold}).";
        if (TocilizumabMaxDoseMg is <= 0m or > 2000m) yield return $"Orders.TocilizumabMaxDoseMg must be in (0, 2000] mg (was {TocilizumabMaxDoseMg}).";
        if (TocilizumabMinInterval <= TimeSpan.Zero || TocilizumabMinInterval > TimeSpan.FromDays(7)) yield return $"Orders.TocilizumabMinInterval must be more than 0 and at most 7 days (was {TocilizumabMinInterval}).";
        if (TocilizumabMaxDosesTotal is < 1 or > 10) yield return $"Orders.TocilizumabMaxDosesTotal must be between 1 and 10 (was {TocilizumabMaxDosesTotal}).";
        if (TocilizumabMaxDosesPer24h < 1 || TocilizumabMaxDosesPer24h > TocilizumabMaxDosesTotal) yield return $"Orders.TocilizumabMaxDosesPer24h must be between 1 and TocilizumabMaxDosesTotal (was {TocilizumabMaxDosesPer24h}).";
        if (TocilizumabCountLookBackWithoutInfusion <= TimeSpan.Zero) yield return $"Orders.TocilizumabCountLookBackWithoutInfusion must be positive (was {TocilizumabCountLookBackWithoutInfusion}).";
        if (TocilizumabDoseRoundingMg is <= 0m or > 100m) yield return $"Orders.TocilizumabDoseRoundingMg must be in (0, 100] mg (was {TocilizumabDoseRoundingMg}).";
        if (TocilizumabDoseTolerancePercent is < 0m or > 100m) yield return $"Orders.TocilizumabDoseTolerancePercent must be between 0 and 100 % (was {TocilizumabDoseTolerancePercent}).";
        if (WeightStaleAfter <= TimeSpan.Zero) yield return $"Orders.WeightStaleAfter must be positive (was {WeightStaleAfter}).";
        if (SteroidCautionWindow < TimeSpan.Zero) yield return $"Orders.SteroidCautionWindow must not be negative (was {SteroidCautionWindow}).";
        if (SteroidWarrantingCrsGrade is < 1 or > 4) yield return $"Orders.SteroidWarrantingCrsGrade must be between 1 and 4 (was {SteroidWarrantingCrsGrade}).";
        if (SteroidWarrantingIcansGrade is < 1 or > 4) yield return $"Orders.SteroidWarrantingIcansGrade must be between 1 and 4 (was {SteroidWarrantingIcansGrade}).";
    }
}
