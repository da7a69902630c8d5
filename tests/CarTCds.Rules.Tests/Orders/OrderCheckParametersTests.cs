using CarTCds.Rules.Orders;

namespace CarTCds.Rules.Tests.Orders;

public sealed class OrderCheckParametersTests
{
    [Fact]
    public void GivenTheDefaults_WhenRead_ThenTheyAreTheLabelsAndClinicalRulesValues()
    {
        var p = new OrderCheckParameters();

        Assert.Equal(30m, p.TocilizumabWeightThresholdKg);
        Assert.Equal(12m, p.TocilizumabMgPerKgBelowThreshold);
        Assert.Equal(8m, p.TocilizumabMgPerKgAtOrAboveThreshold);
        Assert.Equal(800m, p.TocilizumabMaxDoseMg);
        Assert.Equal(TimeSpan.FromHours(8), p.TocilizumabMinInterval);
        Assert.Equal(4, p.TocilizumabMaxDosesTotal);
        Assert.Equal(3, p.TocilizumabMaxDosesPer24h);
        Assert.Equal(0.1m, p.TocilizumabDoseRoundingMg);
        Assert.Equal(10m, p.TocilizumabDoseTolerancePercent);
        Assert.Equal(TimeSpan.FromDays(30), p.WeightStaleAfter);
        Assert.Equal(TimeSpan.FromDays(90), p.SteroidCautionWindow);
        Assert.Equal(2, p.SteroidWarrantingCrsGrade);
        Assert.Equal(2, p.SteroidWarrantingIcansGrade);
        Assert.Empty(new RuleSet().Validate());
    }

    public static TheoryData<OrderCheckParameters, string> Nonsense => new()
    {
        { new OrderCheckParameters { TocilizumabWeightThresholdKg = 0m }, "TocilizumabWeightThresholdKg" },
        { new OrderCheckParameters { TocilizumabMgPerKgBelowThreshold = 120m }, "TocilizumabMgPerKgBelowThreshold" },
        { new OrderCheckParameters { TocilizumabMgPerKgAtOrAboveThreshold = -8m }, "TocilizumabMgPerKgAtOrAboveThreshold" },
        { new OrderCheckParameters { TocilizumabMaxDoseMg = 8000m }, "TocilizumabMaxDoseMg" },
        { new OrderCheckParameters { TocilizumabMinInterval = TimeSpan.Zero }, "TocilizumabMinInterval" },
        { new OrderCheckParameters { TocilizumabMaxDosesTotal = 11 }, "TocilizumabMaxDosesTotal" },
        { new OrderCheckParameters { TocilizumabMaxDosesPer24h = 5 }, "TocilizumabMaxDosesPer24h" },
        { new OrderCheckParameters { TocilizumabCountLookBackWithoutInfusion = TimeSpan.Zero }, "TocilizumabCountLookBackWithoutInfusion" },
        { new OrderCheckParameters { TocilizumabDoseRoundingMg = 0m }, "TocilizumabDoseRoundingMg" },
        { new OrderCheckParameters { TocilizumabDoseTolerancePercent = -1m }, "TocilizumabDoseTolerancePercent" },
        { new OrderCheckParameters { WeightStaleAfter = TimeSpan.FromDays(-1) }, "WeightStaleAfter" },
        { new OrderCheckParameters { SteroidCautionWindow = TimeSpan.FromDays(-1) }, "SteroidCautionWindow" },
        { new OrderCheckParameters { SteroidWarrantingCrsGrade = 5 }, "SteroidWarrantingCrsGrade" },
        { new OrderCheckParameters { SteroidWarrantingIcansGrade = 0 }, "SteroidWarrantingIcansGrade" },
    };

    [Theory]
    [MemberData(nameof(Nonsense))]
    public void GivenANonsenseValue_WhenValidated_ThenTheParameterIsNamed(OrderCheckParameters p, string name)
    {
        var errors = new RuleSet { Orders = p }.Validate();

        var error = Assert.Single(errors);
        Assert.StartsWith($"Orders.{name}", error, StringComparison.Ordinal);
    }
}
