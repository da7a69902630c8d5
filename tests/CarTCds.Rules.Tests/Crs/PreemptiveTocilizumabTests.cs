using CarTCds.Rules.Facts;
using CarTCds.Rules.Crs;

namespace CarTCds.Rules.Tests.Crs;

public sealed class PreemptiveTocilizumabTests
{
    private static readonly RuleSet On = new() { Version = "1.0.0-chop", PreemptiveTocilizumab = new PreemptiveTocilizumabParameters { Enabled = true } };

    private static PreemptiveTocilizumabAssessment? Assess(Chart b, RuleSet? rules = null) =>
        PreemptiveTocilizumab.Assess(b.Build(), Chart.Now, rules ?? On);

    [Fact]
    public void GivenTheDefaultRuleSet_WhenAHighBurdenPatientHasTheTrigger_ThenNothingIsSaid()
    {
        var b = new Chart().Infused(72).Blasts(80, daysAgo: 5).Temperature(39m, 10).Temperature(39m, 2);

        Assert.Null(PreemptiveTocilizumab.Assess(b.Build(), Chart.Now, RuleSet.Default));
    }

    // Kadauke 2021: high burden is ≥ 40 % marrow blasts before infusion.
    [Theory]
    [InlineData(39.9, PreemptiveState.LowBurden)]
    [InlineData(40.0, PreemptiveState.HighBurdenWatch)]
    public void GivenMarrowBlastsBeforeInfusion_WhenAssessed_Then40PercentIsHighBurden(double percent, PreemptiveState expected)
    {
        var a = Assess(new Chart().Infused(72).Blasts((decimal)percent, daysAgo: 5, id: "Observation/marrow"));

        Assert.Equal(expected, a!.State);
        Assert.Equal(["Observation/marrow"], a.Evidence.Select(e => e.Source));
        Assert.Contains($"marrow blasts {(decimal)percent:0.##} % on", a.Text, StringComparison.Ordinal);
    }

    // Kadauke 2021: two temperatures ≥ 38.5 °C within 24 h.
    [Theory]
    [InlineData(38.5, 24.0, PreemptiveState.HighBurdenDoseDue)]
    [InlineData(38.4, 24.0, PreemptiveState.HighBurdenWatch)]
    [InlineData(38.5, 24.1, PreemptiveState.HighBurdenWatch)]
    public void GivenHighBurden_WhenTwoFeversFallAroundTheTrigger_ThenTheDoseIsDueOnlyAtTwoWithin24Hours(double celsius, double hoursApart, PreemptiveState expected)
    {
        var b = new Chart().Infused(72).Blasts(80, daysAgo: 5, id: "Observation/marrow")
            .Temperature((decimal)celsius, hoursAgo: 1 + hoursApart, id: "Observation/t1").Temperature(39m, hoursAgo: 1, id: "Observation/t2");

        var a = Assess(b)!;

        Assert.Equal(expected, a.State);
        Assert.Equal(expected == PreemptiveState.HighBurdenDoseDue ? ["Observation/marrow", "Observation/t1", "Observation/t2"] : ["Observation/marrow"], a.Evidence.Select(e => e.Source));
    }

    [Fact]
    public void GivenHighBurdenAndTocilizumabAlreadyGiven_WhenAssessed_ThenTheSingleDoseIsUsed()
    {
        var a = Assess(new Chart().Infused(72).Blasts(80, daysAgo: 5).Temperature(39m, 10).Temperature(39m, 2).Given(Drug.Tocilizumab, 1, id: "MedicationAdministration/toci"))!;

        Assert.Equal(PreemptiveState.HighBurdenDoseGiven, a.State);
        Assert.Contains(a.Evidence, e => e.Source == "MedicationAdministration/toci");
    }

    [Theory]
    [InlineData(0.0, PreemptiveState.HighBurdenWatch)]
    [InlineData(1.0, PreemptiveState.NoBurdenOnRecord)]
    public void GivenAMarrowResultAt30DaysBeforeInfusion_WhenOneMinuteOlder_ThenNoBurdenIsOnRecord(double minutesOlder, PreemptiveState expected)
    {
        // Infusion 3 days ago; the result exactly 30 days before it counts, a minute earlier does not.
        var a = Assess(new Chart().Infused(72).Blasts(80, daysAgo: 33 + (minutesOlder / 1440)))!;

        Assert.Equal(expected, a.State);
        if (expected == PreemptiveState.NoBurdenOnRecord) Assert.Contains("tumour burden unknown", a.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void GivenAMarrowResultAfterInfusion_WhenAssessed_ThenItIsNotTheBurdenBeforeInfusion()
    {
        Assert.Equal(PreemptiveState.NoBurdenOnRecord, Assess(new Chart().Infused(72).Blasts(80, daysAgo: 1))!.State);
    }

    [Fact]
    public void GivenATriggerBelow38_WhenValidated_ThenTheRuleSetSaysSo()
    {
        var rules = new RuleSet { PreemptiveTocilizumab = new PreemptiveTocilizumabParameters { TriggerFeverCelsius = 37.5m } };

        Assert.Contains("PreemptiveTocilizumab.TriggerFeverCelsius must be between 38 and 41 °C (was 37.5).", rules.Validate());
    }
}
