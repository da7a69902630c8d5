using CarTCds.Rules.Facts;
using CarTCds.Rules.Monitoring;
using static CarTCds.Rules.Tests.Monitoring.MonitoringAssert;
using static CarTCds.Rules.Tests.Chart;

namespace CarTCds.Rules.Tests.Monitoring;

public sealed class IgGReplacementTests
{
    private const string Code = MonitoringCodes.IgGReplacement;

    [Theory]
    [InlineData(150, true)]
    [InlineData(399, true)]
    [InlineData(399.9, true)]
    [InlineData(400, false)]
    [InlineData(401, false)]
    [InlineData(900, false)]
    public void GivenAnIgGAfterInfusion_WhenBelow400_ThenConsiderReplacement(double mgPerDl, bool expected)
    {
        var a = new Chart().InfusedDaysAgo(60, "Procedure/cart").Lab(LabTest.IgG, (decimal)mgPerDl, Days(3), id: "Observation/igg").Assess();

        if (!expected)
        {
            NoItem(a, Code);
            return;
        }
        var item = Item(a, Code);
        Assert.Equal(MonitoringSeverity.Info, item.Severity);
        Assert.Equal($"IgG {(decimal)mgPerDl:0.##} mg/dL (< 400) after CAR-T: consider immunoglobulin replacement, especially with infections", item.Summary);
        Assert.Equal(["Observation/igg", "Procedure/cart"], Sources(item));
        Assert.Contains(item.Evidence, e => e.Source == "Observation/igg" && e.Description.StartsWith($"IgG {(decimal)mgPerDl:0.##} mg/dL", StringComparison.Ordinal));
        Assert.Equal("https://doi.org/10.1016/j.blre.2019.100596", item.Source.Url);
    }

    [Theory]
    [InlineData(400, true)]
    [InlineData(400.1, false)]
    public void GivenHillsInclusiveThreshold_WhenIgGIs400_ThenItTriggers(double mgPerDl, bool expected)
    {
        var rules = new RuleSet { Version = "local", Monitoring = new MonitoringParameters { IgGThresholdInclusive = true } };

        var a = new Chart().InfusedDaysAgo(60).Lab(LabTest.IgG, (decimal)mgPerDl, Days(3)).Assess(rules);

        if (expected) Assert.Contains("(≤ 400)", Item(a, Code).Summary, StringComparison.Ordinal);
        else NoItem(a, Code);
    }

    [Fact]
    public void GivenALowThenANormalIgG_WhenAssessed_ThenTheLatestDecides()
    {
        var a = new Chart().InfusedDaysAgo(90).Lab(LabTest.IgG, 250m, Days(40)).Lab(LabTest.IgG, 650m, Days(5)).Assess();

        NoItem(a, Code);
    }

    [Fact]
    public void GivenANormalThenALowIgG_WhenAssessed_ThenTheLatestDecidesAndIsTheEvidence()
    {
        var a = new Chart().InfusedDaysAgo(90, "Procedure/cart").Lab(LabTest.IgG, 650m, Days(40), id: "Observation/igg-old").Lab(LabTest.IgG, 310m, Days(5), id: "Observation/igg-new").Assess();

        var item = Item(a, Code);
        Assert.Equal(["Observation/igg-new", "Procedure/cart"], Sources(item));
        Assert.Contains("day 85 after the first CAR-T infusion", item.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void GivenALowIgGOnlyBeforeInfusion_WhenAssessed_ThenNoItemAndIgGIsMissing()
    {
        var a = new Chart().InfusedDaysAgo(30).Lab(LabTest.IgG, 200m, Days(40)).Assess();

        NoItem(a, Code);
        Assert.Contains(a.Missing, m => m.Contains("2465-3", StringComparison.Ordinal));
    }

    [Fact]
    public void GivenNoInfusion_WhenIgGIsLow_ThenNoItem()
    {
        var a = new Chart().Lab(LabTest.IgG, 200m, Days(4)).Assess();

        NoItem(a, Code);
    }

    [Fact]
    public void GivenConflictingIgGAtTheSameTime_WhenOneIsLow_ThenTheLowestIsUsedAndBothAreEvidence()
    {
        var a = new Chart().InfusedDaysAgo(60, "Procedure/cart")
            .Lab(LabTest.IgG, 420m, Days(3), id: "Observation/igg-a").Lab(LabTest.IgG, 380m, Days(3), id: "Observation/igg-b").Assess();

        var item = Item(a, Code);
        Assert.StartsWith("IgG 380 mg/dL", item.Summary, StringComparison.Ordinal);
        Assert.Equal(["Observation/igg-a", "Observation/igg-b", "Procedure/cart"], Sources(item));
        Assert.Contains(a.Notes, n => n.Contains("Conflicting IgG", StringComparison.Ordinal));
    }

    [Fact]
    public void GivenAReinfusion_WhenALowIgGFollowedTheFirstInfusion_ThenItStillCounts()
    {
        var a = new Chart().InfusedDaysAgo(100, "Procedure/first").Lab(LabTest.IgG, 300m, Days(10), id: "Observation/igg").InfusedDaysAgo(2, "Procedure/second").Assess();

        var item = Item(a, Code);
        Assert.Equal(["Observation/igg", "Procedure/first"], Sources(item));
    }

    [Fact]
    public void GivenAnIgGAfterTheEvaluationTime_WhenAssessed_ThenItIsIgnored()
    {
        var a = new Chart().InfusedDaysAgo(60).Lab(LabTest.IgG, 200m, Days(-1)).Assess();

        NoItem(a, Code);
    }
}
