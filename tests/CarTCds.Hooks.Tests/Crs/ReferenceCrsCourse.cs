using CarTCds.Rules;
using CarTCds.Rules.Crs;
using CarTCds.Rules.Facts;

namespace CarTCds.Hooks.Tests.Crs;

/// <summary>The reference oracle for <see cref="CrsCourseAnalysis.Analyse"/>: the course as it was graded
/// before the days' records were prepared once (commit 3a360c2) — every day graded by
/// <see cref="CrsGrading.Assess(ClinicalFacts, DateTimeOffset, DateTimeOffset, RuleSet)"/> over the
/// whole chart, fever masking rebuilt from every record since the infusion (O(days × records)).
/// Kept here, not in src, only to prove the faster course gives the same days.</summary>
internal static class ReferenceCrsCourse
{
    /// <summary>The first day graded and every day's grade, or null without an infusion (the course's
    /// maximum and onset are read off the days by the same code either way).</summary>
    public static (int FirstDay, List<CrsDay> Days)? Analyse(ClinicalFacts facts, DateTimeOffset at, RuleSet rules)
    {
        var infusion = facts.LatestInfusion(at);
        if (infusion is null) return null;

        var day0 = infusion.DayZero;
        var days = new List<CrsDay>();
        var firstDay = Math.Max(0, infusion.CalendarDay(at) - (rules.Crs.CourseMaxDays - 1));
        for (var d = firstDay; ; d++)
        {
            var dayStart = day0.AddDays(d);
            var dayEnd = dayStart.AddDays(1);
            var end = dayEnd.AddTicks(-1) < at ? dayEnd.AddTicks(-1) : at;
            var from = dayStart == DateTimeOffset.MinValue ? dayStart : dayStart.AddTicks(-1);
            days.Add(new CrsDay(d, CrsGrading.Assess(facts, from, end, rules)));
            if (dayEnd > at) break;
        }
        return (firstDay, days);
    }
}
