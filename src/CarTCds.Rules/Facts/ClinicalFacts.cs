namespace CarTCds.Rules.Facts;

/// <summary>Everything the rules know about one patient, already typed and in canonical units
/// (°C, mmHg, L/min, kg). Built by the FHIR mapping in CarTCds.Hooks; the rules never see FHIR.</summary>
/// <remarks>Lists are in no particular order. Records that could not be read are not here but in
/// <see cref="Excluded"/>, so a card can say what it left out.</remarks>
public sealed class ClinicalFacts
{
    /// <summary>The patient's FHIR reference (<c>Patient/123</c>), for evidence only.</summary>
    public string? PatientSource { get; init; }

    /// <summary>Date of birth; null when absent or only partly known (age-dependent rules then say so).</summary>
    public DateOnly? BirthDate { get; init; }

    public IReadOnlyList<TemperatureReading> Temperatures { get; init; } = [];
    public IReadOnlyList<SystolicPressureReading> SystolicPressures { get; init; } = [];
    public IReadOnlyList<HypotensionRecord> HypotensionRecords { get; init; } = [];
    public IReadOnlyList<OxygenDeviceReading> OxygenDevices { get; init; } = [];
    public IReadOnlyList<OxygenFlowReading> OxygenFlows { get; init; } = [];
    public IReadOnlyList<DrugAdministration> Administrations { get; init; } = [];
    public IReadOnlyList<CarTInfusion> Infusions { get; init; } = [];

    // Neurotoxicity (ICANS, ASTCT 2019 Table 6).
    public IReadOnlyList<IceScore> IceScores { get; init; } = [];
    public IReadOnlyList<CapdScore> CapdScores { get; init; } = [];
    public IReadOnlyList<ConsciousnessReading> Consciousness { get; init; } = [];
    public IReadOnlyList<SeizureEvent> Seizures { get; init; } = [];
    public IReadOnlyList<MotorWeakness> MotorWeakness { get; init; } = [];
    public IReadOnlyList<CerebralEdema> CerebralEdema { get; init; } = [];

    // Laboratory and body weight.
    public IReadOnlyList<LabResult> Labs { get; init; } = [];
    public IReadOnlyList<BodyWeight> Weights { get; init; } = [];

    // Disease history (eligibility).
    public IReadOnlyList<Diagnosis> Diagnoses { get; init; } = [];
    public IReadOnlyList<DiseaseStatusEvent> DiseaseStatus { get; init; } = [];
    public IReadOnlyList<Cd19Expression> Cd19Expression { get; init; } = [];
    public IReadOnlyList<MarrowBlasts> MarrowBlasts { get; init; } = [];
    public IReadOnlyList<CnsStatusReading> CnsStatus { get; init; } = [];
    public IReadOnlyList<AllogeneicTransplant> Transplants { get; init; } = [];
    public IReadOnlyList<ActiveGvhd> ActiveGvhd { get; init; } = [];
    public IReadOnlyList<PriorCd19Therapy> PriorCd19Therapy { get; init; } = [];
    public IReadOnlyList<PerformanceStatus> PerformanceStatus { get; init; } = [];
    public IReadOnlyList<NotableCondition> NotableConditions { get; init; } = [];

    /// <summary>Draft orders of an order-select / order-sign call; empty otherwise.</summary>
    public IReadOnlyList<DraftOrder> DraftOrders { get; init; } = [];

    /// <summary>The latest CAR-T infusion at or before <paramref name="at"/> — the one "day N after
    /// infusion" counts from — or null when none is on record.</summary>
    /// <remarks>Of two at the same instant, the first in <see cref="Infusions"/>. A plain loop: the rules
    /// ask this dozens of times per hook call (each day of the CRS course), and Where + MaxBy allocated
    /// a closure and an iterator each time.</remarks>
    public CarTInfusion? LatestInfusion(DateTimeOffset at)
    {
        CarTInfusion? latest = null;
        for (var k = 0; k < Infusions.Count; k++)
        {
            var infusion = Infusions[k];
            if (infusion.Time <= at && (latest is null || infusion.Time > latest.Time)) latest = infusion;
        }
        return latest;
    }

    /// <summary>Records left out while building these facts, with the reason.</summary>
    public IReadOnlyList<ExcludedRecord> Excluded { get; init; } = [];

    /// <summary>FHIR references of CAR-T infusion records that were left out (in
    /// <see cref="Excluded"/> with the reason): a chart with one of these is a CAR-T chart even
    /// when <see cref="Infusions"/> is empty, so it is never answered with silence.</summary>
    public IReadOnlyList<string> InfusionRecordsLeftOut { get; init; } = [];

    /// <summary>Records that were used although some of their elements could not be read: the
    /// elements were malformed and no rule reads them, so they were skipped rather than the call
    /// refused (<see cref="ExcludedRecord.Reason"/> names them, e.g. <c>MedicationRequest.category (an
    /// object)</c>). Every card names them ("could not read …").</summary>
    public IReadOnlyList<ExcludedRecord> PartlyRead { get; init; } = [];
}

/// <summary>Body temperature in °C (converted from °F where needed).</summary>
public sealed record TemperatureReading(DateTimeOffset Time, decimal Celsius, string Source);

/// <summary>Systolic blood pressure in mmHg.</summary>
public sealed record SystolicPressureReading(DateTimeOffset Time, decimal MmHg, string Source);

/// <summary>A clinician's record that the patient was hypotensive (cartcds#hypotension = true),
/// e.g. treated with fluid boluses, independent of a measured SBP.</summary>
public sealed record HypotensionRecord(DateTimeOffset Time, string Source);

/// <summary>The oxygen delivery device in use at a time.</summary>
public sealed record OxygenDeviceReading(DateTimeOffset Time, OxygenDevice Device, string Source);

/// <summary>Oxygen flow in L/min.</summary>
public sealed record OxygenFlowReading(DateTimeOffset Time, decimal LitresPerMinute, string Source);

/// <summary>The CAR-T infusion (day 0).</summary>
public sealed record CarTInfusion(DateTimeOffset Time, string Source)
{
    /// <summary>Calendar days (UTC) from the infusion day to <paramref name="at"/>: the infusion day is day 0.</summary>
    public int CalendarDay(DateTimeOffset at) => CalendarDayAfter(Time, at);

    /// <summary>The start of day 0: midnight UTC of the infusion day (day N starts N days later).</summary>
    public DateTimeOffset DayZero => new(Time.UtcDateTime.Date, TimeSpan.Zero);

    /// <summary>"Day N after infusion" as clinicians count it and every card shows it: calendar days
    /// (UTC) from the day of <paramref name="infusion"/> (day 0) to the day of <paramref name="at"/>;
    /// negative before it. The one definition: CRS/ICANS courses, monitoring windows and card text all use it.</summary>
    public static int CalendarDayAfter(DateTimeOffset infusion, DateTimeOffset at) =>
        (int)(at.UtcDateTime.Date - infusion.UtcDateTime.Date).TotalDays;
}

/// <summary>Oxygen delivery devices of the data contract (cartcds#oxygen-delivery).</summary>
public enum OxygenDevice
{
    RoomAir,
    BlowBy,
    NasalCannula,
    HighFlowNasalCannula,
    FaceMask,
    NonRebreatherMask,
    VenturiMask,
    Cpap,
    Bipap,
    MechanicalVentilation,
}

/// <summary>The drugs the rules reason about.</summary>
public enum Drug
{
    Norepinephrine,
    Epinephrine,
    Dopamine,
    Phenylephrine,
    Vasopressin,
    Tocilizumab,
    Dexamethasone,
    Methylprednisolone,
    Prednisone,
    Acetaminophen,
    Ibuprofen,
    Levetiracetam,
    Anakinra,
    Siltuximab,
    Ruxolitinib,
    Blinatumomab,
    ImmuneGlobulin,
}

/// <summary>A drug given or running. <see cref="End"/> is null for a drug still running
/// (in progress) or given at one instant (then <see cref="IsOngoing"/> is false).</summary>
/// <param name="Drug">Which drug.</param>
/// <param name="Start">When it was given or started.</param>
/// <param name="End">When an infusion stopped, if known.</param>
/// <param name="IsOngoing">True when the administration is in progress (still running).</param>
/// <param name="DoseMg">The dose in mg when recorded.</param>
/// <param name="Source">FHIR reference of the administration.</param>
public sealed record DrugAdministration(Drug Drug, DateTimeOffset Start, DateTimeOffset? End, bool IsOngoing, decimal? DoseMg, string Source)
{
    /// <summary>Whether the administration overlaps [from, to].</summary>
    public bool Overlaps(DateTimeOffset from, DateTimeOffset to)
    {
        if (Start > to) return false;
        var end = IsOngoing ? to : End ?? Start;
        return end >= from;
    }
}

/// <summary>Drug groups of docs/CLINICAL-RULES.md §1 and §6.</summary>
public static class DrugGroups
{
    /// <summary>Vasopressors (RxNorm 7512, 3992, 3628, 8163, 11149). Vasopressin is one, but never
    /// counts toward "multiple vasopressors" (ASTCT 2019, Lee et al. Table 5 footnote).</summary>
    public static bool IsVasopressor(Drug d) => d is Drug.Norepinephrine or Drug.Epinephrine or Drug.Dopamine or Drug.Phenylephrine or Drug.Vasopressin;

    /// <summary>Anti-cytokine therapy and corticosteroids: after these, fever is no longer required
    /// to grade CRS (ASTCT 2019, Lee et al. Table 5 footnote: "antipyretic or anticytokine therapy such
    /// as tocilizumab or steroids"). Anakinra (IL-1) and siltuximab (IL-6) are anti-cytokine drugs given
    /// for refractory CRS (seed 002), so they mask fever too; ruxolitinib (a JAK inhibitor) is not counted.</summary>
    public static bool IsAntiCytokineOrSteroid(Drug d) => d is Drug.Tocilizumab or Drug.Dexamethasone or Drug.Methylprednisolone or Drug.Prednisone or Drug.Anakinra or Drug.Siltuximab;

    public static bool IsAntipyretic(Drug d) => d is Drug.Acetaminophen or Drug.Ibuprofen;

    /// <summary>Systemic corticosteroids (RxNorm 3264, 6902, 8640).</summary>
    public static bool IsCorticosteroid(Drug d) => d is Drug.Dexamethasone or Drug.Methylprednisolone or Drug.Prednisone;

    /// <summary>Clinical name, lower case (<c>norepinephrine</c>).</summary>
    public static string Name(Drug d) => d.ToString().ToLowerInvariant();
}
