using CarTCds.Rules.Crs;
using CarTCds.Rules.Icans;
using CarTCds.Rules.IecHs;
using CarTCds.Rules.Management;

namespace CarTCds.Rules.Tests.Management;

/// <summary>Runs the real CRS and ICANS grading on a <see cref="Chart"/> before <see cref="ManagementAdvice"/>,
/// as the engine does.</summary>
internal static class ManagementPlanning
{
    /// <summary>A 15-year-old infused 5 days ago (ICE, not CAPD; SBP threshold 90), infusion <c>Procedure/infusion</c>.</summary>
    public static Chart Day5() => new Chart().InfusedDaysAgo(5, "Procedure/infusion");

    /// <summary>Grades CRS and ICANS at <see cref="Chart.Now"/> and returns the plan; <paramref name="iecHsFlag"/> stands for a flagged IEC-HS screen.</summary>
    public static ManagementPlan Plan(this Chart chart, RuleSet? rules = null, bool iecHsFlag = false)
    {
        rules ??= RuleSet.Default;
        var facts = chart.Build();
        var crs = CrsGrading.Assess(facts, Chart.Now, rules);
        var course = CrsCourseAnalysis.Analyse(facts, Chart.Now, rules);
        var icans = IcansGrading.Assess(facts, Chart.Now, rules);
        return ManagementAdvice.Assess(facts, Chart.Now, rules, crs, course, icans, iecHsFlag ? Flagged() : null);
    }

    private static IecHsAssessment Flagged()
    {
        var set = new IecHsCriteriaResult(IecHsCriteriaSet.AstctIecHs, true, Chart.Now.AddDays(-5), Chart.Now, "flag", []);
        return new IecHsAssessment(true, true, [IecHsCriteriaSet.AstctIecHs], set with { Set = IecHsCriteriaSet.CartoxCarHlh, Met = false }, set, [], [], [], [], []);
    }

    public static ManagementAction Action(IReadOnlyList<ManagementAction> actions, string code) =>
        actions.FirstOrDefault(a => a.Code == code) ?? throw new Xunit.Sdk.XunitException($"no '{code}' action in {ManagementPlan.Codes(actions)}");
}
