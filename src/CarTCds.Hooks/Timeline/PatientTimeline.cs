using System.Globalization;
using CarTCds.Fhir.Model;
using CarTCds.Hooks.Facts;
using CarTCds.Rules;
using CarTCds.Rules.Crs;
using CarTCds.Rules.Facts;
using CarTCds.Rules.Icans;

namespace CarTCds.Hooks.Timeline;

/// <summary>One day of the timeline (UTC calendar day; day 0 = infusion day).</summary>
/// <param name="Day">Day after infusion.</param>
/// <param name="Date">The calendar day of the story, yyyy-MM-dd.</param>
/// <param name="MaxTemperatureC">Highest temperature that day, °C; null when none recorded.</param>
/// <param name="MinSystolicMmHg">Lowest systolic pressure, mm Hg.</param>
/// <param name="OxygenDevice">Most supportive oxygen device recorded that day (data-contract name), or null.</param>
/// <param name="OxygenSupportLevel">0 room air … 4 invasive ventilation (for the chart); null when not recorded.</param>
/// <param name="MaxOxygenFlowLpm">Highest oxygen flow, L/min.</param>
/// <param name="Vasopressor">Whether a vasopressor ran at any time that day.</param>
/// <param name="MinIce">Lowest ICE score (10 = normal).</param>
/// <param name="MaxCapd">Highest CAPD score (≥ 9 abnormal).</param>
/// <param name="CrsGrade">ASTCT CRS grade at 23:00Z that day by the engine's rules; null when not gradable.</param>
/// <param name="IcansGrade">ASTCT ICANS grade at 23:00Z; null when not gradable.</param>
/// <param name="Doses">Tocilizumab and corticosteroid doses given that day.</param>
public sealed record TimelineDay(int Day, string Date, decimal? MaxTemperatureC, decimal? MinSystolicMmHg, string? OxygenDevice, int? OxygenSupportLevel,
    decimal? MaxOxygenFlowLpm, bool Vasopressor, int? MinIce, int? MaxCapd, int? CrsGrade, int? IcansGrade, IReadOnlyList<TimelineDose> Doses);

/// <summary>A dose marker: drug name, time (ISO 8601, story time) and mg when recorded.</summary>
public sealed record TimelineDose(string Drug, string Time, decimal? Mg);

/// <summary>A patient's days after infusion with the CRS and ICANS grade of each day (FHIR → facts →
/// grades), computed by the same rules the hooks use: the sandbox page's chart (never re-graded in the
/// browser) and <c>cartcds timeline</c> both read it from here.</summary>
public static class PatientTimeline
{
    /// <summary>Most days shown after the infusion (the ASTCT toxicity window of interest is the first month).</summary>
    public const int MaxDaysAfterInfusion = 30;

    /// <summary>The timeline of a Bundle holding one patient's record (a sandbox story, a file given
    /// to <c>cartcds timeline</c>): its single Patient and every resource in it, mapped like a hook's prefetch.</summary>
    /// <exception cref="ArgumentException">The Bundle does not hold exactly one Patient.</exception>
    public static IReadOnlyList<TimelineDay> Build(Bundle record, RuleSet rules, DateTimeOffset? until = null) =>
        Build(ClinicalFactsMapper.MapRecord(record), rules, until);

    /// <summary>The days from the latest infusion (day 0) to the last day with a temperature
    /// (at most <see cref="MaxDaysAfterInfusion"/>), or up to the day of
    /// <paramref name="until"/> when given (a live record: no day after today); empty without infusion.</summary>
    public static IReadOnlyList<TimelineDay> Build(ClinicalFacts facts, RuleSet rules, DateTimeOffset? until = null)
    {
        ArgumentNullException.ThrowIfNull(facts);
        var infusion = facts.Infusions.MaxBy(i => i.Time);
        if (infusion is null) return [];
        var anchor = infusion.DayZero;
        var lastDay = LastDay(facts, infusion, until);
        var days = new List<TimelineDay>();
        for (var day = 0; day <= lastDay; day++)
        {
            var start = anchor.AddDays(day);
            var end = start.AddDays(1);
            bool In(DateTimeOffset t) => t >= start && t < end;
            // 23:00Z, after a day's last reading (profiles/examples/README.md), or now on a live record's today.
            var evaluation = until is { } u && u < start.AddHours(23) ? u : start.AddHours(23);
            var devices = facts.OxygenDevices.Where(o => In(o.Time)).ToList();
            var top = devices.Count == 0 ? null : devices.MaxBy(o => SupportLevel(o.Device));
            days.Add(new TimelineDay(
                day,
                start.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                facts.Temperatures.Where(t => In(t.Time)).Select(t => (decimal?)t.Celsius).Max(),
                facts.SystolicPressures.Where(s => In(s.Time)).Select(s => (decimal?)s.MmHg).Min(),
                top is null ? null : top.Device.ToString(),
                top is null ? null : SupportLevel(top.Device),
                facts.OxygenFlows.Where(f => In(f.Time)).Select(f => (decimal?)f.LitresPerMinute).Max(),
                facts.Administrations.Any(a => DrugGroups.IsVasopressor(a.Drug) && a.Overlaps(start, end.AddTicks(-1))),
                facts.IceScores.Where(s => In(s.Time)).Select(s => (int?)s.Score).Min(),
                facts.CapdScores.Where(s => In(s.Time)).Select(s => (int?)s.Score).Max(),
                CrsGrading.Assess(facts, evaluation, rules).Grade,
                IcansGrading.Assess(facts, evaluation, rules).Grade,
                facts.Administrations.Where(a => DrugGroups.IsAntiCytokineOrSteroid(a.Drug) && In(a.Start))
                    .Select(a => new TimelineDose(DrugGroups.Name(a.Drug), a.Start.ToString("O", CultureInfo.InvariantCulture), a.DoseMg)).ToList()));
        }
        return days;
    }

    /// <summary>The story's last day after <paramref name="infusion"/>: the day of the last temperature
    /// (the examples chart one every day), or of <paramref name="until"/> when given; 0 … <see cref="MaxDaysAfterInfusion"/>.</summary>
    public static int LastDay(ClinicalFacts facts, CarTInfusion infusion, DateTimeOffset? until = null)
    {
        var lastReading = facts.Temperatures.Select(t => t.Time).DefaultIfEmpty(infusion.Time).Max();
        return Math.Clamp(infusion.CalendarDay(until ?? lastReading), 0, MaxDaysAfterInfusion);
    }

    // For the chart only (the grade comes from the rules): room air 0, low-flow devices 1,
    // high-flow and masks 2, non-invasive positive pressure 3, invasive ventilation 4.
    private static int SupportLevel(OxygenDevice d) => d switch
    {
        OxygenDevice.RoomAir => 0,
        OxygenDevice.BlowBy or OxygenDevice.NasalCannula => 1,
        OxygenDevice.HighFlowNasalCannula or OxygenDevice.FaceMask or OxygenDevice.NonRebreatherMask or OxygenDevice.VenturiMask => 2,
        OxygenDevice.Cpap or OxygenDevice.Bipap => 3,
        _ => 4,
    };
}
