using CarTCds.Rules.Facts;

namespace CarTCds.Rules.Crs;

/// <summary>The time-stamped records a CRS grading reads through its window (temperatures,
/// systolic pressures, hypotension records, oxygen devices and flows): every record of the facts
/// inside the window, in the facts' own order, and possibly more (the grading applies the window
/// itself). Drugs, infusions and the birth date are read from the facts.</summary>
internal sealed record CrsWindowRecords(
    IReadOnlyList<TemperatureReading> Temperatures,
    IReadOnlyList<SystolicPressureReading> SystolicPressures,
    IReadOnlyList<HypotensionRecord> HypotensionRecords,
    IReadOnlyList<OxygenDeviceReading> OxygenDevices,
    IReadOnlyList<OxygenFlowReading> OxygenFlows)
{
    /// <summary>All of the facts' records (no copy).</summary>
    public static CrsWindowRecords Of(ClinicalFacts facts) =>
        new(facts.Temperatures, facts.SystolicPressures, facts.HypotensionRecords, facts.OxygenDevices, facts.OxygenFlows);
}

/// <summary>The records of each UTC calendar day of a CRS course, sorted into days once, so that
/// grading day N reads day N's records instead of every record of the chart (the course of a chart
/// with 10,000 records and 365 days would otherwise scan 3.65 million).</summary>
/// <remarks>Day <c>i</c> holds the records timed in [start + i days, start + i + 1 days), in the
/// facts' own order: a superset of the day's grading window (dayStart − 1 tick, min(dayEnd − 1 tick,
/// evaluation)], and, with the order kept, ties (two equal temperatures, the lowest of two equal
/// pressures) resolve as they do over the whole list.</remarks>
internal sealed class CrsCourseDays
{
    private readonly DayRecords<TemperatureReading> _temperatures;
    private readonly DayRecords<SystolicPressureReading> _systolicPressures;
    private readonly DayRecords<HypotensionRecord> _hypotensionRecords;
    private readonly DayRecords<OxygenDeviceReading> _oxygenDevices;
    private readonly DayRecords<OxygenFlowReading> _oxygenFlows;

    /// <param name="facts">The patient's facts.</param>
    /// <param name="firstDayStart">Midnight UTC that starts the first day.</param>
    /// <param name="dayCount">How many days.</param>
    public CrsCourseDays(ClinicalFacts facts, DateTimeOffset firstDayStart, int dayCount)
    {
        var start = firstDayStart.UtcTicks;
        _temperatures = new(facts.Temperatures, r => r.Time, start, dayCount);
        _systolicPressures = new(facts.SystolicPressures, r => r.Time, start, dayCount);
        _hypotensionRecords = new(facts.HypotensionRecords, r => r.Time, start, dayCount);
        _oxygenDevices = new(facts.OxygenDevices, r => r.Time, start, dayCount);
        _oxygenFlows = new(facts.OxygenFlows, r => r.Time, start, dayCount);
    }

    /// <summary>The records of day <paramref name="index"/> (0 = the first day).</summary>
    public CrsWindowRecords Day(int index) =>
        // A day without any record (most of a long course) shares one empty set.
        _temperatures.IsEmpty(index) && _systolicPressures.IsEmpty(index) && _hypotensionRecords.IsEmpty(index) &&
        _oxygenDevices.IsEmpty(index) && _oxygenFlows.IsEmpty(index)
            ? None
            : new(_temperatures.Day(index), _systolicPressures.Day(index), _hypotensionRecords.Day(index), _oxygenDevices.Day(index), _oxygenFlows.Day(index));

    private static readonly CrsWindowRecords None = new([], [], [], [], []);

    // One list sorted into days by a counting sort (stable: the list's order within a day); records
    // outside the days are left out.
    private sealed class DayRecords<T>
    {
        private readonly T[] _records;
        private readonly int[] _starts;

        public DayRecords(IReadOnlyList<T> records, Func<T, DateTimeOffset> time, long firstDayStartTicks, int dayCount)
        {
            var days = new int[records.Count];
            _starts = new int[dayCount + 1];
            for (var i = 0; i < records.Count; i++)
            {
                var offset = time(records[i]).UtcTicks - firstDayStartTicks;
                var day = offset < 0 || offset / TimeSpan.TicksPerDay >= dayCount ? -1 : (int)(offset / TimeSpan.TicksPerDay);
                days[i] = day;
                if (day >= 0) _starts[day + 1]++;
            }
            for (var d = 0; d < dayCount; d++) _starts[d + 1] += _starts[d];
            _records = new T[_starts[dayCount]];
            var next = _starts[..dayCount];
            for (var i = 0; i < records.Count; i++)
            {
                if (days[i] >= 0) _records[next[days[i]]++] = records[i];
            }
        }

        public bool IsEmpty(int index) => _starts[index] == _starts[index + 1];

        public IReadOnlyList<T> Day(int index) => new ArraySegment<T>(_records, _starts[index], _starts[index + 1] - _starts[index]);
    }
}
