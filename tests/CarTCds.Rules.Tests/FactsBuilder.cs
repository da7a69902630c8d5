using CarTCds.Rules.Facts;

namespace CarTCds.Rules.Tests;

/// <summary>Builds <see cref="ClinicalFacts"/> for rule tests, with times relative to <see cref="Now"/>.</summary>
internal sealed class FactsBuilder
{
    public static readonly DateTimeOffset Now = new(2013, 5, 19, 12, 0, 0, TimeSpan.Zero);

    private readonly List<TemperatureReading> _temps = [];
    private readonly List<SystolicPressureReading> _sbps = [];
    private readonly List<HypotensionRecord> _hypo = [];
    private readonly List<OxygenDeviceReading> _devices = [];
    private readonly List<OxygenFlowReading> _flows = [];
    private readonly List<DrugAdministration> _admins = [];
    private readonly List<CarTInfusion> _infusions = [];
    private DateOnly? _birth = new DateOnly(1998, 3, 2);
    private int _n;

    private string Id(string type) => $"{type}/r{++_n}";

    public FactsBuilder BornYearsAgo(int years) { _birth = DateOnly.FromDateTime(Now.UtcDateTime).AddYears(-years).AddDays(-30); return this; }
    public FactsBuilder Born(DateOnly? birth) { _birth = birth; return this; }
    public FactsBuilder Infused(double hoursAgo) { _infusions.Add(new CarTInfusion(Now.AddHours(-hoursAgo), Id("Procedure"))); return this; }
    public FactsBuilder Temperature(decimal celsius, double hoursAgo = 2) { _temps.Add(new TemperatureReading(Now.AddHours(-hoursAgo), celsius, Id("Observation"))); return this; }
    public FactsBuilder Systolic(decimal mmHg, double hoursAgo = 2) { _sbps.Add(new SystolicPressureReading(Now.AddHours(-hoursAgo), mmHg, Id("Observation"))); return this; }
    public FactsBuilder HypotensionRecorded(double hoursAgo = 2) { _hypo.Add(new HypotensionRecord(Now.AddHours(-hoursAgo), Id("Observation"))); return this; }
    public FactsBuilder Device(OxygenDevice device, double hoursAgo = 2) { _devices.Add(new OxygenDeviceReading(Now.AddHours(-hoursAgo), device, Id("Observation"))); return this; }
    public FactsBuilder Flow(decimal lpm, double hoursAgo = 2) { _flows.Add(new OxygenFlowReading(Now.AddHours(-hoursAgo), lpm, Id("Observation"))); return this; }

    public FactsBuilder Running(Drug drug, double startedHoursAgo = 3) { _admins.Add(new DrugAdministration(drug, Now.AddHours(-startedHoursAgo), null, true, null, Id("MedicationAdministration"))); return this; }
    public FactsBuilder Infusion(Drug drug, double startedHoursAgo, double endedHoursAgo) { _admins.Add(new DrugAdministration(drug, Now.AddHours(-startedHoursAgo), Now.AddHours(-endedHoursAgo), false, null, Id("MedicationAdministration"))); return this; }
    public FactsBuilder Given(Drug drug, double hoursAgo) { _admins.Add(new DrugAdministration(drug, Now.AddHours(-hoursAgo), null, false, null, Id("MedicationAdministration"))); return this; }

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
    };

    /// <summary>The source reference of the n-th record created (1-based).</summary>
    public static string Ref(string type, int n) => $"{type}/r{n}";
}
