using CarTCds.Rules.Facts;
using CarTCds.Rules.IecHs;

namespace CarTCds.Rules.Tests;

public sealed class LookBackTests
{
    private static readonly DateTimeOffset At = new(2013, 5, 12, 23, 0, 0, TimeSpan.Zero);

    private static CarTInfusion Infusion(string when) => new(DateTimeOffset.Parse(when, System.Globalization.CultureInfo.InvariantCulture), "Procedure/i");

    [Fact]
    public void GivenNoInfusion_WhenTheLookBackIsAsked_ThenItIsTheLongestWindowFromTheEvaluationTime()
    {
        // Defaults: fever masking and the IEC-HS screen without an infusion look back 14 days, the rest less.
        var from = LookBack.EarliestRecentRecord([], At, RuleSet.Default);

        Assert.Equal(At.AddDays(-14), from);
    }

    [Theory]
    // Day 0 of the first infusion at or before the evaluation time, minus the 30-day lab baseline.
    [InlineData("2013-05-07T10:00:00Z", "2013-04-07T00:00:00Z")]
    [InlineData("2013-05-12T23:00:00Z", "2013-04-12T00:00:00Z")]  // infused at the evaluation instant: counts
    [InlineData("2013-05-12T23:00:01Z", "2013-04-28T23:00:00Z")]  // one second later: not yet, the 14-day window applies
    [InlineData("2012-01-01T08:00:00Z", "2011-12-02T00:00:00Z")]  // long ago: the CRS course and B-cell follow-up reach back to it
    public void GivenAnInfusion_WhenTheLookBackIsAsked_ThenItReachesTheBaselineBeforeDayZero(string infusion, string expected)
    {
        var from = LookBack.EarliestRecentRecord([Infusion(infusion)], At, RuleSet.Default);

        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), from);
    }

    [Fact]
    public void GivenTwoInfusions_WhenTheLookBackIsAsked_ThenTheFirstOneSetsIt()
    {
        // IgG counts from the first infusion, so a re-infusion does not shorten the window.
        var from = LookBack.EarliestRecentRecord([Infusion("2013-05-07T10:00:00Z"), Infusion("2013-03-01T10:00:00Z")], At, RuleSet.Default);

        Assert.Equal(new DateTimeOffset(2013, 1, 30, 0, 0, 0, TimeSpan.Zero), from);
    }

    [Theory]
    [InlineData(20, 30, "2013-04-22T23:00:00Z", "2013-04-07T00:00:00Z")]
    [InlineData(14, 45, "2013-04-28T23:00:00Z", "2013-03-23T00:00:00Z")]
    public void GivenLongerWindowsInTheRuleSet_WhenTheLookBackIsAsked_ThenItFollowsThem(int withoutInfusionDays, int baselineDays, string expectedWithout, string expectedWith)
    {
        var rules = new RuleSet { IecHs = new IecHsParameters { LookBackWithoutInfusion = TimeSpan.FromDays(withoutInfusionDays), BaselineLookBack = TimeSpan.FromDays(baselineDays) } };

        var without = LookBack.EarliestRecentRecord([], At, rules);
        var with = LookBack.EarliestRecentRecord([Infusion("2013-05-07T10:00:00Z")], At, rules);

        Assert.Equal(DateTimeOffset.Parse(expectedWithout, System.Globalization.CultureInfo.InvariantCulture), without);
        Assert.Equal(DateTimeOffset.Parse(expectedWith, System.Globalization.CultureInfo.InvariantCulture), with);
    }
}
