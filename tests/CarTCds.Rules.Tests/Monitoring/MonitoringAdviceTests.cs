using CarTCds.Rules.Facts;
using CarTCds.Rules.Monitoring;
using static CarTCds.Rules.Tests.Monitoring.MonitoringAssert;
using static CarTCds.Rules.Tests.Chart;

namespace CarTCds.Rules.Tests.Monitoring;

public sealed class MonitoringAdviceTests
{
    [Fact]
    public void GivenEveryRuleFiring_WhenAssessed_ThenWarningsComeFirstAndEverySummaryIsOneShortLine()
    {
        // Day 2 after a re-infusion; a first infusion 200 days ago left low IgG and recovering B cells.
        var b = new Chart().Aged(9)
            .InfusedDaysAgo(200, "Procedure/first").InfusedDaysAgo(2, "Procedure/second")
            .Cns(CnsStatus.Cns3, 300).SeizureDisorder().Weight(31.5m, Days(1))
            .Lab(LabTest.IgG, 250m, Days(1))
            .Status(DiseaseStatus.MrdPositive, 1)
            .Capd(4, 20);

        var a = b.Assess();

        Assert.Equal(
            [MonitoringCodes.NeuroAssessmentOverdue, MonitoringCodes.RelapseRisk, MonitoringCodes.SeizureProphylaxis, MonitoringCodes.IgGReplacement, MonitoringCodes.PostInfusionLogistics],
            a.Items.Select(i => i.Code));
        foreach (var item in a.Items) Item(a, item.Code);
        Assert.Equal(315m, a.Find(MonitoringCodes.SeizureProphylaxis)!.Dose!.DoseMg);
        Assert.Equal("Procedure/second", a.Infusion!.Source);
        Assert.Equal(2, a.DayAfterInfusion);
    }

    [Fact]
    public void GivenNoFacts_WhenAssessed_ThenNoItemsAndANote()
    {
        var a = MonitoringAdvice.Assess(new ClinicalFacts(), Chart.Now, RuleSet.Default);

        Assert.Empty(a.Items);
        Assert.Single(a.Notes);
    }

    [Fact]
    public void GivenEveryCodeConstant_WhenRead_ThenKebabCase()
    {
        string[] codes = [MonitoringCodes.NeuroAssessmentOverdue, MonitoringCodes.SeizureProphylaxis, MonitoringCodes.IgGReplacement, MonitoringCodes.RelapseRisk, MonitoringCodes.PostInfusionLogistics];

        Assert.Equal(["neuro-assessment-overdue", "seizure-prophylaxis", "igg-replacement", "relapse-risk", "post-infusion-logistics"], codes);
    }

    // Infusion at 23:30 UTC: the next calendar day starts 30 min later (day 1), as on the CRS/ICANS cards.
    [Theory]
    [InlineData(0, 0)]
    [InlineData(0.49, 0)]
    [InlineData(0.5, 1)]
    [InlineData(14 * 24 + 0.49, 14)]
    [InlineData(14 * 24 + 0.5, 15)]
    [InlineData(-23.5, 0)]
    [InlineData(-24, -1)]
    public void GivenHoursSinceAnEveningInfusion_WhenCountingDays_ThenUtcCalendarDaysWithTheInfusionDayAsDay0(double hours, int day)
    {
        var infusion = new DateTimeOffset(2013, 5, 5, 23, 30, 0, TimeSpan.Zero);

        Assert.Equal(day, MonitoringAdvice.DayAfterInfusion(infusion, infusion.AddHours(hours)));
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(30)]
    [InlineData(14 * 24 + 0.5)]
    public void GivenAnyTimeAfterInfusion_WhenCountingDays_ThenMonitoringAndTheCrsCourseAgree(double hours)
    {
        var infusion = new CarTInfusion(new DateTimeOffset(2013, 5, 5, 23, 30, 0, TimeSpan.Zero), "Procedure/cart");
        var at = infusion.Time.AddHours(hours);

        Assert.Equal(infusion.CalendarDay(at), MonitoringAdvice.DayAfterInfusion(infusion.Time, at));
    }

    [Fact]
    public void GivenAnInfusionInAnotherTimeZone_WhenCountingDays_ThenTheOffsetDoesNotMatter()
    {
        var infusion = new DateTimeOffset(2025, 7, 1, 23, 30, 0, TimeSpan.FromHours(-5));
        var at = new DateTimeOffset(2025, 7, 15, 23, 29, 0, TimeSpan.FromHours(2));

        Assert.Equal(13, MonitoringAdvice.DayAfterInfusion(infusion, at));
    }
}
