using CarTCds.Rules.Facts;

namespace CarTCds.Rules.Tests.Icans;

/// <summary>Builds <see cref="ClinicalFacts"/> for ICANS tests, with times relative to
/// <see cref="FactsBuilder.Now"/>. Every record gets the next source id: <c>Observation/r1</c>, <c>r2</c>, …</summary>
internal sealed class NeuroFactsBuilder
{
    public static DateTimeOffset Now => FactsBuilder.Now;

    private readonly List<IceScore> _ice = [];
    private readonly List<CapdScore> _capd = [];
    private readonly List<ConsciousnessReading> _levels = [];
    private readonly List<SeizureEvent> _seizures = [];
    private readonly List<MotorWeakness> _motor = [];
    private readonly List<CerebralEdema> _oedema = [];
    private readonly List<OxygenDeviceReading> _devices = [];
    private DateOnly? _birth = new DateOnly(1998, 3, 2); // 15 years old at Now
    private int _n;

    private string Id() => $"Observation/r{++_n}";

    /// <summary>Exactly <paramref name="years"/> completed years old at <see cref="Now"/> (birthday 30 days ago).</summary>
    public NeuroFactsBuilder Aged(int years) { _birth = DateOnly.FromDateTime(Now.UtcDateTime).AddYears(-years).AddDays(-30); return this; }
    public NeuroFactsBuilder Born(DateOnly? birth) { _birth = birth; return this; }
    public NeuroFactsBuilder Ice(int score, double hoursAgo = 2) { _ice.Add(new IceScore(Now.AddHours(-hoursAgo), score, Id())); return this; }
    public NeuroFactsBuilder Capd(int score, double hoursAgo = 2) { _capd.Add(new CapdScore(Now.AddHours(-hoursAgo), score, Id())); return this; }
    public NeuroFactsBuilder Conscious(ConsciousnessLevel level, double hoursAgo = 2) { _levels.Add(new ConsciousnessReading(Now.AddHours(-hoursAgo), level, Id())); return this; }
    public NeuroFactsBuilder Seizure(SeizureKind kind, double hoursAgo = 2) { _seizures.Add(new SeizureEvent(Now.AddHours(-hoursAgo), kind, Id())); return this; }
    public NeuroFactsBuilder Motor(double hoursAgo = 2) { _motor.Add(new MotorWeakness(Now.AddHours(-hoursAgo), Id())); return this; }
    public NeuroFactsBuilder Oedema(EdemaKind kind, double hoursAgo = 2) { _oedema.Add(new CerebralEdema(Now.AddHours(-hoursAgo), kind, Id())); return this; }
    public NeuroFactsBuilder Device(OxygenDevice device, double hoursAgo = 2) { _devices.Add(new OxygenDeviceReading(Now.AddHours(-hoursAgo), device, Id())); return this; }

    public ClinicalFacts Build() => new()
    {
        PatientSource = "Patient/p",
        BirthDate = _birth,
        IceScores = _ice,
        CapdScores = _capd,
        Consciousness = _levels,
        Seizures = _seizures,
        MotorWeakness = _motor,
        CerebralEdema = _oedema,
        OxygenDevices = _devices,
    };
}
