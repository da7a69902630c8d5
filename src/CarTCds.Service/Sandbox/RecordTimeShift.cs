using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace CarTCds.Service.Sandbox;

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
