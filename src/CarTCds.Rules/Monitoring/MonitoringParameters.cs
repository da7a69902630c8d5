namespace CarTCds.Rules.Monitoring;

/// <summary>Parameters of monitoring advice after CAR-T infusion (docs/CLINICAL-RULES.md §4
/// "Monitoring", "Seizure prophylaxis", "B-cell aplasia / immunoglobulins", "Post-infusion
/// logistics"). Values tagged [U] are unverified and must stay configurable; [S] seen in a
/// faithful secondary source; [V] read in the source.</summary>
/// <remarks>
/// Day arithmetic: "day N after infusion" is the number of completed 24-hour periods since the
/// infusion time (day 0 is the first 24 h), independent of time zones; a window of N days covers
/// day 0 through day N inclusive.
/// Sources: Mahadeo KM et al., Nat Rev Clin Oncol 2019;16:45–63
/// (<see href="https://doi.org/10.1038/s41571-018-0075-2"/>); Hucks G, Rheingold SR, Blood Cancer J
/// 2019;9:10 (seed <c>003_*.txt</c>, <see href="https://doi.org/10.1038/s41408-018-0164-6"/>);
/// Hill JA et al., Blood Rev 2019;38:100596 (<see href="https://doi.org/10.1016/j.blre.2019.100596"/>);
/// Pulsipher MA et al., Blood Cancer Discov 2022 (<see href="https://pmc.ncbi.nlm.nih.gov/articles/PMC9924295"/>);
/// Kymriah (tisagenlecleucel) US prescribing information, June 2025 update
/// (<see href="https://www.fda.gov/vaccines-blood-biologics/cellular-gene-therapy-products/kymriah-tisagenlecleucel"/>).
/// </remarks>
public sealed class MonitoringParameters
{
    // ── Neurological monitoring ────────────────────────────────────────────────────────────

    /// <summary>Days after the latest CAR-T infusion during which the patient is "at risk" of ICANS:
    /// ICE/CAPD assessments are expected and seizure prophylaxis is advised. Covers day 0 through
    /// this day inclusive. Default 14 [U] (the June 2025 Kymriah label asks for monitoring for at
    /// least 2 weeks; ICANS onset is typically within that time).</summary>
    public int NeuroMonitoringDays { get; init; } = 14;

    /// <summary>Longest acceptable time since the last ICE or CAPD score while at risk. A score
    /// exactly this old is overdue. Default 12 h: "ICE/CAPD at least twice daily while at risk"
    /// (docs/CLINICAL-RULES.md §4 [V]; Mahadeo 2019); reading "twice daily" as "every 12 h" is ours [U].</summary>
    public TimeSpan NeuroAssessmentInterval { get; init; } = TimeSpan.FromHours(12);

    // ── Seizure prophylaxis ────────────────────────────────────────────────────────────────

    /// <summary>Levetiracetam prophylaxis dose in mg/kg per dose. Default 10 (Mahadeo 2019;
    /// docs/CLINICAL-RULES.md §4) [S].</summary>
    public decimal LevetiracetamMgPerKg { get; init; } = 10m;

    /// <summary>Highest levetiracetam dose in mg per dose. Default 500 [S]; a child of 50 kg or more
    /// gets this cap.</summary>
    public decimal LevetiracetamMaxDoseMg { get; init; } = 500m;

    /// <summary>Interval between levetiracetam doses. Default 12 h (q12h) [S].</summary>
    public TimeSpan LevetiracetamInterval { get; init; } = TimeSpan.FromHours(12);

    /// <summary>Duration of prophylaxis after infusion, in days. Default 30 [S] (Mahadeo 2019);
    /// seed 003 says "most experts recommend levetiracetam for 30–60 days", so up to 60 is a
    /// reasonable local choice.</summary>
    public int LevetiracetamDays { get; init; } = 30;

    /// <summary>A levetiracetam administration that is running, or was given (started or ended)
    /// at most this long before the evaluation time, means the patient is already on it and no
    /// prophylaxis advice is given. Default 72 h [U] (six q12h doses: a few missed charting entries
    /// do not re-trigger advice; a longer gap means it was stopped).</summary>
    public TimeSpan LevetiracetamCurrentWithin { get; init; } = TimeSpan.FromHours(72);

    // ── Immunoglobulins ────────────────────────────────────────────────────────────────────

    /// <summary>IgG below this (mg/dL, LOINC 2465-3) after infusion → consider immunoglobulin
    /// replacement, especially with infections. Default 400 (docs/CLINICAL-RULES.md §4 [V], the number
    /// a parameter). See <see cref="IgGThresholdInclusive"/> for the value itself.</summary>
    public decimal IgGThresholdMgPerDl { get; init; } = 400m;

    /// <summary>Whether an IgG exactly at <see cref="IgGThresholdMgPerDl"/> also triggers. Default
    /// false: docs/CLINICAL-RULES.md says "IgG &lt; 400 mg/dL"; Hill et al. 2019 say "≤ 400 mg/dL" — set
    /// true to follow Hill.</summary>
    public bool IgGThresholdInclusive { get; init; }

    // ── Relapse risk (B-cell recovery, MRD) ────────────────────────────────────────────────

    /// <summary>Days after the latest infusion during which loss of B-cell aplasia or positive MRD
    /// is reported as high relapse risk (day 0 through this day inclusive). Default 365 [S]
    /// (Pulsipher 2022: B-cell recovery "within the first year" HR 4.5 for relapse).</summary>
    public int RelapseSurveillanceDays { get; init; } = 365;

    /// <summary>CD19+ B cells (LOINC 8116-6) at or above this count, in cells/µL, are loss of B-cell
    /// aplasia. Default 100 (docs/CLINICAL-RULES.md §4 "≥ 100 cells/µL" [V]).</summary>
    public decimal Cd19CountLossPerMicrolitre { get; init; } = 100m;

    /// <summary>CD19+ B cells (LOINC 8117-4) above this percentage of lymphocytes are loss of B-cell
    /// aplasia; exactly this value is not. Default 1 % (docs/CLINICAL-RULES.md §4 "&gt; 1 %" [V]).</summary>
    public decimal Cd19PercentLoss { get; init; } = 1m;

    /// <summary>CD19 B-cell results before this day after infusion are not read as loss of B-cell
    /// aplasia: aplasia is not yet established while CAR-T cells expand. Default 28 [U] (the day-28
    /// response assessment of ELIANA; Pulsipher 2022 assess B-cell recovery from day 28). 0 reads
    /// every result after infusion.</summary>
    public int BCellRecoveryFromDay { get; init; } = 28;

    // ── Post-infusion logistics ───────────────────────────────────────────────────────────

    /// <summary>Days after infusion the patient should stay within <see cref="ProximityHours"/> of
    /// the treating centre. Default 14 [S] (Kymriah label <see cref="LabelVersion"/> 2025-06, which
    /// removed the REMS; before it, 4 weeks = 28).</summary>
    public int LogisticsDays { get; init; } = 14;

    /// <summary>Days after infusion the patient should not drive or operate heavy machinery.
    /// Default 14 [S] (label 2025-06; before it, 8 weeks = 56).</summary>
    public int NoDrivingDays { get; init; } = 14;

    /// <summary>Youngest age, in completed years, given the label's advice not to drive; younger
    /// patients' logistics are worded for their caregivers (keep the child near the centre, no
    /// hazardous activities without an adult) and say nothing of driving. Default 14 [S]: the Kymriah
    /// label's driving advice is for patients who drive, and the youngest age at which any US state
    /// lets a teenager drive is 14 (Iowa Code §321.180: instruction permit from 14; Iowa and South Dakota
    /// grant restricted minor's licences from 14½), so a 14- or 15-year-old still hears "no driving".
    /// Set it to the local learner's-permit age (e.g. 16 where driving starts at 16).</summary>
    public int DrivingAdviceFromAgeYears { get; init; } = 14;

    /// <summary>Greatest travel time, in hours, to the treating centre during
    /// <see cref="LogisticsDays"/>. Default 2 [S] (label).</summary>
    public decimal ProximityHours { get; init; } = 2m;

    /// <summary>The label version the logistics periods come from, named on the advice. Default
    /// <c>2025-06</c> (Kymriah US prescribing information after the June 2025 REMS removal).
    /// Change it together with <see cref="LogisticsDays"/> and <see cref="NoDrivingDays"/>.</summary>
    public string LabelVersion { get; init; } = "2025-06";

    internal IEnumerable<string> Validate()
    {
        if (NeuroMonitoringDays is < 1 or > 90) yield return $"Monitoring.NeuroMonitoringDays must be between 1 and 90 days (was {NeuroMonitoringDays}).";
        if (NeuroAssessmentInterval <= TimeSpan.Zero || NeuroAssessmentInterval > TimeSpan.FromDays(2)) yield return $"Monitoring.NeuroAssessmentInterval must be more than 0 and at most 48 h (was {NeuroAssessmentInterval}).";
        if (LevetiracetamMgPerKg is <= 0m or > 60m) yield return $"Monitoring.LevetiracetamMgPerKg must be in (0, 60] mg/kg (was {LevetiracetamMgPerKg}).";
        if (LevetiracetamMaxDoseMg is <= 0m or > 3000m) yield return $"Monitoring.LevetiracetamMaxDoseMg must be in (0, 3000] mg (was {LevetiracetamMaxDoseMg}).";
        if (LevetiracetamInterval < TimeSpan.FromHours(4) || LevetiracetamInterval > TimeSpan.FromHours(24)) yield return $"Monitoring.LevetiracetamInterval must be between 4 and 24 h (was {LevetiracetamInterval}).";
        if (LevetiracetamDays is < 1 or > 365) yield return $"Monitoring.LevetiracetamDays must be between 1 and 365 days (was {LevetiracetamDays}).";
        if (LevetiracetamCurrentWithin <= TimeSpan.Zero || LevetiracetamCurrentWithin > TimeSpan.FromDays(30)) yield return $"Monitoring.LevetiracetamCurrentWithin must be more than 0 and at most 30 days (was {LevetiracetamCurrentWithin}).";
        if (IgGThresholdMgPerDl is <= 0m or > 2000m) yield return $"Monitoring.IgGThresholdMgPerDl must be in (0, 2000] mg/dL (was {IgGThresholdMgPerDl}).";
        if (RelapseSurveillanceDays is < 1 or > 3650) yield return $"Monitoring.RelapseSurveillanceDays must be between 1 and 3650 days (was {RelapseSurveillanceDays}).";
        if (Cd19CountLossPerMicrolitre is <= 0m or > 5000m) yield return $"Monitoring.Cd19CountLossPerMicrolitre must be in (0, 5000] cells/µL (was {Cd19CountLossPerMicrolitre}).";
        if (Cd19PercentLoss is < 0m or >= 100m) yield return $"Monitoring.Cd19PercentLoss must be in [0, 100) % (was {Cd19PercentLoss}).";
        if (BCellRecoveryFromDay < 0 || BCellRecoveryFromDay > RelapseSurveillanceDays) yield return $"Monitoring.BCellRecoveryFromDay must be between 0 and RelapseSurveillanceDays (was {BCellRecoveryFromDay}, RelapseSurveillanceDays {RelapseSurveillanceDays}).";
        if (LogisticsDays is < 0 or > 365) yield return $"Monitoring.LogisticsDays must be between 0 and 365 days (was {LogisticsDays}).";
        if (NoDrivingDays is < 0 or > 365) yield return $"Monitoring.NoDrivingDays must be between 0 and 365 days (was {NoDrivingDays}).";
        if (DrivingAdviceFromAgeYears is < 0 or > 25) yield return $"Monitoring.DrivingAdviceFromAgeYears must be between 0 and 25 years (was {DrivingAdviceFromAgeYears}).";
        if (ProximityHours is <= 0m or > 24m) yield return $"Monitoring.ProximityHours must be in (0, 24] h (was {ProximityHours}).";
        if (string.IsNullOrWhiteSpace(LabelVersion)) yield return "Monitoring.LabelVersion must not be empty.";
    }
}
