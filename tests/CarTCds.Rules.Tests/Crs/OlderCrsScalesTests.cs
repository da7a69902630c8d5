using CarTCds.Rules.Crs;
using CarTCds.Rules.Crs.OlderScales;
using CarTCds.Rules.Facts;
using static CarTCds.Rules.Crs.OlderScales.OlderCrsScales;

namespace CarTCds.Rules.Tests.Crs;

public sealed class OlderCrsScalesTests
{
    private static IReadOnlyList<OlderScaleGrade> Grade(Chart b, RuleSet? rules = null)
    {
        var facts = b.Build();
        rules ??= RuleSet.Default;
        return OlderCrsScales.Assess(CrsGrading.Assess(facts, Chart.Now, rules), facts, rules);
    }

    private static OlderScaleGrade Of(IReadOnlyList<OlderScaleGrade> grades, OlderCrsScale scale) => grades.Single(g => g.Scale == scale);

    // Lee 2014 Table 2, Porter 2018 Table 1, CTCAE v5 "Cytokine release syndrome": what each blood-pressure state gives.
    [Theory]
    [InlineData(OlderCrsScale.Lee2014, PressureState.HypotensionWithoutVasopressor, 2, 2)]
    [InlineData(OlderCrsScale.Lee2014, PressureState.OneVasopressor, 2, 3)]
    [InlineData(OlderCrsScale.Lee2014, PressureState.MultipleVasopressors, 3, 3)]
    [InlineData(OlderCrsScale.Penn, PressureState.HypotensionWithoutVasopressor, 1, 3)]
    [InlineData(OlderCrsScale.Penn, PressureState.OneVasopressor, 3, 4)]
    [InlineData(OlderCrsScale.Penn, PressureState.MultipleVasopressors, 3, 4)]
    [InlineData(OlderCrsScale.Ctcae5, PressureState.HypotensionWithoutVasopressor, 2, 2)]
    [InlineData(OlderCrsScale.Ctcae5, PressureState.OneVasopressor, 3, 3)]
    [InlineData(OlderCrsScale.Ctcae5, PressureState.MultipleVasopressors, 4, 4)]
    public void GivenABloodPressureState_WhenBanded_ThenEachScaleGivesItsGradeRange(OlderCrsScale scale, PressureState state, int floor, int ceiling)
    {
        var band = PressureBand(scale, state);

        Assert.NotNull(band);
        Assert.Equal((floor, ceiling), (band!.Floor, band.Ceiling));
        Assert.Equal(floor < ceiling, band.Deciding is not null);
    }

    [Theory]
    [InlineData(OlderCrsScale.Lee2014, OxygenState.LowFlow, false, 2, 3)]
    [InlineData(OlderCrsScale.Lee2014, OxygenState.HighFlowOrMask, false, 2, 3)]
    [InlineData(OlderCrsScale.Lee2014, OxygenState.NonInvasivePositivePressure, false, 2, 3)]
    [InlineData(OlderCrsScale.Lee2014, OxygenState.NonInvasivePositivePressure, true, 4, 4)]
    [InlineData(OlderCrsScale.Lee2014, OxygenState.MechanicalVentilation, false, 4, 4)]
    [InlineData(OlderCrsScale.Penn, OxygenState.LowFlow, false, 3, 3)]
    [InlineData(OlderCrsScale.Penn, OxygenState.HighFlowOrMask, false, 3, 3)]
    [InlineData(OlderCrsScale.Penn, OxygenState.NonInvasivePositivePressure, true, 3, 3)]
    [InlineData(OlderCrsScale.Penn, OxygenState.MechanicalVentilation, false, 4, 4)]
    [InlineData(OlderCrsScale.Ctcae5, OxygenState.LowFlow, false, 2, 3)]
    [InlineData(OlderCrsScale.Ctcae5, OxygenState.HighFlowOrMask, false, 2, 3)]
    [InlineData(OlderCrsScale.Ctcae5, OxygenState.NonInvasivePositivePressure, false, 2, 4)]
    [InlineData(OlderCrsScale.Ctcae5, OxygenState.MechanicalVentilation, false, 4, 4)]
    public void GivenAnOxygenState_WhenBanded_ThenEachScaleGivesItsGradeRange(OlderCrsScale scale, OxygenState state, bool niv, int floor, int ceiling)
    {
        var band = OxygenBand(scale, state, new OlderCrsScaleParameters { Lee2014NonInvasiveVentilationIsVentilatorSupport = niv });

        Assert.NotNull(band);
        Assert.Equal((floor, ceiling), (band!.Floor, band.Ceiling));
        Assert.Equal(floor < ceiling, band.Deciding is not null);
    }

    [Theory]
    [InlineData(37.9, 0)]
    [InlineData(38.0, 1)]
    public void GivenOnlyATemperature_WhenGraded_ThenTheSharedFeverRuleDecidesCrsOnEveryScale(double celsius, int grade)
    {
        var grades = Grade(new Chart().Temperature((decimal)celsius));

        Assert.All(grades, g => Assert.Equal(grade, g.Grade));
        Assert.Equal(grade == 0 ? 0 : 2, Of(grades, OlderCrsScale.Penn).UpperGrade);
        Assert.All(grades, g => Assert.Equal(["Observation/r1"], g.Evidence.Select(e => e.Source)));
        Assert.Equal(grade == 0 ? [] : ["hospitalisation or IV therapy for CRS symptoms (not in the data contract)"], Of(grades, OlderCrsScale.Penn).Missing);
        Assert.Empty(Of(grades, OlderCrsScale.Lee2014).Missing);
    }

    [Theory]
    // Age 15: hypotension is SBP < 90 mmHg (Mahadeo), the same threshold ASTCT uses.
    [InlineData(89, 2, 2, 1, 3, 2, 2)]
    [InlineData(90, 1, 1, 1, 2, 1, 1)]
    public void GivenFeverAndASystolicPressureAtTheThreshold_WhenGraded_ThenOnlyBelowItCountsAsHypotension(int sbp, int lee, int leeUp, int penn, int pennUp, int ctcae, int ctcaeUp)
    {
        var grades = Grade(new Chart().Temperature(39m).Systolic(sbp));

        Assert.Equal((lee, leeUp), (Of(grades, OlderCrsScale.Lee2014).Grade, Of(grades, OlderCrsScale.Lee2014).UpperGrade));
        Assert.Equal((penn, pennUp), (Of(grades, OlderCrsScale.Penn).Grade, Of(grades, OlderCrsScale.Penn).UpperGrade));
        Assert.Equal((ctcae, ctcaeUp), (Of(grades, OlderCrsScale.Ctcae5).Grade, Of(grades, OlderCrsScale.Ctcae5).UpperGrade));
        var expected = sbp < 90 ? new[] { "Observation/r1", "Observation/r2" } : ["Observation/r1"];
        Assert.All(grades, g => Assert.Equal(expected, g.Evidence.Select(e => e.Source).Order()));
    }

    [Fact]
    public void GivenSeedPatient1sDay5_FeverNorepinephrineAndBiPap_WhenGraded_ThenAstct4AndTheOlderScalesShowWhatTheSeedsGrade3DependsOn()
    {
        var b = new Chart().Temperature(39.5m).Running(Drug.Norepinephrine).Device(OxygenDevice.Bipap);

        var grades = Grade(b);

        Assert.Equal(4, CrsGrading.Assess(b.Build(), Chart.Now, RuleSet.Default).Grade);
        var lee = Of(grades, OlderCrsScale.Lee2014);
        Assert.Equal("2–3", lee.Text);
        Assert.Equal("2-3", lee.RangeValue);
        Assert.Contains(lee.Missing, m => m.StartsWith("vasopressor infusion rate", StringComparison.Ordinal));
        Assert.Contains(lee.Missing, m => m.StartsWith("FiO₂", StringComparison.Ordinal));
        Assert.Equal("3–4", Of(grades, OlderCrsScale.Penn).Text);
        Assert.Equal(["vasopressor infusion rate (\"high-dose\" is defined by rate; the data contract records no rate)"], Of(grades, OlderCrsScale.Penn).Missing);
        Assert.Equal("3–4", Of(grades, OlderCrsScale.Ctcae5).Text);
        Assert.All(grades, g => Assert.Equal(["MedicationAdministration/r2", "Observation/r1", "Observation/r3"], g.Evidence.Select(e => e.Source).Order()));
    }

    [Fact]
    public void GivenBiPapAndARuleSetThatReadsNonInvasiveVentilationAsVentilatorSupport_WhenGraded_ThenLee2014Is4()
    {
        var rules = new RuleSet { Version = "1.0.0-niv", OlderCrsScales = new OlderCrsScaleParameters { Lee2014NonInvasiveVentilationIsVentilatorSupport = true } };

        var lee = Of(Grade(new Chart().Temperature(39.5m).Device(OxygenDevice.Bipap), rules), OlderCrsScale.Lee2014);

        Assert.Equal((4, 4), (lee.Grade, lee.UpperGrade));
        Assert.Empty(lee.Missing);
        Assert.Null(lee.RangeValue);
    }

    [Fact]
    public void GivenMechanicalVentilation_WhenGraded_ThenEveryScaleSays4WithTheVentilationRecordAsEvidence()
    {
        var grades = Grade(new Chart().Temperature(39m).Device(OxygenDevice.MechanicalVentilation));

        Assert.All(grades, g => Assert.Equal((4, 4), (g.Grade, g.UpperGrade)));
        Assert.All(grades, g => Assert.Contains(g.Evidence, e => e.Source == "Observation/r2" && e.Description == "mechanical ventilation"));
    }

    [Fact]
    public void GivenTwoConcurrentVasopressors_WhenGraded_ThenLeeIs3PennIs3To4AndCtcaeIs4()
    {
        var grades = Grade(new Chart().Temperature(39m).Running(Drug.Norepinephrine).Running(Drug.Epinephrine));

        Assert.Equal("3", Of(grades, OlderCrsScale.Lee2014).Text);
        Assert.Equal("3–4", Of(grades, OlderCrsScale.Penn).Text);
        Assert.Equal("4", Of(grades, OlderCrsScale.Ctcae5).Text);
    }

    [Fact]
    public void GivenTwoVasopressorsAndNasalCannula_WhenGraded_ThenLee2014Is3AndTheUnrecordedFio2IsNotAskedForBecauseItCannotRaiseIt()
    {
        var lee = Of(Grade(new Chart().Temperature(39m).Running(Drug.Norepinephrine).Running(Drug.Epinephrine).Device(OxygenDevice.NasalCannula)), OlderCrsScale.Lee2014);

        Assert.Equal((3, 3), (lee.Grade, lee.UpperGrade));
        Assert.Empty(lee.Missing);
        Assert.Equal(3, lee.Readings.Count);
    }

    [Fact]
    public void GivenNoTemperatureButBiPap_WhenGraded_ThenEveryScaleIsNotGradableAndSaysWhatIsMissing()
    {
        var grades = Grade(new Chart().Device(OxygenDevice.Bipap));

        Assert.All(grades, g => Assert.Null(g.Grade));
        Assert.All(grades, g => Assert.Equal("not-gradable", g.RangeValue));
        Assert.All(grades, g => Assert.Contains(g.Missing, m => m.StartsWith("body temperature", StringComparison.Ordinal)));
    }

    [Fact]
    public void GivenAfebrileAfterTocilizumabOnLowFlowOxygen_WhenGraded_ThenTheMaskedFeverAddsNoFeverBand()
    {
        // One episode: fever 26 h ago, tocilizumab 25 h ago, nasal cannula since; the last 24 h afebrile.
        var b = new Chart().Infused(120).Temperature(39m, hoursAgo: 26).Given(Drug.Tocilizumab, hoursAgo: 25)
            .Device(OxygenDevice.NasalCannula, hoursAgo: 20).Device(OxygenDevice.NasalCannula, hoursAgo: 10)
            .Temperature(37.2m).Device(OxygenDevice.NasalCannula).Flow(2m);

        var grades = Grade(b);

        // Penn: oxygen alone sets 3; the fever band (1–2, hospitalisation) is not there to ask about.
        var penn = Of(grades, OlderCrsScale.Penn);
        Assert.Equal((3, 3), (penn.Grade, penn.UpperGrade));
        Assert.Empty(penn.Missing);
        Assert.DoesNotContain(penn.Readings, r => r.StartsWith("fever", StringComparison.Ordinal));
    }

    [Fact]
    public void GivenAfebrileAfterTocilizumabWithHypotensionOnly_WhenGraded_ThenTheMaskedFeverAddsNoFeverBand()
    {
        // Fever 26 h ago, tocilizumab 25 h ago, SBP 85 20 h ago and 80 2 h ago (< 90 at 15 y); the last 24 h afebrile, no oxygen.
        var b = new Chart().Infused(120).Temperature(39m, hoursAgo: 26).Given(Drug.Tocilizumab, hoursAgo: 25, id: "MedicationAdministration/toci")
            .Systolic(85m, hoursAgo: 20, id: "Observation/sbp-1").Systolic(80m, hoursAgo: 2, id: "Observation/sbp").Temperature(37.2m, id: "Observation/t");

        var grades = Grade(b);

        var penn = Of(grades, OlderCrsScale.Penn);
        Assert.Equal(["MedicationAdministration/toci", "Observation/sbp", "Observation/t"], penn.Evidence.Select(e => e.Source).Order(StringComparer.Ordinal));
        Assert.All(grades, g => Assert.DoesNotContain(g.Readings, r => r.StartsWith("fever", StringComparison.Ordinal)));
        Assert.All(grades, g => Assert.Single(g.Readings));
    }

    // Fever, BiPAP 2 h ago (ASTCT 4) and a mechanical-ventilation reading at the given time: only one
    // inside the window (now − 24 h, now] makes it mechanical ventilation (every scale 4, with that record).
    [Theory]
    [InlineData(24.0, false)]
    [InlineData(24 - (1 / 60.0), true)]
    [InlineData(0.0, true)]
    [InlineData(-1 / 60.0, false)]
    public void GivenBiPapAndAVentilationReadingAtTheWindowEdges_WhenGraded_ThenOnlyOneInsideTheWindowIsMechanicalVentilation(double hoursAgo, bool ventilated)
    {
        var b = new Chart().Temperature(39m, 1, "Observation/t").Device(OxygenDevice.Bipap, 2, "Observation/bipap").Device(OxygenDevice.MechanicalVentilation, hoursAgo, "Observation/mv");

        var grades = Grade(b);

        Assert.Equal(ventilated ? OxygenState.MechanicalVentilation : OxygenState.NonInvasivePositivePressure,
            OxygenOf(CrsGrading.Assess(b.Build(), Chart.Now, RuleSet.Default), b.Build()));
        Assert.All(grades, g => Assert.Equal(ventilated, g.Evidence.Any(e => e.Source == "Observation/mv" && e.Description == "mechanical ventilation")));
        Assert.Equal(ventilated ? "4" : "2–3", Of(grades, OlderCrsScale.Lee2014).Text);
    }
}
