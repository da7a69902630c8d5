using CarTCds.Rules.Facts;
using CarTCds.Rules.Monitoring;

namespace CarTCds.Rules.Tests.Monitoring;

/// <summary>Builds <see cref="ClinicalFacts"/> for monitoring tests, with times relative to
/// <see cref="Now"/>. Every record gets the FHIR reference passed as <c>id</c>, or
/// <c>Type/mN</c> numbered in creation order.</summary>
internal sealed class MonitoringFactsBuilder
{
    public static readonly DateTimeOffset Now = FactsBuilder.Now;

    private readonly List<CarTInfusion> _infusions = [];
    private readonly List<IceScore> _ice = [];
    private readonly List<CapdScore> _capd = [];
    private readonly List<SeizureEvent> _seizures = [];
    private readonly List<CnsStatusReading> _cns = [];
    private readonly List<NotableCondition> _conditions = [];
    private readonly List<DrugAdministration> _admins = [];
    private readonly List<BodyWeight> _weights = [];
    private readonly List<LabResult> _labs = [];
    private readonly List<DiseaseStatusEvent> _status = [];
    private readonly List<Cd19Expression> _cd19 = [];
    private readonly List<OxygenDeviceReading> _devices = [];
    private DateOnly? _birth = DateOnly.FromDateTime(Now.UtcDateTime).AddYears(-15).AddDays(-30);
    private int _n;

    private string Id(string type, string? id) => id ?? $"{type}/m{++_n}";

    private static DateTimeOffset HoursAgo(double h) => Now.AddHours(-h);

    public MonitoringFactsBuilder AgedYears(int years) { _birth = DateOnly.FromDateTime(Now.UtcDateTime).AddYears(-years).AddDays(-30); return this; }
    public MonitoringFactsBuilder Born(DateOnly? birth) { _birth = birth; return this; }

    public MonitoringFactsBuilder InfusedDaysAgo(double days, string? id = null) { _infusions.Add(new CarTInfusion(Now.AddDays(-days), Id("Procedure", id))); return this; }
    public MonitoringFactsBuilder InfusedHoursAgo(double hours, string? id = null) { _infusions.Add(new CarTInfusion(HoursAgo(hours), Id("Procedure", id))); return this; }

    public MonitoringFactsBuilder Ice(int score, double hoursAgo, string? id = null) { _ice.Add(new IceScore(HoursAgo(hoursAgo), score, Id("Observation", id))); return this; }
    public MonitoringFactsBuilder Capd(int score, double hoursAgo, string? id = null) { _capd.Add(new CapdScore(HoursAgo(hoursAgo), score, Id("Observation", id))); return this; }

    public MonitoringFactsBuilder Cns(CnsStatus status, double daysAgo, string? id = null) { _cns.Add(new CnsStatusReading(Now.AddDays(-daysAgo), status, Id("Observation", id))); return this; }
    public MonitoringFactsBuilder SeizureDisorder(string? id = null) { _conditions.Add(new NotableCondition(NotableConditionKind.SeizureDisorder, Id("Condition", id))); return this; }
    public MonitoringFactsBuilder Seizure(double daysAgo, string? id = null) { _seizures.Add(new SeizureEvent(Now.AddDays(-daysAgo), SeizureKind.RapidlyResolving, Id("Observation", id))); return this; }

    public MonitoringFactsBuilder LevetiracetamGiven(double hoursAgo, string? id = null) { _admins.Add(new DrugAdministration(Drug.Levetiracetam, HoursAgo(hoursAgo), null, false, 250m, Id("MedicationAdministration", id))); return this; }
    public MonitoringFactsBuilder LevetiracetamRunning(double startedHoursAgo, string? id = null) { _admins.Add(new DrugAdministration(Drug.Levetiracetam, HoursAgo(startedHoursAgo), null, true, null, Id("MedicationAdministration", id))); return this; }

    public MonitoringFactsBuilder Weight(decimal kg, double daysAgo = 1, string? id = null) { _weights.Add(new BodyWeight(Now.AddDays(-daysAgo), kg, Id("Observation", id))); return this; }

    public MonitoringFactsBuilder Lab(LabTest test, decimal value, double daysAgo, string? id = null) { _labs.Add(new LabResult(Now.AddDays(-daysAgo), test, value, null, Id("Observation", id))); return this; }
    public MonitoringFactsBuilder Status(DiseaseStatus status, double daysAgo, string? id = null) { _status.Add(new DiseaseStatusEvent(Now.AddDays(-daysAgo), status, Id("Observation", id))); return this; }
    public MonitoringFactsBuilder Device(OxygenDevice device, double hoursAgo, string? id = null) { _devices.Add(new OxygenDeviceReading(HoursAgo(hoursAgo), device, Id("Observation", id))); return this; }
    public MonitoringFactsBuilder Cd19(Cd19Status status, double daysAgo, string? id = null) { _cd19.Add(new Cd19Expression(Now.AddDays(-daysAgo), status, Id("Observation", id))); return this; }

    public ClinicalFacts Build() => new()
    {
        PatientSource = "Patient/p",
        BirthDate = _birth,
        Infusions = _infusions,
        IceScores = _ice,
        CapdScores = _capd,
        Seizures = _seizures,
        CnsStatus = _cns,
        NotableConditions = _conditions,
        Administrations = _admins,
        Weights = _weights,
        Labs = _labs,
        DiseaseStatus = _status,
        Cd19Expression = _cd19,
        OxygenDevices = _devices,
    };

    public MonitoringAssessment Assess(RuleSet? rules = null) => MonitoringAdvice.Assess(Build(), Now, rules ?? RuleSet.Default);
}

internal static class MonitoringAssert
{
    /// <summary>The single item with <paramref name="code"/>, checked for the shape every item must have.</summary>
    public static MonitoringItem Item(MonitoringAssessment a, string code)
    {
        var item = Assert.Single(a.Items, i => i.Code == code);
        Assert.InRange(item.Summary.Length, 1, 139);
        Assert.DoesNotContain('\n', item.Summary);
        Assert.False(string.IsNullOrWhiteSpace(item.Detail));
        Assert.False(string.IsNullOrWhiteSpace(item.Source.Citation));
        Assert.NotEmpty(item.Evidence);
        Assert.All(item.Evidence, e => Assert.Contains('/', e.Source));
        return item;
    }

    public static void NoItem(MonitoringAssessment a, string code) => Assert.DoesNotContain(a.Items, i => i.Code == code);

    /// <summary>The evidence sources, sorted (order-independent comparison).</summary>
    public static string[] Sources(MonitoringItem item) => item.Evidence.Select(e => e.Source).Order(StringComparer.Ordinal).ToArray();
}
