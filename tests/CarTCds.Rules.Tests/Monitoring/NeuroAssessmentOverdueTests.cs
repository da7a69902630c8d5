using CarTCds.Rules.Monitoring;
using static CarTCds.Rules.Tests.Monitoring.MonitoringAssert;

namespace CarTCds.Rules.Tests.Monitoring;

public sealed class NeuroAssessmentOverdueTests
{
    private const string Code = MonitoringCodes.NeuroAssessmentOverdue;

    [Theory]
    [InlineData(11.9, false)]
    [InlineData(11.99, false)]
    [InlineData(12.0, true)]
    [InlineData(12.1, true)]
    [InlineData(30.0, true)]
    public void GivenAnIceScoreSomeHoursAgo_WhenDay3AfterInfusion_ThenOverdueFrom12Hours(double hoursAgo, bool overdue)
    {
        var b = new Chart().InfusedDaysAgo(3, "Procedure/cart").Ice(9, hoursAgo, "Observation/ice");

        var a = b.Assess();

        if (!overdue)
        {
            NoItem(a, Code);
            return;
        }
        var item = Item(a, Code);
        Assert.Equal(MonitoringSeverity.Warning, item.Severity);
        Assert.StartsWith("ICE overdue: last neuro assessment ", item.Summary, StringComparison.Ordinal);
        Assert.Contains("(ICE 9/10); day 3 after CAR-T", item.Summary, StringComparison.Ordinal);
        Assert.Equal(["Observation/ice", "Procedure/cart"], Sources(item));
        Assert.Contains(item.Evidence, e => e.Source == "Observation/ice" && e.Time == Chart.Now.AddHours(-hoursAgo));
        Assert.Equal("https://doi.org/10.1038/s41571-018-0075-2", item.Source.Url);
    }

    [Fact]
    public void GivenAnIceScoreExactly12HoursAgo_WhenAssessed_ThenTheSummarySaysWhen()
    {
        var a = new Chart().InfusedDaysAgo(2).Ice(7, 12).Assess();

        Assert.Equal("ICE overdue: last neuro assessment 12 h ago (ICE 7/10); day 2 after CAR-T, assess every 12 h", Item(a, Code).Summary);
    }

    [Fact]
    public void GivenARecentCapdButAnOldIce_WhenAssessed_ThenEitherToolCounts()
    {
        var a = new Chart().Aged(8).InfusedDaysAgo(4).Ice(10, 30).Capd(3, 5).Assess();

        NoItem(a, Code);
    }

    [Fact]
    public void GivenNoScoreAtAll_WhenAtRisk_ThenNoneOnRecordAndOnlyTheInfusionIsEvidence()
    {
        var a = new Chart().Infused(30, "Procedure/cart").Assess();

        var item = Item(a, Code);
        Assert.Equal("ICE overdue: none on record; day 1 after CAR-T infusion, assess at least every 12 h", item.Summary);
        Assert.Equal(["Procedure/cart"], Sources(item));
        Assert.Contains("an ICE score in the last 12 h", item.Missing);
    }

    // Evaluated at 12:00 UTC: infused 14.5 days ago is 00:00 on calendar day 14; 14.51 days ago is the evening before (day 15).
    [Theory]
    [InlineData(0, 0, true)]
    [InlineData(13.99, 14, true)]
    [InlineData(14, 14, true)]
    [InlineData(14.5, 14, true)]
    [InlineData(14.51, 15, false)]
    [InlineData(40, 40, false)]
    public void GivenNoRecentScore_WhenDay14Versus15_ThenOnlyInsideTheAtRiskWindow(double daysAgo, int day, bool expected)
    {
        var a = new Chart().InfusedDaysAgo(daysAgo, "Procedure/cart").Ice(8, 20, "Observation/ice").Assess();

        if (expected)
        {
            var item = Item(a, Code);
            Assert.Contains($"day {day} after CAR-T", item.Summary, StringComparison.Ordinal);
            Assert.Equal(["Observation/ice", "Procedure/cart"], Sources(item));
        }
        else
        {
            NoItem(a, Code);
        }
    }

    [Fact]
    public void GivenAnInstitutionWindowOf28Days_WhenDay20_ThenStillAtRisk()
    {
        var rules = new RuleSet { Version = "local", Monitoring = new MonitoringParameters { NeuroMonitoringDays = 28 } };

        var a = new Chart().InfusedDaysAgo(20).Assess(rules);

        Assert.Contains("day 20 after CAR-T", Item(a, Code).Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void GivenNoInfusionOnRecord_WhenNoScore_ThenNoItem()
    {
        var a = new Chart().Assess();

        NoItem(a, Code);
        Assert.Null(a.Infusion);
        Assert.Null(a.DayAfterInfusion);
        Assert.NotEmpty(a.Notes);
    }

    [Fact]
    public void GivenAnInfusionInTheFuture_WhenAssessed_ThenItIsIgnored()
    {
        var a = new Chart().Infused(-2).Assess();

        Assert.Empty(a.Items);
        Assert.Null(a.Infusion);
    }

    [Fact]
    public void GivenAScoreAfterTheEvaluationTime_WhenAssessed_ThenItDoesNotCount()
    {
        var a = new Chart().InfusedDaysAgo(2, "Procedure/cart").Ice(10, 14, "Observation/old").Ice(10, -1, "Observation/future").Assess();

        var item = Item(a, Code);
        Assert.Equal(["Observation/old", "Procedure/cart"], Sources(item));
        Assert.Contains("14 h ago", item.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void GivenTwoInfusions_WhenTheLatestIsDay2_ThenTheWindowRunsFromTheLatest()
    {
        var a = new Chart().InfusedDaysAgo(60, "Procedure/first").InfusedDaysAgo(2, "Procedure/second").Assess();

        var item = Item(a, Code);
        Assert.Equal(2, a.DayAfterInfusion);
        Assert.Equal(["Procedure/second"], Sources(item));
    }

    [Theory]
    [InlineData(12, "CAPD")]
    [InlineData(13, "ICE")]
    [InlineData(3, "CAPD")]
    public void GivenAnAge_WhenOverdue_ThenTheAgeAppropriateToolIsNamed(int age, string tool)
    {
        var a = new Chart().Aged(age).InfusedDaysAgo(1).Assess();

        var item = Item(a, Code);
        Assert.StartsWith($"{tool} overdue:", item.Summary, StringComparison.Ordinal);
        Assert.Contains($"{(tool == "ICE" ? "an" : "a")} {tool} score in the last 12 h", item.Missing);
    }

    [Fact]
    public void GivenNoBirthDate_WhenOverdue_ThenBothToolsAreNamedAndTheBirthDateIsMissing()
    {
        var a = new Chart().Born(null).InfusedDaysAgo(1).Assess();

        var item = Item(a, Code);
        Assert.StartsWith("ICE/CAPD overdue:", item.Summary, StringComparison.Ordinal);
        Assert.Contains(item.Missing, m => m.Contains("birthDate", StringComparison.Ordinal));
    }

    [Fact]
    public void GivenABaselineIceBeforeInfusion_WhenInfused6HoursLater_ThenTheBaselineCountsAndIsLabelled()
    {
        var a = new Chart().Infused(6, "Procedure/cart").Ice(10, 13, "Observation/baseline").Assess();

        var item = Item(a, Code);
        Assert.Contains("before infusion", item.Detail, StringComparison.Ordinal);
        Assert.Equal(["Observation/baseline", "Procedure/cart"], Sources(item));
    }

    // Intubated/sedated (mechanical ventilation in the 24 h ICANS look-back, not extubated): ICE and
    // CAPD cannot be done, so none is "overdue"; a ventilator record exactly 24 h old is outside.
    [Theory]
    [InlineData(24.0, true)]
    [InlineData(24 - 1.0 / 60, false)]
    public void GivenMechanicalVentilationAroundTheLookBackEdge_WhenNoIceFor30Hours_ThenNoOverdueItemWhileIntubated(double ventilatedHoursAgo, bool overdue)
    {
        var a = new Chart().InfusedDaysAgo(4, "Procedure/cart").Ice(8, 30, "Observation/ice")
            .Device(Facts.OxygenDevice.MechanicalVentilation, ventilatedHoursAgo, "Observation/mv").Assess();

        if (overdue) Assert.Equal(["Observation/ice", "Procedure/cart"], Sources(Item(a, Code)));
        else NoItem(a, Code);
    }

    [Fact]
    public void GivenExtubatedAfterVentilation_WhenNoIceSince_ThenTheAssessmentIsOverdueAgain()
    {
        var a = new Chart().InfusedDaysAgo(4).Ice(8, 30)
            .Device(Facts.OxygenDevice.MechanicalVentilation, 10).Device(Facts.OxygenDevice.NasalCannula, 6).Assess();

        Item(a, Code);
    }
}
