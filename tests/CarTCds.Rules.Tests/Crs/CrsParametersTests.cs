using CarTCds.Rules.Crs;

namespace CarTCds.Rules.Tests.Crs;

public sealed class CrsParametersTests
{
    [Fact]
    public void GivenTheDefaults_WhenValidated_ThenNoErrors()
    {
        Assert.Empty(RuleSet.Default.Validate());
        Assert.Equal("astct-2019@1.0.0", RuleSet.Default.Label);
    }

    [Theory]
    [InlineData(36.0, "FeverCelsius")]
    [InlineData(41.0, "FeverCelsius")]
    public void GivenANonsenseFeverThreshold_WhenValidated_ThenTheParameterIsNamed(double fever, string name)
    {
        var rules = new RuleSet { Crs = new CrsParameters { FeverCelsius = (decimal)fever } };

        var errors = rules.Validate();

        Assert.Contains(errors, e => e.Contains(name, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(29, false)]
    [InlineData(30, true)]
    [InlineData(3660, true)]
    [InlineData(3661, false)]
    public void GivenACourseMaxDays_WhenValidated_ThenOnly30To3660IsAccepted(int days, bool valid)
    {
        var rules = new RuleSet { Crs = new CrsParameters { CourseMaxDays = days } };

        var errors = rules.Validate();

        Assert.Equal(valid, !errors.Any(e => e.Contains("CourseMaxDays", StringComparison.Ordinal)));
    }

    [Fact]
    public void GivenZeroLowFlowLimitAndNegativeLookBack_WhenValidated_ThenBothAreReported()
    {
        var rules = new RuleSet { Crs = new CrsParameters { LowFlowMaxLitresPerMinute = 0m, LookBack = TimeSpan.FromHours(-1) } };

        var errors = rules.Validate();

        Assert.Contains(errors, e => e.Contains("LowFlowMaxLitresPerMinute", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("LookBack", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(0, 70)]
    [InlineData(1, 72)]
    [InlineData(5, 80)]
    [InlineData(10, 90)]
    [InlineData(11, 90)]
    [InlineData(25, 90)]
    public void GivenAnAge_WhenAskingTheHypotensionThreshold_ThenMahadeoTable2(int age, int threshold)
    {
        Assert.Equal(threshold, new CrsParameters().HypotensionThresholdMmHg(age));
    }
}
