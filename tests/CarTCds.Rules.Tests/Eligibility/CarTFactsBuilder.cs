using CarTCds.Rules.Facts;

namespace CarTCds.Rules.Tests;

/// <summary>Builds <see cref="ClinicalFacts"/> for eligibility and order-check tests. Times are
/// relative to <see cref="Now"/>; every record gets the id given, else <c>Type/nN</c> in creation order.</summary>
internal sealed class CarTFactsBuilder
{
    public static readonly DateTimeOffset Now = new(2026, 5, 19, 12, 0, 0, TimeSpan.Zero);

    private DateOnly? _birth = new DateOnly(2016, 1, 10);
    private readonly List<Diagnosis> _diagnoses = [];
    private readonly List<DiseaseStatusEvent> _status = [];
    private readonly List<Cd19Expression> _cd19 = [];
    private readonly List<MarrowBlasts> _blasts = [];
    private readonly List<CnsStatusReading> _cns = [];
    private readonly List<AllogeneicTransplant> _sct = [];
    private readonly List<ActiveGvhd> _gvhd = [];
    private readonly List<PriorCd19Therapy> _priorCd19 = [];
    private readonly List<PerformanceStatus> _performance = [];
    private readonly List<NotableCondition> _notable = [];
    private readonly List<BodyWeight> _weights = [];
    private readonly List<CarTInfusion> _infusions = [];
    private readonly List<DrugAdministration> _admins = [];
    private readonly List<TemperatureReading> _temps = [];
    private readonly List<OxygenDeviceReading> _devices = [];
    private readonly List<DraftOrder> _orders = [];
    private int _n;

    private string Id(string type, string? id) => id ?? $"{type}/n{++_n}";

    public CarTFactsBuilder Born(DateOnly? birth) { _birth = birth; return this; }

    /// <summary>B-cell ALL (SNOMED 277571004) diagnosed in 2018 and two relapses (2020, 2023):
    /// eligible at age 10, and at any evaluation date from 2023-01-25 on.</summary>
    public static CarTFactsBuilder EligibleBAll() => new CarTFactsBuilder()
        .Diagnosis(DiagnosisKind.BCellAll, "Condition/b-all", onsetDaysAgo: 3000)
        .Status(DiseaseStatus.Relapse, 2000, "Observation/relapse-1")
        .Status(DiseaseStatus.Remission, 1900, "Observation/cr2")
        .Status(DiseaseStatus.Relapse, 1210, "Observation/relapse-2");

    public CarTFactsBuilder Diagnosis(DiagnosisKind kind, string? id = null, double? onsetDaysAgo = 1000)
    {
        var text = kind switch
        {
            DiagnosisKind.BCellAll => "SNOMED 277571004 B-cell acute lymphoblastic leukaemia",
            DiagnosisKind.AllLineageUnspecified => "ICD-10-CM C91.00 ALL not having achieved remission",
            DiagnosisKind.TCellAll => "T-cell acute lymphoblastic leukaemia",
            _ => "acute myeloid leukaemia",
        };
        _diagnoses.Add(new Diagnosis(kind, onsetDaysAgo is { } d ? Now.AddDays(-d) : null, text, Id("Condition", id)));
        return this;
    }

    public CarTFactsBuilder Status(DiseaseStatus status, double daysAgo, string? id = null) { _status.Add(new DiseaseStatusEvent(Now.AddDays(-daysAgo), status, Id("Observation", id))); return this; }
    public CarTFactsBuilder Cd19(Cd19Status status, double daysAgo, string? id = null) { _cd19.Add(new Cd19Expression(Now.AddDays(-daysAgo), status, Id("Observation", id))); return this; }
    public CarTFactsBuilder Blasts(decimal percent, double daysAgo = 10, string? id = null) { _blasts.Add(new MarrowBlasts(Now.AddDays(-daysAgo), percent, Id("Observation", id))); return this; }
    public CarTFactsBuilder Cns(CnsStatus status, double daysAgo = 10, string? id = null) { _cns.Add(new CnsStatusReading(Now.AddDays(-daysAgo), status, Id("Observation", id))); return this; }
    public CarTFactsBuilder Transplant(DateTimeOffset time, string? id = null) { _sct.Add(new AllogeneicTransplant(time, Id("Procedure", id))); return this; }
    public CarTFactsBuilder Gvhd(string? id = null) { _gvhd.Add(new ActiveGvhd(Now.AddDays(-20), Id("Condition", id))); return this; }
    public CarTFactsBuilder PriorCd19(string? id = null) { _priorCd19.Add(new PriorCd19Therapy(Now.AddDays(-200), "blinatumomab", Id("MedicationAdministration", id))); return this; }
    public CarTFactsBuilder Performance(PerformanceScale scale, int score, string? id = null) { _performance.Add(new PerformanceStatus(Now.AddDays(-5), scale, score, Id("Observation", id))); return this; }
    public CarTFactsBuilder DownSyndrome(string? id = null) { _notable.Add(new NotableCondition(NotableConditionKind.DownSyndrome, Id("Condition", id))); return this; }

    public CarTFactsBuilder Weight(decimal kg, double hoursAgo = 2, string? id = null) { _weights.Add(new BodyWeight(Now.AddHours(-hoursAgo), kg, Id("Observation", id))); return this; }
    public CarTFactsBuilder Infused(double hoursAgo, string? id = "Procedure/cart-infusion") { _infusions.Add(new CarTInfusion(Now.AddHours(-hoursAgo), Id("Procedure", id))); return this; }
    public CarTFactsBuilder Tocilizumab(TimeSpan ago, decimal? mg = null, string? id = null) { _admins.Add(new DrugAdministration(Drug.Tocilizumab, Now - ago, null, false, mg, Id("MedicationAdministration", id))); return this; }
    public CarTFactsBuilder Tocilizumab(double hoursAgo, decimal? mg = null, string? id = null) => Tocilizumab(TimeSpan.FromHours(hoursAgo), mg, id);
    public CarTFactsBuilder Running(Drug drug, double startedHoursAgo = 3, string? id = null) { _admins.Add(new DrugAdministration(drug, Now.AddHours(-startedHoursAgo), null, true, null, Id("MedicationAdministration", id))); return this; }
    public CarTFactsBuilder Temperature(decimal celsius, double hoursAgo = 2, string? id = null) { _temps.Add(new TemperatureReading(Now.AddHours(-hoursAgo), celsius, Id("Observation", id))); return this; }
    public CarTFactsBuilder Device(OxygenDevice device, double hoursAgo = 2, string? id = null) { _devices.Add(new OxygenDeviceReading(Now.AddHours(-hoursAgo), device, Id("Observation", id))); return this; }

    public CarTFactsBuilder Order(DraftOrderKind kind, Drug? drug = null, decimal? mg = null, decimal? mgPerKg = null, string? id = null)
    {
        _orders.Add(new DraftOrder(kind, drug, mg, mgPerKg, $"{kind} {drug}", Id("MedicationRequest", id)));
        return this;
    }

    public ClinicalFacts Build() => new()
    {
        PatientSource = "Patient/p",
        BirthDate = _birth,
        Diagnoses = _diagnoses,
        DiseaseStatus = _status,
        Cd19Expression = _cd19,
        MarrowBlasts = _blasts,
        CnsStatus = _cns,
        Transplants = _sct,
        ActiveGvhd = _gvhd,
        PriorCd19Therapy = _priorCd19,
        PerformanceStatus = _performance,
        NotableConditions = _notable,
        Weights = _weights,
        Infusions = _infusions,
        Administrations = _admins,
        Temperatures = _temps,
        OxygenDevices = _devices,
        DraftOrders = _orders,
    };
}
