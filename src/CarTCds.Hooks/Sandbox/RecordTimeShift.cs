using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using CarTCds.Rules.Facts;

namespace CarTCds.Hooks.Sandbox;

/// <summary>A story moved so that one of its days is today.</summary>
/// <param name="Bundle">The moved copy (records after <paramref name="StoryNow"/> left out).</param>
/// <param name="StoryNow">The story's own instant that became now.</param>
/// <param name="Offset">How far the story moved: whole days, positive into the future.</param>
public sealed record ShiftedStory(JsonObject Bundle, DateTimeOffset StoryNow, TimeSpan Offset);

/// <summary>Moves an example patient's record in time so that a chosen day of the story becomes
/// today for the engine: every instant moves by the same offset (the sandbox uses whole days, so
/// "day N after infusion" and every 24 h window stay those of the story), dates move by the offset
/// rounded to whole days (birth dates keep the age), and what the story records after the chosen
/// instant is left out (an EHR does not know the future).</summary>
public static partial class RecordTimeShift
{
    // FHIR instant/dateTime with a time and zone, e.g. 2013-05-12T14:30:00Z or …+02:00.
    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$", RegexOptions.CultureInvariant)]
    private static partial Regex InstantPattern();

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}$", RegexOptions.CultureInvariant)]
    private static partial Regex DatePattern();

    // The time a resource's fact happened, in the order FHIR R4 resources carry it.
    private static readonly string[] ClinicalTimePaths =
        ["effectiveDateTime", "effectiveInstant", "effectivePeriod.start", "performedDateTime", "performedPeriod.start",
         "onsetDateTime", "authoredOn", "recordedDate", "issued"];

    /// <summary>The clinical time of a resource (first of effective/performed/onset/authoredOn/
    /// recordedDate/issued), or null when it has none (a Patient).</summary>
    public static DateTimeOffset? ClinicalTime(JsonObject resource)
    {
        foreach (var path in ClinicalTimePaths)
        {
            JsonNode? node = resource;
            foreach (var part in path.Split('.')) node = node?[part];
            if (node is JsonValue v && v.TryGetValue<string>(out var s) && TryParseTime(s) is { } t) return t;
        }
        return null;
    }

    /// <summary>Day 0 of a story (UTC midnight): the day of its latest CAR-T infusion, or, with no
    /// infusion, the day of its latest record (epoch when it has none).</summary>
    /// <param name="bundle">The story's Bundle as JSON (for the latest record's time).</param>
    /// <param name="facts">Its facts (for the infusion).</param>
    public static DateTimeOffset DayZero(JsonObject bundle, ClinicalFacts facts)
    {
        ArgumentNullException.ThrowIfNull(bundle);
        ArgumentNullException.ThrowIfNull(facts);
        if (facts.Infusions.MaxBy(i => i.Time) is { } infusion) return infusion.DayZero;
        var latest = (bundle["entry"] as JsonArray ?? []).Select(e => e?["resource"] as JsonObject)
            .Select(r => r is null ? null : ClinicalTime(r)).Where(t => t is not null).DefaultIfEmpty(DateTimeOffset.UnixEpoch).Max()!.Value;
        return new DateTimeOffset(latest.UtcDateTime.Date, TimeSpan.Zero);
    }

    /// <summary>Moves a story by whole days so that its day <paramref name="day"/> (counted from
    /// <paramref name="dayZero"/>) is the UTC day of <paramref name="now"/>: "day N after infusion"
    /// and every 24 h window stay those of the story, and what the story charted after now's time
    /// of day on that day is left out (an EHR does not know the future).</summary>
    public static ShiftedStory ToToday(JsonObject bundle, DateTimeOffset dayZero, int day, DateTimeOffset now)
    {
        var offset = TimeSpan.FromDays((now.UtcDateTime.Date - dayZero.AddDays(day).UtcDateTime.Date).TotalDays);
        var storyNow = now - offset;
        return new ShiftedStory(Shift(bundle, storyNow, offset), storyNow, offset);
    }

    /// <summary>A copy of <paramref name="bundle"/> without the entries recorded after
    /// <paramref name="cutoff"/>, every instant moved by <paramref name="offset"/> and every
    /// full date by the offset rounded to whole days.</summary>
    public static JsonObject Shift(JsonObject bundle, DateTimeOffset cutoff, TimeSpan offset)
    {
        ArgumentNullException.ThrowIfNull(bundle);
        var copy = (JsonObject)bundle.DeepClone();
        if (copy["entry"] is JsonArray entries)
        {
            for (var i = entries.Count - 1; i >= 0; i--)
            {
                if (entries[i]?["resource"] is JsonObject r && ClinicalTime(r) is { } t && t > cutoff) entries.RemoveAt(i);
            }
        }
        var days = (int)Math.Round(offset.TotalDays, MidpointRounding.AwayFromZero);
        ShiftValues(copy, offset, days);
        return copy;
    }

    private static void ShiftValues(JsonNode node, TimeSpan offset, int days)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (key, child) in o.ToList())
                {
                    if (child is JsonValue v && v.TryGetValue<string>(out var s)) o[key] = Moved(s, offset, days);
                    else if (child is not null) ShiftValues(child, offset, days);
                }
                break;
            case JsonArray a:
                foreach (var child in a) if (child is not null) ShiftValues(child, offset, days);
                break;
        }
    }

    private static string Moved(string s, TimeSpan offset, int days)
    {
        if (InstantPattern().IsMatch(s) && TryParseTime(s) is { } t)
            return (t + offset).ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        if (DatePattern().IsMatch(s) && DateOnly.TryParseExact(s, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d))
            return d.AddDays(days).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        return s;
    }

    private static DateTimeOffset? TryParseTime(string s) =>
        DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t) ? t : null;
}
