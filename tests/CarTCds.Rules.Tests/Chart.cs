using CarTCds.Rules.Facts;

namespace CarTCds.Rules.Tests;

/// <summary>The one way the rule tests write a patient's chart: a fluent builder of
/// <see cref="ClinicalFacts"/> in clinical language, every record placed relative to the evaluation
/// time ("2 h ago", "infused 5 days ago").</summary>
/// <remarks>
/// <para>Times: point events (vital signs, drugs, neuro assessments, labs, weights, the infusion) take
/// <c>hoursAgo</c>, negative for a record dated after the evaluation time; disease history (status,
/// CD19, CNS, blasts, diagnosis onset) takes <c>daysAgo</c>. <see cref="Days"/> and <see cref="Minutes"/>
/// convert for the point events where days or minutes read better.</para>
/// <para>Ids: every record gets the FHIR reference passed as <c>id</c>, else <c>Type/rN</c> numbered in
/// creation order with one counter for all types (<see cref="Ref"/>).</para>
/// <para>The patient is 15 years old (birthday 30 days before the evaluation time) unless
/// <see cref="Aged"/> or <see cref="Born"/> says otherwise.</para>
/// </remarks>
internal sealed class Chart
{
    /// <summary>The default evaluation time: 2013-05-19 12:00 UTC, the era of the seed patients.</summary>
    public static readonly DateTimeOffset Now = new(2013, 5, 19, 12, 0, 0, TimeSpan.Zero);

    /// <summary>The evaluation time of eligibility and order tests: 2026-05-19 12:00 UTC, after every
    /// labelled CD19 CAR-T product's B-ALL approval (the latest, obecabtagene autoleucel, 2024-11-08).</summary>
    public static readonly DateTimeOffset EligibilityNow = new(2026, 5, 19, 12, 0, 0, TimeSpan.Zero);

    private readonly DateTimeOffset _now;
    private DateOnly? _birth;
    private readonly List<TemperatureReading> _temps = [];
    private readonly List<SystolicPressureReading> _sbps = [];
    private readonly List<HypotensionRecord> _hypo = [];
    private readonly List<OxygenDeviceReading> _devices = [];
    private readonly List<OxygenFlowReading> _flows = [];
    private readonly List<DrugAdministration> _admins = [];
    private readonly List<CarTInfusion> _infusions = [];
    private readonly List<IceScore> _ice = [];
    private readonly List<CapdScore> _capd = [];
    private readonly List<ConsciousnessReading> _levels = [];
    private readonly List<SeizureEvent> _seizures = [];
    private readonly List<MotorWeakness> _motor = [];
    private readonly List<CerebralEdema> _oedema = [];
    private readonly List<LabResult> _labs = [];
    private readonly List<BodyWeight> _weights = [];
    private readonly List<Diagnosis> _diagnoses = [];
    private readonly List<DiseaseStatusEvent> _status = [];
    private readonly List<Cd19Expression> _cd19 = [];
    private readonly List<MarrowBlasts> _blasts = [];
    private readonly List<CnsStatusReading> _cns = [];
    private readonly List<AllogeneicTransplant> _sct = [];
    private readonly List<ActiveGvhd> _gvhd = [];
    private readonly List<PriorCd19Therapy> _priorCd19 = [];
    private readonly List<PerformanceStatus> _performance = [];
    private readonly List<NotableCondition> _conditions = [];
    private readonly List<DraftOrder> _orders = [];
    private readonly List<ExcludedRecord> _excluded = [];
    private int _n;

    /// <summary>A chart evaluated at <see cref="Now"/>.</summary>
    public Chart() : this(Now) { }

    /// <summary>A chart evaluated at <paramref name="now"/>.</summary>
    public Chart(DateTimeOffset now)
    {
        _now = now;
        Aged(15);
    }

    /// <summary>A 10-year-old (born 2016-01-10) evaluated at <see cref="EligibilityNow"/>.</summary>
    public static Chart ForEligibility() => new Chart(EligibilityNow).Born(new DateOnly(2016, 1, 10));

    /// <summary>B-cell ALL (SNOMED 277571004) diagnosed in 2018 and two relapses (2020, 2023): eligible
    /// at age 10, and at any evaluation date from 2023-01-25 on (<see cref="ForEligibility"/>).</summary>
    public static Chart EligibleBAll() => ForEligibility()
        .Diagnosis(DiagnosisKind.BCellAll, "Condition/b-all", onsetDaysAgo: 3000)
        .Status(DiseaseStatus.Relapse, 2000, "Observation/relapse-1")
        .Status(DiseaseStatus.Remission, 1900, "Observation/cr2")
        .Status(DiseaseStatus.Relapse, 1210, "Observation/relapse-2");

    /// <summary><paramref name="days"/> days, in hours (for <c>hoursAgo</c>).</summary>
    public static double Days(double days) => days * 24;

    /// <summary><paramref name="minutes"/> minutes, in hours (for <c>hoursAgo</c>).</summary>
    public static double Minutes(double minutes) => minutes / 60;

    /// <summary>The reference given to the <paramref name="n"/>-th record created without an id (1-based).</summary>
    public static string Ref(string type, int n) => $"{type}/r{n}";

    private string Id(string type, string? id) => id ?? Ref(type, ++_n);
    private DateTimeOffset HoursAgo(double hours) => _now.AddHours(-hours);
    private DateTimeOffset DaysAgo(double days) => _now.AddDays(-days);

    // Demographics.

    /// <summary>Exactly <paramref name="years"/> completed years old at the evaluation time (birthday 30 days before).</summary>
    public Chart Aged(int years) { _birth = DateOnly.FromDateTime(_now.UtcDateTime).AddYears(-years).AddDays(-30); return this; }
    public Chart Born(DateOnly? birth) { _birth = birth; return this; }
    public Chart Weight(decimal kg, double hoursAgo = 2, string? id = null) { _weights.Add(new BodyWeight(HoursAgo(hoursAgo), kg, Id("Observation", id))); return this; }

    // The CAR-T infusion (day 0).

    public Chart Infused(double hoursAgo, string? id = null) { _infusions.Add(new CarTInfusion(HoursAgo(hoursAgo), Id("Procedure", id))); return this; }
    public Chart InfusedDaysAgo(double days, string? id = null) => Infused(Days(days), id);

    // Vital signs and oxygen (CRS).

    public Chart Temperature(decimal celsius, double hoursAgo = 2, string? id = null) { _temps.Add(new TemperatureReading(HoursAgo(hoursAgo), celsius, Id("Observation", id))); return this; }

    /// <summary>Fever of 38.6 °C at 10:00 UTC on each of the last <paramref name="days"/> calendar days, today included.</summary>
    public Chart FeverOnDays(int days)
    {
        var today = new DateTimeOffset(_now.UtcDateTime.Date, TimeSpan.Zero);
        for (var d = 0; d < days; d++) _temps.Add(new TemperatureReading(today.AddDays(-d).AddHours(10), 38.6m, Id("Observation", null)));
        return this;
    }

    public Chart Systolic(decimal mmHg, double hoursAgo = 2, string? id = null) { _sbps.Add(new SystolicPressureReading(HoursAgo(hoursAgo), mmHg, Id("Observation", id))); return this; }
    public Chart HypotensionRecorded(double hoursAgo = 2, string? id = null) { _hypo.Add(new HypotensionRecord(HoursAgo(hoursAgo), Id("Observation", id))); return this; }
    public Chart Device(OxygenDevice device, double hoursAgo = 2, string? id = null) { _devices.Add(new OxygenDeviceReading(HoursAgo(hoursAgo), device, Id("Observation", id))); return this; }
    public Chart Flow(decimal litresPerMinute, double hoursAgo = 2, string? id = null) { _flows.Add(new OxygenFlowReading(HoursAgo(hoursAgo), litresPerMinute, Id("Observation", id))); return this; }

    // Drugs.

    /// <summary>A drug given at one instant, with its dose when <paramref name="mg"/> is given.</summary>
    public Chart Given(Drug drug, double hoursAgo, decimal? mg = null, string? id = null) { _admins.Add(new DrugAdministration(drug, HoursAgo(hoursAgo), null, false, mg, Id("MedicationAdministration", id))); return this; }

    /// <summary>A drug still running (in progress), started <paramref name="startedHoursAgo"/>.</summary>
    public Chart Running(Drug drug, double startedHoursAgo = 3, string? id = null) { _admins.Add(new DrugAdministration(drug, HoursAgo(startedHoursAgo), null, true, null, Id("MedicationAdministration", id))); return this; }

    /// <summary>An infusion of a drug that has stopped.</summary>
    public Chart Infusion(Drug drug, double startedHoursAgo, double endedHoursAgo, string? id = null) { _admins.Add(new DrugAdministration(drug, HoursAgo(startedHoursAgo), HoursAgo(endedHoursAgo), false, null, Id("MedicationAdministration", id))); return this; }

    // Neurological assessment (ICANS).

    public Chart Ice(int score, double hoursAgo = 2, string? id = null) { _ice.Add(new IceScore(HoursAgo(hoursAgo), score, Id("Observation", id))); return this; }
    public Chart Capd(int score, double hoursAgo = 2, string? id = null) { _capd.Add(new CapdScore(HoursAgo(hoursAgo), score, Id("Observation", id))); return this; }
    public Chart Conscious(ConsciousnessLevel level, double hoursAgo = 2, string? id = null) { _levels.Add(new ConsciousnessReading(HoursAgo(hoursAgo), level, Id("Observation", id))); return this; }
    public Chart Seizure(SeizureKind kind = SeizureKind.RapidlyResolving, double hoursAgo = 2, string? id = null) { _seizures.Add(new SeizureEvent(HoursAgo(hoursAgo), kind, Id("Observation", id))); return this; }
    public Chart Motor(double hoursAgo = 2, string? id = null) { _motor.Add(new MotorWeakness(HoursAgo(hoursAgo), Id("Observation", id))); return this; }
    public Chart Oedema(EdemaKind kind, double hoursAgo = 2, string? id = null) { _oedema.Add(new CerebralEdema(HoursAgo(hoursAgo), kind, Id("Observation", id))); return this; }

    // Laboratory.

    /// <summary>A result in the test's canonical unit; <paramref name="uln"/> is the laboratory's upper limit of normal when sent.</summary>
    public Chart Lab(LabTest test, decimal value, double hoursAgo, decimal? uln = null, string? id = null) { _labs.Add(new LabResult(HoursAgo(hoursAgo), test, value, uln, Id("Observation", id))); return this; }

    // Disease history (eligibility, relapse risk).

    public Chart Diagnosis(DiagnosisKind kind, string? id = null, double? onsetDaysAgo = 1000)
    {
        var text = kind switch
        {
            DiagnosisKind.BCellAll => "SNOMED 277571004 B-cell acute lymphoblastic leukaemia",
            DiagnosisKind.AllLineageUnspecified => "ICD-10-CM C91.00 ALL not having achieved remission",
            DiagnosisKind.TCellAll => "T-cell acute lymphoblastic leukaemia",
            _ => "acute myeloid leukaemia",
        };
        _diagnoses.Add(new Diagnosis(kind, onsetDaysAgo is { } d ? DaysAgo(d) : null, text, Id("Condition", id)));
        return this;
    }

    public Chart Status(DiseaseStatus status, double daysAgo, string? id = null) { _status.Add(new DiseaseStatusEvent(DaysAgo(daysAgo), status, Id("Observation", id))); return this; }
    public Chart Cd19(Cd19Status status, double daysAgo, string? id = null) { _cd19.Add(new Cd19Expression(DaysAgo(daysAgo), status, Id("Observation", id))); return this; }
    public Chart Blasts(decimal percent, double daysAgo = 10, string? id = null) { _blasts.Add(new MarrowBlasts(DaysAgo(daysAgo), percent, Id("Observation", id))); return this; }
    public Chart Cns(CnsStatus status, double daysAgo = 10, string? id = null) { _cns.Add(new CnsStatusReading(DaysAgo(daysAgo), status, Id("Observation", id))); return this; }
    public Chart Transplant(DateTimeOffset time, string? id = null) { _sct.Add(new AllogeneicTransplant(time, Id("Procedure", id))); return this; }
    public Chart Gvhd(string? id = null) { _gvhd.Add(new ActiveGvhd(DaysAgo(20), Id("Condition", id))); return this; }
    public Chart PriorCd19(string? id = null) { _priorCd19.Add(new PriorCd19Therapy(DaysAgo(200), "blinatumomab", Id("MedicationAdministration", id))); return this; }
    public Chart Performance(PerformanceScale scale, int score, string? id = null) { _performance.Add(new PerformanceStatus(DaysAgo(5), scale, score, Id("Observation", id))); return this; }
    public Chart DownSyndrome(string? id = null) { _conditions.Add(new NotableCondition(NotableConditionKind.DownSyndrome, Id("Condition", id))); return this; }
    public Chart SeizureDisorder(string? id = null) { _conditions.Add(new NotableCondition(NotableConditionKind.SeizureDisorder, Id("Condition", id))); return this; }

    // Records left out while the facts were built (bad unit, implausible value).

    /// <summary>A record of <paramref name="kind"/> left out, charted <paramref name="hoursAgo"/>.</summary>
    public Chart LeftOut(RecordKind kind, double hoursAgo, string? id = null, string reason = "unit not convertible")
    {
        _excluded.Add(new ExcludedRecord(Id("Observation", id), reason) { Kind = kind, Time = HoursAgo(hoursAgo) });
        return this;
    }

    // Draft orders (order-select, order-sign).

    public Chart Order(DraftOrderKind kind, Drug? drug = null, decimal? mg = null, decimal? mgPerKg = null, string? id = null)
    {
        _orders.Add(new DraftOrder(kind, drug, mg, mgPerKg, $"{kind} {drug}", Id("MedicationRequest", id)));
        return this;
    }

    public ClinicalFacts Build() => new()
    {
        PatientSource = "Patient/p",
        BirthDate = _birth,
        Temperatures = _temps,
        SystolicPressures = _sbps,
        HypotensionRecords = _hypo,
        OxygenDevices = _devices,
        OxygenFlows = _flows,
        Administrations = _admins,
        Infusions = _infusions,
        IceScores = _ice,
        CapdScores = _capd,
        Consciousness = _levels,
        Seizures = _seizures,
        MotorWeakness = _motor,
        CerebralEdema = _oedema,
        Labs = _labs,
        Weights = _weights,
        Diagnoses = _diagnoses,
        DiseaseStatus = _status,
        Cd19Expression = _cd19,
        MarrowBlasts = _blasts,
        CnsStatus = _cns,
        Transplants = _sct,
        ActiveGvhd = _gvhd,
        PriorCd19Therapy = _priorCd19,
        PerformanceStatus = _performance,
        NotableConditions = _conditions,
        DraftOrders = _orders,
        Excluded = _excluded,
    };
}
