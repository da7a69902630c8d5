using System.Runtime.InteropServices;
using CarTCds.Rules.Facts;

namespace CarTCds.Rules.Crs;

/// <summary>A dose that waives the fever criterion, and the CRS episode it belongs to.</summary>
/// <param name="Drug">The antipyretic, anti-cytokine drug or corticosteroid.</param>
/// <param name="DoseTime">When it was given.</param>
/// <param name="DoseSource">Its FHIR reference.</param>
/// <param name="EpisodeStart">The first CRS-qualifying finding of the episode (fever, hypotension,
/// vasopressor, oxygen), or the dose itself when it came first.</param>
/// <param name="LastFinding">The latest CRS-qualifying finding of the episode up to the evaluation
/// time (or the dose, when none followed it); the episode ends
/// <see cref="CrsParameters.EpisodeEndsAfter"/> after it.</param>
public sealed record FeverMasking(Drug Drug, DateTimeOffset DoseTime, string DoseSource, DateTimeOffset EpisodeStart, DateTimeOffset LastFinding);

/// <summary>CRS episodes after infusion: runs of CRS-qualifying findings (fever, hypotension, a
/// vasopressor, supplemental oxygen) with no gap of <see cref="CrsParameters.EpisodeEndsAfter"/>
/// or more between them.</summary>
/// <remarks>
/// ASTCT 2019 (Lee et al., Table 5 footnote): "In patients who have CRS then receive antipyretic or
/// anticytokine therapy such as tocilizumab or steroids, fever is no longer required to grade
/// <i>subsequent</i> CRS severity" — the waiver belongs to that CRS episode, not to the rest of the
/// patient's life: once the episode has ended, a new episode needs a fever again.
/// </remarks>
internal static class CrsEpisodes
{
    private sealed class Episode(DateTimeOffset start, int firstSpan)
    {
        public DateTimeOffset Start { get; } = start;
        /// <summary>Index of the episode's first finding in the sorted findings it was merged from.</summary>
        public int FirstSpan { get; } = firstSpan;
        public DateTimeOffset LastEnd { get; set; } = start;
        public List<DateTimeOffset> Fevers { get; init; } = [];
    }

    // Order: its place in the order Spans collected it, so that findings starting at the same instant
    // stay in that order when sorted (SortByStart).
    private readonly record struct Span(DateTimeOffset Start, DateTimeOffset End, bool Fever, int Order = 0);

    /// <summary>The latest dose whose episode is still open at <paramref name="at"/> (Active), and
    /// otherwise the latest dose that would have masked fever had its episode not ended (Expired).</summary>
    public static (FeverMasking? Active, FeverMasking? Expired) FindMasking(ClinicalFacts facts, DateTimeOffset at, CrsParameters p)
    {
        var infusion = facts.LatestInfusion(at);
        var since = infusion?.Time ?? at - p.MaskingLookBackWithoutInfusion;
        var episodes = new List<Episode>();
        var spans = ReusedList<Span>.Rent();
        try
        {
            Spans(spans, facts, since, at, HypotensionThreshold(facts, at, p), p);
            SortByStart(spans);
            for (var i = 0; i < spans.Count; i++) Merge(episodes, spans[i], i, p);
            return Masking(facts.Administrations, episodes, since, at, p);
        }
        finally
        {
            ReusedList<Span>.Return(spans);
        }
    }

    private static (FeverMasking? Active, FeverMasking? Expired) Masking(IReadOnlyList<DrugAdministration> administrations, List<Episode> episodes,
        DateTimeOffset since, DateTimeOffset at, CrsParameters p)
    {
        // The latest dose of each kind, its episode and last finding; the maskings are made at the end
        // (the course asks on every day since infusion, and the doses come in time order).
        (DrugAdministration Dose, Episode? Containing, DateTimeOffset Last)? active = null;
        (DrugAdministration Dose, Episode? Containing, DateTimeOffset Last)? expired = null;
        foreach (var a in administrations)
        {
            // ASTCT 2019: CRS follows immune-effector therapy, so a dose at or before the infusion
            // (premedication, another indication) never masks; the doses counted are those in (since, at].
            if (a.Start > at || a.Start <= since) continue;
            var antiCytokine = DrugGroups.IsAntiCytokineOrSteroid(a.Drug);
            if (!antiCytokine && !(p.AntipyreticsMaskFever && DrugGroups.IsAntipyretic(a.Drug))) continue;

            var containing = Containing(episodes, a.Start, p);
            // An antipyretic masks only a fever it was given for: a fever earlier in the same episode
            // (pre-infusion premedication or a dose for pain never masks anything).
            if (!antiCytokine && (containing is null || !FeverBy(containing, a.Start))) continue;

            var last = containing is null ||
                // Stryker disable once Equality : at equal instants both sides give the same instant (only its UTC offset could differ, and LastFinding is read as an instant)
                containing.LastEnd < a.Start ? a.Start : containing.LastEnd;
            // A later episode starting less than EpisodeEndsAfter after `last` continues the dose's
            // episode. Episodes starting at or before the dose (the containing one, and earlier ones
            // that ended EpisodeEndsAfter or more before it) end at or before `last`: they change nothing.
            foreach (var e in episodes)
            {
                if (e.Start - last >= p.EpisodeEndsAfter) break;
                // Stryker disable once Equality : at equal instants both sides give the same instant
                if (e.LastEnd > last) last = e.LastEnd;
            }
            if (at - last < p.EpisodeEndsAfter)
            {
                if (active is null || a.Start > active.Value.Dose.Start) active = (a, containing, last);
            }
            else if (expired is null || a.Start > expired.Value.Dose.Start)
            {
                expired = (a, containing, last);
            }
        }
        return (Of(active), Of(expired));

        static FeverMasking? Of((DrugAdministration Dose, Episode? Containing, DateTimeOffset Last)? m) =>
            m is var (a, containing, last) ? new FeverMasking(a.Drug, a.Start, a.Source, containing?.Start ?? a.Start, last) : null;
    }

    // The episode a dose at `t` falls in (from its start until EpisodeEndsAfter after its last finding), or null.
    // Loops, not LINQ: this runs for every dose on every day of the course.
    private static Episode? Containing(List<Episode> episodes, DateTimeOffset t, CrsParameters p)
    {
        foreach (var e in episodes)
        {
            if (e.Start <= t && t < e.LastEnd + p.EpisodeEndsAfter) return e;
        }
        return null;
    }

    // Whether the episode had a fever at or before `t`.
    private static bool FeverBy(Episode episode, DateTimeOffset t)
    {
        foreach (var f in episode.Fevers)
        {
            if (f <= t) return true;
        }
        return false;
    }

    // The SBP below which a reading counts as hypotension, by the patient's age at the evaluation day; null without a birth date.
    private static decimal? HypotensionThreshold(ClinicalFacts facts, DateTimeOffset at, CrsParameters p) =>
        facts.BirthDate is { } birth ? p.HypotensionThresholdMmHg(Age.CompletedYears(birth, DateOnly.FromDateTime(at.UtcDateTime))) : null;

    // Every CRS-qualifying finding in (since, at], vasopressors clipped to it, in list order, added to
    // `spans` (a ReusedList: at 10,000 records a new list per call was a large-object-heap array).
    private static void Spans(List<Span> spans, ClinicalFacts facts, DateTimeOffset since, DateTimeOffset at, decimal? sbpThreshold, CrsParameters p)
    {
        bool In(DateTimeOffset t) => t > since && t <= at;
        spans.AddRange(facts.Temperatures.Where(t => In(t.Time) && t.Celsius >= p.FeverCelsius).Select(t => new Span(t.Time, t.Time, true)));
        spans.AddRange(facts.HypotensionRecords.Where(h => In(h.Time)).Select(h => new Span(h.Time, h.Time, false)));
        if (sbpThreshold is { } threshold)
        {
            spans.AddRange(facts.SystolicPressures.Where(s => In(s.Time) && s.MmHg < threshold).Select(s => new Span(s.Time, s.Time, false)));
        }
        foreach (var a in facts.Administrations.Where(a => DrugGroups.IsVasopressor(a.Drug) && a.Overlaps(since.AddTicks(1), at)))
        {
            var end = a.IsOngoing ? at : a.End ?? a.Start;
            spans.Add(new Span(a.Start > since ? a.Start : since.AddTicks(1),
                // Stryker disable once Equality : at equal instants both sides give the same instant
                end > at ? at : end, false));
        }
        spans.AddRange(facts.OxygenDevices.Where(d => In(d.Time) && d.Device != OxygenDevice.RoomAir).Select(d => new Span(d.Time, d.Time, false)));
        spans.AddRange(facts.OxygenFlows.Where(f => In(f.Time) && f.LitresPerMinute > 0m).Select(f => new Span(f.Time, f.Time, false)));
    }

    // By start instant, equal starts in collection order (a stable sort, as OrderBy was): the episode's
    // start and last finding are then the very values, UTC offsets included, of the first such finding.
    // Sorted in place: OrderBy copied the findings twice more.
    private static void SortByStart(List<Span> spans)
    {
        var all = CollectionsMarshal.AsSpan(spans);
        var order = 0;
        foreach (ref var s in all) s = s with { Order = order++ };
        all.Sort(static (a, b) => (a.Start, a.Order).CompareTo((b.Start, b.Order)));
    }

    // Spans arrive in start order: a span EpisodeEndsAfter or more after the episode's last finding starts the next one.
    private static void Merge(List<Episode> episodes, Span s, int index, CrsParameters p)
    {
        var current = episodes.Count > 0 ? episodes[^1] : null;
        if (current is null || s.Start - current.LastEnd >= p.EpisodeEndsAfter)
        {
            current = new Episode(s.Start, index);
            episodes.Add(current);
        }
        // Stryker disable once Equality : at equal instants both sides give the same instant
        if (s.End > current.LastEnd) current.LastEnd = s.End;
        if (s.Fever) current.Fevers.Add(s.Start);
    }

    /// <summary>The CRS episodes since one infusion, read day by day in time order while the course
    /// since that infusion is graded (<see cref="CrsCourseAnalysis"/>): the findings are collected and
    /// sorted once, and each later day only merges the findings up to its own end, instead of
    /// rebuilding every episode since the infusion for every day.</summary>
    /// <remarks>Gives what <see cref="CrsEpisodes.FindMasking(ClinicalFacts, DateTimeOffset, CrsParameters)"/>
    /// gives at the same time (proved against it in CarTCds.Hooks.Tests, CrsCourseEquivalenceTests):
    /// the findings up to a day's end are a prefix of the findings up to the course's end in start
    /// order; a vasopressor running past the day's end is cut at it, which changes only the last
    /// finding of its episode (merging compares starts at or before the day's end, and
    /// <see cref="CrsParameters.EpisodeEndsAfter"/> is positive), recomputed from that episode's findings; the hypotension threshold follows
    /// the age at each day, so a birthday that moves it starts the collection again. A day that ends
    /// at the infusion instant itself, or whose latest infusion is another, is computed the plain way.
    /// Dispose it when the course is graded: it gives its findings' list back to the thread (<see cref="ReusedList{T}"/>).</remarks>
    internal sealed class CourseEpisodes(ClinicalFacts facts, DateTimeOffset since, DateTimeOffset end, CrsParameters p) : IDisposable
    {
        private readonly List<Span> _spans = ReusedList<Span>.Rent();
        private decimal? _threshold;
        private bool _collected;
        private int _merged;
        private DateTimeOffset _lastAt = DateTimeOffset.MinValue;
        private readonly List<Episode> _episodes = [];
        // The episodes up to the asked time, refilled on every ask (kept: asked once a day of the course).
        private readonly List<Episode> _upToAt = [];

        /// <summary>As <see cref="CrsEpisodes.FindMasking(ClinicalFacts, DateTimeOffset, CrsParameters)"/> at
        /// <paramref name="at"/> (a time in (since, end], asked in increasing order for speed).</summary>
        public (FeverMasking? Active, FeverMasking? Expired) FindMasking(DateTimeOffset at)
        {
            // Stryker disable once Equality,Logical : the fallback computes the same masking the plain way, and CrsCourseAnalysis only asks for times in (since, end] after this infusion (at == since gives no masking either way)
            if (at <= since || at > end || facts.LatestInfusion(at)?.Time != since) return CrsEpisodes.FindMasking(facts, at, p);

            var threshold = HypotensionThreshold(facts, at, p);
            if (!_collected || threshold != _threshold ||
                // Stryker disable once Equality : collecting again only costs time (the course asks in increasing order)
                at < _lastAt)
            {
                _spans.Clear();
                Spans(_spans, facts, since, end, threshold, p);
                SortByStart(_spans);
                _threshold = threshold;
                _collected = true;
                _merged = 0;
                _episodes.Clear();
            }
            _lastAt = at;
            while (_merged < _spans.Count &&
                // Stryker disable once Equality : a finding starting exactly at `at` changes no grade — it is in the day's window, so a fever there makes the day febrile, and any other finding there either continues the dose's open episode or starts a new one — and the course builds no masking words (the `>` mutant is killed by CrsCourseGradesTests but ignored with it)
                _spans[_merged].Start <= at)
            {
                Merge(_episodes, _spans[_merged], _merged, p);
                _merged++;
            }

            // Up to this day's end: a finding running on past it (a vasopressor) counts up to the end
            // only. Such an episode's last finding is merged again from its own findings cut at the
            // end, so that it is the very value (instant and UTC offset) the plain way gives.
            var episodes = _upToAt;
            episodes.Clear();
            for (var k = 0; k < _episodes.Count; k++)
            {
                var e = _episodes[k];
                // Stryker disable once Equality : an episode ending exactly at `at` cut at `at` is the same instant (the `>` mutant is killed by CrsInfusionAndEpisodeTests' course rows but ignored with it)
                if (e.LastEnd <= at)
                {
                    episodes.Add(e);
                    continue;
                }
                var cut = new Episode(e.Start, e.FirstSpan) { Fevers = e.Fevers };
                // Its findings are the merged ones from its first on: an episode running past `at` is the
                // last one, since a later one would start EpisodeEndsAfter after its last finding, after `at`.
                for (var i = e.FirstSpan; i < _merged; i++)
                {
                    // Stryker disable once Equality : at equal instants both sides give the same instant
                    var spanEnd = _spans[i].End > at ? at : _spans[i].End;
                    // Stryker disable once Equality : at equal instants both sides give the same instant
                    if (spanEnd > cut.LastEnd) cut.LastEnd = spanEnd;
                }
                episodes.Add(cut);
            }
            return Masking(facts.Administrations, episodes, since, at, p);
        }

        /// <summary>Gives the findings' list back to the thread; not to be used afterwards.</summary>
        public void Dispose() => ReusedList<Span>.Return(_spans);
    }
}
