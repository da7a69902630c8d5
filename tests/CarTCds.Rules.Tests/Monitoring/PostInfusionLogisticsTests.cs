using CarTCds.Rules.Monitoring;
using static CarTCds.Rules.Tests.Monitoring.MonitoringAssert;

namespace CarTCds.Rules.Tests.Monitoring;

public sealed class PostInfusionLogisticsTests
{
    private const string Code = MonitoringCodes.PostInfusionLogistics;

    [Theory]
    [InlineData(0, 0)]
    [InlineData(3.5, 3)]
    [InlineData(14, 14)]
    [InlineData(14.5, 14)]
    [InlineData(13.51, 14)]
    public void GivenAnInfusion_WhenWithin14Days_ThenStayNearAndDoNotDriveWithTheDayCount(double daysAgo, int day)
    {
        var a = new Chart().InfusedDaysAgo(daysAgo, "Procedure/cart").Assess();

        var item = Item(a, Code);
        Assert.Equal(MonitoringSeverity.Info, item.Severity);
        Assert.Equal($"Day {day} after CAR-T: stay within 2 h of the treating centre and no driving or machinery through day 14", item.Summary);
        Assert.Equal(["Procedure/cart"], Sources(item));
        Assert.Equal("Kymriah (tisagenlecleucel) US prescribing information, 2025-06", item.Source.Citation);
        Assert.StartsWith("https://www.fda.gov/", item.Source.Url, StringComparison.Ordinal);
        Assert.Contains("2025-06", item.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void GivenAnInfusion_WhenDay15_ThenNoItem()
    {
        var a = new Chart().InfusedDaysAgo(15).Assess();

        NoItem(a, Code);
    }

    [Theory]
    [InlineData(20, "Day 20 after CAR-T: stay within 2 h of the treating centre through day 28; no driving or machinery through day 56")]
    [InlineData(40, "Day 40 after CAR-T: no driving or machinery through day 56")]
    public void GivenThePre2025Label_WhenConfigured_ThenFourAndEightWeeks(double daysAgo, string summary)
    {
        var rules = new RuleSet
        {
            Version = "local-pre-2025",
            Monitoring = new MonitoringParameters { LabelVersion = "2024-03", LogisticsDays = 28, NoDrivingDays = 56 },
        };

        var a = new Chart().InfusedDaysAgo(daysAgo, "Procedure/cart").Assess(rules);

        var item = Item(a, Code);
        Assert.Equal(summary, item.Summary);
        Assert.EndsWith("2024-03", item.Source.Citation, StringComparison.Ordinal);
        Assert.Equal(["Procedure/cart"], Sources(item));
    }

    [Fact]
    public void GivenNoInfusion_WhenAssessed_ThenNoItem()
    {
        NoItem(new Chart().Assess(), Code);
    }
}
