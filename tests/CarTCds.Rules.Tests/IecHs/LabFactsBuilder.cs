using CarTCds.Rules.Facts;

namespace CarTCds.Rules.Tests.IecHs;

/// <summary>Builds <see cref="ClinicalFacts"/> for carHLH / IEC-HS tests, with times relative to
/// <see cref="FactsBuilder.Now"/>. Every record gets the next source id: <c>Procedure/r1</c>,
/// <c>Observation/r2</c>, … (one counter for all types).</summary>
internal sealed class LabFactsBuilder
{
    public static DateTimeOffset Now => FactsBuilder.Now;

    private readonly List<LabResult> _labs = [];
    private readonly List<CarTInfusion> _infusions = [];
    private int _n;

    public LabFactsBuilder Infused(double hoursAgo) { _infusions.Add(new CarTInfusion(Now.AddHours(-hoursAgo), $"Procedure/r{++_n}")); return this; }

    /// <summary>A result <paramref name="hoursAgo"/> before Now; <paramref name="uln"/> is the laboratory's upper limit when sent.</summary>
    public LabFactsBuilder Lab(LabTest test, decimal value, double hoursAgo, decimal? uln = null)
    {
        _labs.Add(new LabResult(Now.AddHours(-hoursAgo), test, value, uln, $"Observation/r{++_n}"));
        return this;
    }

    public ClinicalFacts Build() => new()
    {
        PatientSource = "Patient/p",
        BirthDate = new DateOnly(2007, 10, 2),
        Labs = _labs,
        Infusions = _infusions,
    };
}
