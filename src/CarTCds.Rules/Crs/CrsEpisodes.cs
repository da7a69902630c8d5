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
    private sealed class Episode(DateTimeOffset start)
    {
        public DateTimeOffset Start { get; } = start;
        public DateTimeOffset LastEnd { get; set; } = start;
        public List<DateTimeOffset> Fevers { get; } = [];
    }

    /// <summary>The latest dose whose episode is still open at <paramref name="at"/> (Active), and
    /// otherwise the latest dose that would have masked fever had its episode not ended (Expired).</summary>
    public static (FeverMasking? Active, FeverMasking? Expired) FindMasking(ClinicalFacts facts, DateTimeOffset at, CrsParameters p)
    {
        var infusion = facts.LatestInfusion(at);
        var since = infusion?.Time ?? at - p.MaskingLookBackWithoutInfusion;
        var episodes = Episodes(facts, since, at, p);

        FeverMasking? active = null;
        FeverMasking? expired = null;
        foreach (var a in facts.Administrations)
        {
            if (a.Start > at || a.Start < since) continue;
            var antiCytokine = DrugGroups.IsAntiCytokineOrSteroid(a.Drug);
            if (!antiCytokine && !(p.AntipyreticsMaskFever && DrugGroups.IsAntipyretic(a.Drug))) continue;

            var containing = episodes.FirstOrDefault(e => e.Start <= a.Start && a.Start < e.LastEnd + p.EpisodeEndsAfter);
            // An antipyretic masks only a fever it was given for: a fever earlier in the same episode
            // (pre-infusion premedication or a dose for pain never masks anything).
            if (!antiCytokine && (containing is null || !containing.Fevers.Any(f => f <= a.Start))) continue;

            var last = containing is null || containing.LastEnd < a.Start ? a.Start : containing.LastEnd;
            foreach (var e in episodes.Where(e => e.Start > a.Start && e != containing))
            {
                if (e.Start - last >= p.EpisodeEndsAfter) break;
                if (e.LastEnd > last) last = e.LastEnd;
            }
            var masking = new FeverMasking(a.Drug, a.Start, a.Source, containing?.Start ?? a.Start, last);
            if (at - last < p.EpisodeEndsAfter)
            {
                if (active is null || a.Start > active.DoseTime) active = masking;
            }
            else if (expired is null || a.Start > expired.DoseTime)
            {
                expired = masking;
            }
        }
        return (active, expired);
    }

    private static List<Episode> Episodes(ClinicalFacts facts, DateTimeOffset since, DateTimeOffset at, CrsParameters p)
    {
        bool In(DateTimeOffset t) => t > since && t <= at;
        var spans = new List<(DateTimeOffset Start, DateTimeOffset End, bool Fever)>();
        spans.AddRange(facts.Temperatures.Where(t => In(t.Time) && t.Celsius >= p.FeverCelsius).Select(t => (t.Time, t.Time, true)));
        spans.AddRange(facts.HypotensionRecords.Where(h => In(h.Time)).Select(h => (h.Time, h.Time, false)));
        if (facts.BirthDate is { } birth)
        {
            var threshold = p.HypotensionThresholdMmHg(Age.CompletedYears(birth, DateOnly.FromDateTime(at.UtcDateTime)));
            spans.AddRange(facts.SystolicPressures.Where(s => In(s.Time) && s.MmHg < threshold).Select(s => (s.Time, s.Time, false)));
        }
        foreach (var a in facts.Administrations.Where(a => DrugGroups.IsVasopressor(a.Drug) && a.Overlaps(since.AddTicks(1), at)))
        {
            var end = a.IsOngoing ? at : a.End ?? a.Start;
            spans.Add((a.Start > since ? a.Start : since.AddTicks(1), end > at ? at : end, false));
        }
        spans.AddRange(facts.OxygenDevices.Where(d => In(d.Time) && d.Device != OxygenDevice.RoomAir).Select(d => (d.Time, d.Time, false)));
        spans.AddRange(facts.OxygenFlows.Where(f => In(f.Time) && f.LitresPerMinute > 0m).Select(f => (f.Time, f.Time, false)));

        var episodes = new List<Episode>();
        foreach (var s in spans.OrderBy(s => s.Start))
        {
            var current = episodes.Count > 0 ? episodes[^1] : null;
            if (current is null || s.Start - current.LastEnd >= p.EpisodeEndsAfter)
            {
                current = new Episode(s.Start);
                episodes.Add(current);
            }
            if (s.End > current.LastEnd) current.LastEnd = s.End;
            if (s.Fever) current.Fevers.Add(s.Start);
        }
        return episodes;
    }
}
