namespace CarTCds.Rules.Management;

/// <summary>Parameters of grade-based management advice and of the weight-based order checks
/// (docs/CLINICAL-RULES.md §4 "Management advice"). Tags as in docs/CLINICAL-RULES.md: [V] read in the
/// source, [S] seen in a faithful secondary reproduction, [U] not verified — configurable, named on
/// every card through the rule-set version.</summary>
/// <remarks>Sources: Santomasso BD et al., ASCO guideline, J Clin Oncol 2021;39:3978–3992
/// (<see href="https://doi.org/10.1200/JCO.21.01992"/>), read here through the ASCO guideline
/// pocket card (guidelinecentral) and review tables reproducing it (PMC9616161 Table 4,
/// PMC10573998 Table 1) [S]; Mahadeo KM et al., Nat Rev Clin Oncol 2019;16:45–63 (CARTOX paediatric,
/// <see href="https://doi.org/10.1038/s41571-018-0075-2"/>); Hines MR et al., Transplant Cell Ther
/// 2023;29:438 (IEC-HS); seed 002 (anakinra, siltuximab, ruxolitinib for refractory toxicity).
/// Tocilizumab doses stay in <see cref="Orders.OrderCheckParameters"/> (label).</remarks>
public sealed class ManagementParameters
{
    /// <summary>Dexamethasone for CRS grade 3 and ICANS grade 3 (and grade 2 at
    /// <see cref="DexamethasoneLowerGradeInterval"/>): 0.5 mg/kg [U: the CARTOX paediatric weight-based
    /// dose, not read in Mahadeo 2019 here], capped at 10 mg per dose, the ASCO 2021 adult dose [S];
    /// every 6 h (ASCO 2021: CRS grade 3 "10 mg IV every 6 hours", ICANS grade 3 "every 6–12 hours",
    /// the frequent end) [S]. Orders: above 0.5 mg/kg warns; above 20 mg per dose is blocked (ASCO
    /// 2021 for refractory ICANS: "10–20 mg IV every 6 h") [S].</summary>
    public DoseRule Dexamethasone { get; init; } = new()
    {
        MgPerKg = 0.5m, MaxDoseMg = 10m, Interval = TimeSpan.FromHours(6), OrderMaxMgPerKg = 0.5m, OrderMaxDoseMg = 20m,
    };

    /// <summary>Dexamethasone interval below grade 3: CRS grade 2 not improving after tocilizumab and
    /// ICANS grade 2. Default 12 h (ASCO 2021 CRS grade 2: "consider dexamethasone 10 mg IV every
    /// 12–24 h if no improvement"; ICANS grade 2: "dexamethasone 10 mg IV, repeat every 6–12 h"; the
    /// less frequent end, so grade 3 is given more often) [S].</summary>
    public TimeSpan DexamethasoneLowerGradeInterval { get; init; } = TimeSpan.FromHours(12);

    /// <summary>High-dose methylprednisolone for CRS grade 4, ICANS grade 4 and cerebral oedema:
    /// 30 mg/kg/day, capped at 1,000 mg/day, once daily (the paediatric pulse dose "30 mg/kg/day
    /// (maximum 1 g/day) IV for 1 to 3 days" [S, secondary HLH table]; ASCO 2021 adults: CRS grade 4
    /// methylprednisolone 500 mg IV every 12 h for 3 days, ICANS grade 4 1,000 mg/day [S]). Orders:
    /// above 30 mg/kg per dose warns; above 1,000 mg per dose is blocked.</summary>
    public DoseRule MethylprednisoloneHighDose { get; init; } = new()
    {
        MgPerKg = 30m, MaxDoseMg = 1000m, Interval = TimeSpan.FromHours(24), OrderMaxMgPerKg = 30m, OrderMaxDoseMg = 1000m,
    };

    /// <summary>Days of high-dose methylprednisolone before a taper. Default 3 (ASCO 2021 CRS grade 4:
    /// "for 3 days, followed by" a taper) [S].</summary>
    public int MethylprednisoloneHighDoseDays { get; init; } = 3;

    /// <summary>Anakinra for IEC-HS (first line) and CRS/ICANS refractory to tocilizumab and
    /// corticosteroids (seed 002): 2 mg/kg [U] every 6 h (secondary HLH table: "5 to 10 mg/kg/day in
    /// divided doses (every 6 or every 12 hours), IV or SUBQ" [S]; 2 mg/kg q6h = 8 mg/kg/day), capped at
    /// 100 mg per dose [U: the adult dose]. Orders: above 2.5 mg/kg per dose (10 mg/kg/day q6h [S])
    /// warns; above 200 mg per dose is blocked [U].</summary>
    public DoseRule Anakinra { get; init; } = new()
    {
        MgPerKg = 2m, MaxDoseMg = 100m, Interval = TimeSpan.FromHours(6), OrderMaxMgPerKg = 2.5m, OrderMaxDoseMg = 200m,
    };

    /// <summary>Siltuximab for CRS refractory to tocilizumab and corticosteroids (seed 002): 11 mg/kg IV
    /// once (CARTOX, Neelapu 2018, reproduced in PMC9616161 Table 4 [S]); the sources name no cap
    /// (null). Orders: above 11 mg/kg warns; above 1,500 mg is blocked [U].</summary>
    public DoseRule Siltuximab { get; init; } = new()
    {
        MgPerKg = 11m, MaxDoseMg = null, Interval = null, OrderMaxMgPerKg = 11m, OrderMaxDoseMg = 1500m,
    };

    /// <summary>Ruxolitinib for refractory CRS (seed 002) and IEC-HS refractory to anakinra: 0.5 mg/kg
    /// orally every 12 h (secondary HLH table, "patients ≥ 12 years: 0.5 mg/kg/dose orally twice daily"
    /// [S]), capped at 10 mg per dose [U]. Orders: above 0.5 mg/kg warns; above 20 mg is blocked [U].
    /// Specialist dosing; the suggestion is never pre-selected.</summary>
    public DoseRule Ruxolitinib { get; init; } = new()
    {
        MgPerKg = 0.5m, MaxDoseMg = 10m, Interval = TimeSpan.FromHours(12), OrderMaxMgPerKg = 0.5m, OrderMaxDoseMg = 20m, Oral = true,
    };

    /// <summary>Levetiracetam loading dose after a seizure (ICANS): 40 mg/kg IV once, capped at
    /// 2,500 mg (American Academy of Neurology / AES status-epilepticus dose, reproduced in secondary
    /// summaries [S]). Orders (any levetiracetam dose): above 60 mg/kg warns; above 4,500 mg is blocked
    /// (the highest loading dose used, ESETT 60 mg/kg max 4,500 mg [S]).</summary>
    public DoseRule LevetiracetamLoading { get; init; } = new()
    {
        MgPerKg = 40m, MaxDoseMg = 2500m, Interval = null, OrderMaxMgPerKg = 60m, OrderMaxDoseMg = 4500m,
    };

    /// <summary>CRS grade 1 with fever for more than this many consecutive days (counting the days of
    /// the course with grade ≥ 1 up to today) → "consider tocilizumab, manage as grade 2". Default 3
    /// (ASCO 2021 grade 1: "in patients with persistent (&gt; 3 days) or refractory fever, consider
    /// managing as per grade 2") [S]; exactly 3 days is not yet persistent.</summary>
    public int PersistentFeverDays { get; init; } = 3;

    /// <summary>CRS still grade ≥ 2 this long after the first tocilizumab dose of the episode →
    /// refractory to tocilizumab: corticosteroids; still ≥ 2 this long after both tocilizumab and a
    /// corticosteroid → refractory: anakinra, siltuximab, ruxolitinib. Default 24 h (ASCO 2021 grade 2:
    /// "if no improvement within 24 hours of starting tocilizumab") [S]. Exactly 24 h counts.</summary>
    public TimeSpan RefractoryAfter { get; init; } = TimeSpan.FromHours(24);

    /// <summary>IEC-HS still flagged this long after the first anakinra dose → refractory: ruxolitinib
    /// (and emapalumab, etoposide as text). Default 48 h [U] (Hines 2023 names the second line, not a
    /// time). Exactly 48 h counts.</summary>
    public TimeSpan IecHsRefractoryAfter { get; init; } = TimeSpan.FromHours(48);

    /// <summary>CRS grade at and above which ICU transfer is advised. Default 3 (ASCO 2021 grade 3:
    /// "admit patient to ICU") [S].</summary>
    public int IcuFromCrsGrade { get; init; } = 3;

    /// <summary>ICANS grade at and above which ICU care is advised. Default 3 (ASCO 2021 as reproduced
    /// in PMC10573998 Table 1: grade 3 "intensive care unit transfer", grade 4 "ICU monitoring,
    /// mechanical ventilation") [S].</summary>
    public int IcuFromIcansGrade { get; init; } = 3;

    /// <summary>A ferritin (LOINC 2276-4) resulted at most this long before the evaluation time makes
    /// the IEC-HS card's "order ferritin" suggestion unnecessary; it is then not offered. Default 24 h
    /// [U] (ferritin is followed daily while IEC-HS is suspected). Exactly 24 h ago still counts.</summary>
    public TimeSpan FerritinRecentWithin { get; init; } = TimeSpan.FromHours(24);

    /// <summary>Computed doses are rounded to the nearest multiple of this, in mg (midpoint away from
    /// zero), never above the cap. Default 0.1 mg [U]: a calculation precision, not a dispensing rule.</summary>
    public decimal DoseRoundingMg { get; init; } = 0.1m;

    /// <summary>Whether <paramref name="drug"/> has a <see cref="DoseRule"/> here (whatever its values).</summary>
    public static bool IsDosedByWeight(Facts.Drug drug) => drug is Facts.Drug.Dexamethasone or Facts.Drug.Methylprednisolone or Facts.Drug.Anakinra
        or Facts.Drug.Siltuximab or Facts.Drug.Ruxolitinib or Facts.Drug.Levetiracetam;

    /// <summary>The dose rule of a drug the management advice and the order checks know; null for others.</summary>
    public DoseRule? RuleFor(Facts.Drug drug) => drug switch
    {
        Facts.Drug.Dexamethasone => Dexamethasone,
        Facts.Drug.Methylprednisolone => MethylprednisoloneHighDose,
        Facts.Drug.Anakinra => Anakinra,
        Facts.Drug.Siltuximab => Siltuximab,
        Facts.Drug.Ruxolitinib => Ruxolitinib,
        Facts.Drug.Levetiracetam => LevetiracetamLoading,
        _ => null,
    };

    internal IEnumerable<string> Validate()
    {
        foreach (var (name, rule) in new[]
        {
            (nameof(Dexamethasone), Dexamethasone), (nameof(MethylprednisoloneHighDose), MethylprednisoloneHighDose), (nameof(Anakinra), Anakinra),
            (nameof(Siltuximab), Siltuximab), (nameof(Ruxolitinib), Ruxolitinib), (nameof(LevetiracetamLoading), LevetiracetamLoading),
        })
        {
            if (rule is null) { yield return $"Management.{name} must be set."; continue; }
            foreach (var e in rule.Validate(name)) yield return e;
        }
        if (DexamethasoneLowerGradeInterval < TimeSpan.FromHours(1) || DexamethasoneLowerGradeInterval > TimeSpan.FromDays(2)) yield return $"Management.DexamethasoneLowerGradeInterval must be between 1 h and 2 days (was {DexamethasoneLowerGradeInterval}).";
        if (MethylprednisoloneHighDoseDays is < 1 or > 14) yield return $"Management.MethylprednisoloneHighDoseDays must be between 1 and 14 (was {MethylprednisoloneHighDoseDays}).";
        if (PersistentFeverDays is < 1 or > 14) yield return $"Management.PersistentFeverDays must be between 1 and 14 (was {PersistentFeverDays}).";
        if (RefractoryAfter <= TimeSpan.Zero || RefractoryAfter > TimeSpan.FromDays(7)) yield return $"Management.RefractoryAfter must be more than 0 and at most 7 days (was {RefractoryAfter}).";
        if (IecHsRefractoryAfter <= TimeSpan.Zero || IecHsRefractoryAfter > TimeSpan.FromDays(14)) yield return $"Management.IecHsRefractoryAfter must be more than 0 and at most 14 days (was {IecHsRefractoryAfter}).";
        if (IcuFromCrsGrade is < 1 or > 4) yield return $"Management.IcuFromCrsGrade must be between 1 and 4 (was {IcuFromCrsGrade}).";
        if (IcuFromIcansGrade is < 1 or > 4) yield return $"Management.IcuFromIcansGrade must be between 1 and 4 (was {IcuFromIcansGrade}).";
        if (FerritinRecentWithin < TimeSpan.Zero || FerritinRecentWithin > TimeSpan.FromDays(7)) yield return $"Management.FerritinRecentWithin must be between 0 and 7 days (was {FerritinRecentWithin}).";
        if (DoseRoundingMg is <= 0m or > 10m) yield return $"Management.DoseRoundingMg must be in (0, 10] mg (was {DoseRoundingMg}).";
    }
}
