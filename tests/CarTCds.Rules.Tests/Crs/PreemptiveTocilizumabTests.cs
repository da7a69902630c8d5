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

    // Infusion 72 h ago: a marrow result at the infusion instant is the burden "before infusion";
    // one a minute after it is not.
    [Theory]
    [InlineData(0.0, PreemptiveState.HighBurdenWatch)]
    [InlineData(1.0, PreemptiveState.NoBurdenOnRecord)]
    public void GivenAMarrowResultAtTheInfusionInstant_WhenOneMinuteLater_ThenItIsNoLongerBeforeInfusion(double minutesAfterInfusion, PreemptiveState expected)
    {
        var a = Assess(new Chart().Infused(72).Blasts(80, daysAgo: 3 - (minutesAfterInfusion / 1440), id: "Observation/marrow"))!;

        Assert.Equal(expected, a.State);
        Assert.Equal(expected == PreemptiveState.HighBurdenWatch ? ["Observation/marrow"] : [], a.Evidence.Select(e => e.Source));
    }

    // High burden, infusion 72 h ago, the trigger met (39 °C 10 h and 2 h ago), and a drug at the given
    // time: only tocilizumab from the infusion instant up to now uses the protocol's single dose.
    [Theory]
    [InlineData(Drug.Tocilizumab, 72 + (1 / 60.0), PreemptiveState.HighBurdenDoseDue)]
    [InlineData(Drug.Tocilizumab, 72.0, PreemptiveState.HighBurdenDoseGiven)]
    [InlineData(Drug.Tocilizumab, 0.0, PreemptiveState.HighBurdenDoseGiven)]
    [InlineData(Drug.Tocilizumab, -1 / 60.0, PreemptiveState.HighBurdenDoseDue)]
    [InlineData(Drug.Dexamethasone, 1.0, PreemptiveState.HighBurdenDoseDue)]
    public void GivenHighBurdenAndTheTrigger_WhenADrugWasGivenAroundTheInfusionOrNow_ThenOnlyTocilizumabSinceTheInfusionUsesTheDose(Drug drug, double hoursAgo, PreemptiveState expected)
    {
        var b = new Chart().Infused(72).Blasts(80, daysAgo: 5, id: "Observation/marrow").Temperature(39m, 10, "Observation/t1").Temperature(39m, 2, "Observation/t2")
            .Given(drug, hoursAgo, id: "MedicationAdministration/drug");

        var a = Assess(b)!;

        Assert.Equal(expected, a.State);
        Assert.Equal(expected == PreemptiveState.HighBurdenDoseGiven ? ["Observation/marrow", "MedicationAdministration/drug"] : ["Observation/marrow", "Observation/t1", "Observation/t2"],
            a.Evidence.Select(e => e.Source));
    }

    // High burden, infusion 72 h ago: two temperatures of 39 °C within 24 h, the first or the second
    // moved to an edge. A fever at the infusion instant or after now does not count toward the trigger.
    [Theory]
    [InlineData(72.0, 60.0, PreemptiveState.HighBurdenWatch)]
    [InlineData(72 - (1 / 60.0), 60.0, PreemptiveState.HighBurdenDoseDue)]
    [InlineData(10.0, 0.0, PreemptiveState.HighBurdenDoseDue)]
    [InlineData(10.0, -1 / 60.0, PreemptiveState.HighBurdenWatch)]
    public void GivenHighBurden_WhenTheTriggerFeversAreAtTheInfusionOrNow_ThenOnlyFeversAfterTheInfusionAndUpToNowCount(double firstHoursAgo, double secondHoursAgo, PreemptiveState expected)
    {
        var b = new Chart().Infused(72).Blasts(80, daysAgo: 5, id: "Observation/marrow")
            .Temperature(39m, firstHoursAgo, "Observation/t1").Temperature(39m, secondHoursAgo, "Observation/t2");

        var a = Assess(b)!;

        Assert.Equal(expected, a.State);
        Assert.Equal(expected == PreemptiveState.HighBurdenDoseDue ? ["Observation/marrow", "Observation/t1", "Observation/t2"] : ["Observation/marrow"], a.Evidence.Select(e => e.Source));
    }

    // Every parameter's accepted range, exactly at each edge and just past it (durations in hours).
    [Theory]
    [InlineData("HighBurdenMarrowBlastsPercent", 0.0, false)]
    [InlineData("HighBurdenMarrowBlastsPercent", 0.1, true)]
    [InlineData("HighBurdenMarrowBlastsPercent", 100.0, true)]
    [InlineData("HighBurdenMarrowBlastsPercent", 100.1, false)]
    [InlineData("BurdenMaxAgeBeforeInfusion", 0.0, false)]
    [InlineData("BurdenMaxAgeBeforeInfusion", 1 / 60.0, true)]
    [InlineData("BurdenMaxAgeBeforeInfusion", 180 * 24.0, true)]
    [InlineData("BurdenMaxAgeBeforeInfusion", (180 * 24.0) + (1 / 60.0), false)]
    [InlineData("TriggerFeverCelsius", 37.9, false)]
    [InlineData("TriggerFeverCelsius", 38.0, true)]
    [InlineData("TriggerFeverCelsius", 41.0, true)]
    [InlineData("TriggerFeverCelsius", 41.1, false)]
    [InlineData("TriggerFeverCount", 0, false)]
    [InlineData("TriggerFeverCount", 1, true)]
    [InlineData("TriggerFeverCount", 10, true)]
    [InlineData("TriggerFeverCount", 11, false)]
    [InlineData("TriggerWindow", 0.0, false)]
    [InlineData("TriggerWindow", 1 / 60.0, true)]
    [InlineData("TriggerWindow", 72.0, true)]
    [InlineData("TriggerWindow", 72 + (1 / 60.0), false)]
    public void GivenAPreemptiveParameterAtTheEdgeOfItsRange_WhenValidated_ThenOnlyValuesInsideAreAccepted(string parameter, double value, bool valid)
    {
        var p = parameter switch
        {
            "HighBurdenMarrowBlastsPercent" => new PreemptiveTocilizumabParameters { HighBurdenMarrowBlastsPercent = (decimal)value },
            "BurdenMaxAgeBeforeInfusion" => new PreemptiveTocilizumabParameters { BurdenMaxAgeBeforeInfusion = TimeSpan.FromHours(value) },
            "TriggerFeverCelsius" => new PreemptiveTocilizumabParameters { TriggerFeverCelsius = (decimal)value },
            "TriggerFeverCount" => new PreemptiveTocilizumabParameters { TriggerFeverCount = (int)value },
            _ => new PreemptiveTocilizumabParameters { TriggerWindow = TimeSpan.FromHours(value) },
        };

        var errors = new RuleSet { PreemptiveTocilizumab = p }.Validate();

        Assert.Equal(valid ? [] : [$"PreemptiveTocilizumab.{parameter}"], errors.Select(e => e.Split(' ')[0]));
    }

    [Fact]
    public void GivenATriggerBelow38_WhenValidated_ThenTheRuleSetSaysSo()
    {
        var rules = new RuleSet { PreemptiveTocilizumab = new PreemptiveTocilizumabParameters { TriggerFeverCelsius = 37.5m } };

        Assert.Contains("PreemptiveTocilizumab.TriggerFeverCelsius must be between 38 and 41 °C (was 37.5).", rules.Validate());
    }
}
