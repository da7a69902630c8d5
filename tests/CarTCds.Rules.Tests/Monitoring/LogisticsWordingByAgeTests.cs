using CarTCds.Rules.Monitoring;
using static CarTCds.Rules.Tests.Monitoring.MonitoringAssert;

namespace CarTCds.Rules.Tests.Monitoring;

/// <summary>The label's "no driving" advice is for patients who drive: below
/// <see cref="MonitoringParameters.DrivingAdviceFromAgeYears"/> (14, the youngest US learner's-permit
/// age) the logistics are worded for the caregivers; at 14 and above, and when the age is unknown,
/// the label's wording stands.</summary>
public sealed class LogisticsWordingByAgeTests
{
    [Theory]
    [InlineData(3, false)]
    [InlineData(13, false)]
    [InlineData(14, true)]
    [InlineData(15, true)]
    [InlineData(24, true)]
    public void GivenAPatientOfAnAge_WhenDay3AfterInfusion_ThenNoDrivingOnlyFrom14(int age, bool drivingAdvice)
    {
        var a = new Chart().Aged(age).InfusedDaysAgo(3, "Procedure/cart").Assess();

        var item = Item(a, MonitoringCodes.PostInfusionLogistics);
        Assert.Equal(drivingAdvice
            ? "Day 3 after CAR-T: stay within 2 h of the treating centre and no driving or machinery through day 14"
            : "Day 3 after CAR-T: caregivers keep the child within 2 h of the treating centre and supervise closely (no hazardous play) through day 14", item.Summary);
        Assert.Equal(drivingAdvice, item.Detail.Contains("not drive", StringComparison.Ordinal));
        Assert.Equal(["Procedure/cart"], Sources(item));
    }

    [Fact]
    public void GivenNoBirthDate_WhenDay3AfterInfusion_ThenTheLabelWordingWithNoDriving()
    {
        var a = new Chart().Born(null).InfusedDaysAgo(3).Assess();

        Assert.Contains("no driving", Item(a, MonitoringCodes.PostInfusionLogistics).Summary, StringComparison.Ordinal);
    }

    /// <summary>A site where driving starts at 16 moves the cut: a 15-year-old gets the caregiver wording.</summary>
    [Theory]
    [InlineData(15, false)]
    [InlineData(16, true)]
    public void GivenTheDrivingAgeSetTo16_WhenAssessed_ThenTheCutMoves(int age, bool drivingAdvice)
    {
        var rules = new RuleSet { Version = "1.0.0-site", Monitoring = new MonitoringParameters { DrivingAdviceFromAgeYears = 16 } };

        var a = new Chart().Aged(age).InfusedDaysAgo(3).Assess(rules);

        Assert.Equal(drivingAdvice, Item(a, MonitoringCodes.PostInfusionLogistics).Summary.Contains("no driving", StringComparison.Ordinal));
    }
}
