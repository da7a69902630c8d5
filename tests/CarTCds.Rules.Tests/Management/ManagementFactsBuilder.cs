using CarTCds.Rules.Crs;
using CarTCds.Rules.Facts;
using CarTCds.Rules.Icans;
using CarTCds.Rules.IecHs;
using CarTCds.Rules.Management;

namespace CarTCds.Rules.Tests.Management;

/// <summary>Builds a chart for management tests (times relative to <see cref="Now"/>, ids given or
/// <c>Type/mN</c>) and runs the real CRS and ICANS grading before <see cref="ManagementAdvice"/>.</summary>
internal sealed class ManagementFactsBuilder
{
    public static readonly DateTimeOffset Now = new(2024, 3, 10, 12, 0, 0, TimeSpan.Zero);

    private readonly List<BodyWeight> _weights = [];
    private readonly List<CarTInfusion> _infusions = [];
    private readonly List<TemperatureReading> _temps = [];
    private readonly List<OxygenDeviceReading> _devices = [];
    private readonly List<DrugAdministration> _admins = [];
    private readonly List<IceScore> _ice = [];
    private readonly List<SeizureEvent> _seizures = [];
    private readonly List<CerebralEdema> _edema = [];
    private readonly List<LabResult> _labs = [];
    private int _n;

    private string Id(string type, string? id) => id ?? $"{type}/m{++_n}";

    /// <summary>A 15-year-old infused 5 days ago (ICE, not CAPD; SBP threshold 90).</summary>
    public static ManagementFactsBuilder Day5() => new ManagementFactsBuilder().Infused(TimeSpan.FromDays(5));

    public ManagementFactsBuilder Infused(TimeSpan ago) { _infusions.Add(new CarTInfusion(Now - ago, "Procedure/infusion")); return this; }
    public ManagementFactsBuilder Weight(decimal kg, string? id = "Observation/weight") { _weights.Add(new BodyWeight(Now.AddHours(-3), kg, Id("Observation", id))); return this; }
    public ManagementFactsBuilder Fever(decimal celsius = 39.2m, double hoursAgo = 2) { _temps.Add(new TemperatureReading(Now.AddHours(-hoursAgo), celsius, Id("Observation", null))); return this; }
    public ManagementFactsBuilder Device(OxygenDevice device, double hoursAgo = 2) { _devices.Add(new OxygenDeviceReading(Now.AddHours(-hoursAgo), device, Id("Observation", null))); return this; }
    public ManagementFactsBuilder Running(Drug drug, double startedHoursAgo = 3) { _admins.Add(new DrugAdministration(drug, Now.AddHours(-startedHoursAgo), null, true, null, Id("MedicationAdministration", null))); return this; }
    public ManagementFactsBuilder Given(Drug drug, TimeSpan ago, decimal? mg = null, string? id = null) { _admins.Add(new DrugAdministration(drug, Now - ago, null, false, mg, Id("MedicationAdministration", id))); return this; }
    public ManagementFactsBuilder Ice(int score, double hoursAgo = 1) { _ice.Add(new IceScore(Now.AddHours(-hoursAgo), score, Id("Observation", null))); return this; }
    public ManagementFactsBuilder Seizure(double hoursAgo = 4, string? id = "Observation/seizure") { _seizures.Add(new SeizureEvent(Now.AddHours(-hoursAgo), SeizureKind.RapidlyResolving, Id("Observation", id))); return this; }
    public ManagementFactsBuilder Oedema(EdemaKind kind, string? id = "Observation/oedema") { _edema.Add(new CerebralEdema(Now.AddHours(-2), kind, Id("Observation", id))); return this; }
    public ManagementFactsBuilder Ferritin(decimal value, TimeSpan ago, string? id = "Observation/ferritin") { _labs.Add(new LabResult(Now - ago, LabTest.Ferritin, value, 400m, Id("Observation", id))); return this; }

    /// <summary>Fever on each of the last <paramref name="days"/> calendar days (today included), at 10:00.</summary>
    public ManagementFactsBuilder FeverOnDays(int days)
    {
        for (var d = 0; d < days; d++) _temps.Add(new TemperatureReading(new DateTimeOffset(Now.UtcDateTime.Date, TimeSpan.Zero).AddDays(-d).AddHours(10), 38.6m, Id("Observation", null)));
        return this;
    }

    public ClinicalFacts Build() => new()
    {
        PatientSource = "Patient/p",
        BirthDate = DateOnly.FromDateTime(Now.UtcDateTime).AddYears(-15).AddDays(-30),
        Weights = _weights,
        Infusions = _infusions,
        Temperatures = _temps,
        OxygenDevices = _devices,
        Administrations = _admins,
        IceScores = _ice,
        Seizures = _seizures,
        CerebralEdema = _edema,
        Labs = _labs,
    };

    /// <summary>Grades CRS and ICANS at <see cref="Now"/> and returns the plan; <paramref name="iecHsFlag"/> stands for a flagged IEC-HS screen.</summary>
    public ManagementPlan Plan(RuleSet? rules = null, bool iecHsFlag = false)
    {
        rules ??= RuleSet.Default;
        var facts = Build();
        var crs = CrsGrading.Assess(facts, Now, rules);
        var course = CrsCourseAnalysis.Analyse(facts, Now, rules);
        var icans = IcansGrading.Assess(facts, Now, rules);
        return ManagementAdvice.Assess(facts, Now, rules, crs, course, icans, iecHsFlag ? Flagged() : null);
    }

    private static IecHsAssessment Flagged()
    {
        var set = new IecHsCriteriaResult(IecHsCriteriaSet.AstctIecHs, true, Now.AddDays(-5), Now, "flag", []);
        return new IecHsAssessment(true, true, [IecHsCriteriaSet.AstctIecHs], set with { Set = IecHsCriteriaSet.CartoxCarHlh, Met = false }, set, [], [], [], [], []);
    }

    public static ManagementAction Action(IReadOnlyList<ManagementAction> actions, string code) =>
        actions.FirstOrDefault(a => a.Code == code) ?? throw new Xunit.Sdk.XunitException($"no '{code}' action in {ManagementPlan.Codes(actions)}");
}
