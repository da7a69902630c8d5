using CarTCds.Rules.Facts;

namespace CarTCds.Rules.Crs;

/// <summary>The CRS course since the latest CAR-T infusion: one ASTCT grade per day after
/// infusion, the maximum and the day of onset.</summary>
/// <param name="InfusionTime">Day 0.</param>
/// <param name="Days">Grade per day (day 0 … the evaluation day), each graded over that UTC
/// calendar day, the last one up to the evaluation time.</param>
/// <param name="MaxGrade">Highest daily grade (null when no day was gradable).</param>
/// <param name="MaxGradeDay">The first day on which the maximum was reached.</param>
/// <param name="OnsetDay">The first day with grade ≥ 1, or null.</param>
public sealed record CrsCourse(DateTimeOffset InfusionTime, IReadOnlyList<CrsDay> Days, int? MaxGrade, int? MaxGradeDay, int? OnsetDay)
{
    /// <summary>The first day graded: 0, or later when the infusion is more than
    /// <see cref="CrsParameters.CourseMaxDays"/> days before the evaluation day.</summary>
    public int FirstDay { get; init; }
}

/// <summary>One day of the CRS course: its grade, and on request the assessment that explains it.</summary>
/// <remarks>The course grades every day since infusion (up to <see cref="CrsParameters.CourseMaxDays"/>),
/// but its readers (the CRS card's maximum and onset, the IEC-HS timing, the management plan's days
/// with CRS) use only the grades: the course decides each day's grade without its words and evidence
/// (those were most of what a hook call allocated, and grew by a full assessment per day since
/// infusion: tests/load/README.md "Run O"), and <see cref="Assessment"/> grades the day again, with them, when asked.</remarks>
public sealed class CrsDay
{
    private readonly ClinicalFacts? _facts;
    private readonly RuleSet? _rules;
    private readonly DateTimeOffset _from;
    private readonly DateTimeOffset _end;
    private CrsAssessment? _assessment;

    /// <param name="day">Days after infusion (day 0 = infusion day).</param>
    /// <param name="assessment">The grading over that day.</param>
    public CrsDay(int day, CrsAssessment assessment)
    {
        ArgumentNullException.ThrowIfNull(assessment);
        Day = day;
        Grade = assessment.Grade;
        _assessment = assessment;
    }

    // A day graded over (from, end] whose assessment is built only when asked for.
    internal CrsDay(int day, int? grade, ClinicalFacts facts, DateTimeOffset from, DateTimeOffset end, RuleSet rules)
    {
        Day = day;
        Grade = grade;
        _facts = facts;
        _from = from;
        _end = end;
        _rules = rules;
    }

    /// <summary>Days after infusion (day 0 = infusion day).</summary>
    public int Day { get; }

    /// <summary>The ASTCT grade over that day (0–4), null when the day's data cannot support one.</summary>
    public int? Grade { get; }

    /// <summary>The grading over that day with everything that set it (<see cref="CrsAssessment.Grade"/>
    /// equals <see cref="Grade"/>); built on first use, over the whole chart (the same assessment: proved
    /// in CarTCds.Hooks.Tests, CrsCourseEquivalenceTests).</summary>
    public CrsAssessment Assessment => _assessment ??= CrsGrading.Assess(_facts!, _from, _end, _rules!);
}

public static class CrsCourseAnalysis
{
    /// <summary>Grades each UTC calendar day from the latest infusion at or before <paramref name="at"/>
    /// up to <paramref name="at"/> (at most the last <see cref="CrsParameters.CourseMaxDays"/> days);
    /// null when no infusion is on record (there is no "since").</summary>
    /// <remarks>Each day is graded over its own 24 h (the rule set's look-back is not used here), so a
    /// day's grade does not depend on the time of the request.</remarks>
    public static CrsCourse? Analyse(ClinicalFacts facts, DateTimeOffset at, RuleSet rules)
    {
        var infusion = facts.LatestInfusion(at);
        if (infusion is null) return null;

        var day0 = infusion.DayZero;
        var days = new List<CrsDay>();
        var lastDay = infusion.CalendarDay(at);
        var firstDay = Math.Max(0, lastDay - (rules.Crs.CourseMaxDays - 1));
        // Each day reads its own records and the CRS episodes up to its end, both prepared once: the
        // course costs the chart's records once, not once per day (proved equal to grading each day
        // over the whole chart: CarTCds.Hooks.Tests, CrsCourseEquivalenceTests).
        var records = new CrsCourseDays(facts, day0.AddDays(firstDay), lastDay - firstDay + 1);
        using var episodes = new CrsEpisodes.CourseEpisodes(facts, infusion.Time, at, rules.Crs);
        for (var d = firstDay; ; d++)
        {
            var dayStart = day0.AddDays(d);
            var dayEnd = dayStart.AddDays(1);
            var end = dayEnd.AddTicks(-1) < at ? dayEnd.AddTicks(-1) : at;
            // Window (dayStart − 1 tick, end]: exactly the day's own records, midnight included. An
            // infusion dated 0001-01-01 (valid FHIR) has no tick before it: its day starts at the minimum.
            var from = dayStart == DateTimeOffset.MinValue ? dayStart : dayStart.AddTicks(-1);
            days.Add(new CrsDay(d, CrsGrading.Grade(facts, records.Day(d - firstDay), from, end, rules, episodes), facts, from, end, rules));
            if (dayEnd > at) break;
        }

        int? max = null;
        int? maxDay = null;
        int? onset = null;
        foreach (var day in days)
        {
            if (day.Grade is not { } g) continue;
            if (max is null || g > max) { max = g; maxDay = day.Day; }
            if (g >= 1 && onset is null) onset = day.Day;
        }
        return new CrsCourse(infusion.Time, days, max, maxDay, onset) { FirstDay = firstDay };
    }
}
