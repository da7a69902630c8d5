using System.Globalization;

namespace CarTCds.Fhir;

/// <summary>Parses FHIR <c>date</c>, <c>dateTime</c> and <c>instant</c> values
/// (http://hl7.org/fhir/R4/datatypes.html#dateTime).</summary>
/// <remarks>A partial value (<c>2013</c>, <c>2013-05</c>, <c>2013-05-14</c>) stands for the whole
/// interval it names: <see cref="TryParse"/> gives its start and its exclusive end. Values without
/// a time are taken in UTC, because FHIR gives them no zone and the service must not guess the
/// server's. A value with a time but no offset is invalid FHIR and is refused.</remarks>
public static class FhirDateTime
{
    private static readonly string[] FullFormats =
    [
        "yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK",
    ];

    /// <summary>Parses a FHIR date/dateTime/instant into [start, end).</summary>
    public static bool TryParse(string? value, out DateTimeOffset start, out DateTimeOffset end)
    {
        start = end = default;
        if (string.IsNullOrEmpty(value)) return false;

        switch (value.Length)
        {
            case 4 when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var y) && y >= 1:
                start = new DateTimeOffset(y, 1, 1, 0, 0, 0, TimeSpan.Zero);
                end = start.AddYears(1);
                return true;
            case 7 when DateTime.TryParseExact(value, "yyyy-MM", CultureInfo.InvariantCulture, DateTimeStyles.None, out var ym):
                start = new DateTimeOffset(ym, TimeSpan.Zero);
                end = start.AddMonths(1);
                return true;
            case 10 when DateTime.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d):
                start = new DateTimeOffset(d, TimeSpan.Zero);
                end = start.AddDays(1);
                return true;
        }

        if (value.Length > 19 && (value.EndsWith('Z') || value[^6] is '+' or '-')
            && DateTimeOffset.TryParseExact(value, FullFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var instant))
        {
            start = instant;
            end = instant;
            return true;
        }
        return false;
    }

    /// <summary>The start of a FHIR date/dateTime, or null when absent or invalid.</summary>
    public static DateTimeOffset? StartOf(string? value) => TryParse(value, out var s, out _) ? s : null;

    /// <summary>Parses a FHIR <c>date</c> (YYYY-MM-DD only) as a calendar date.</summary>
    public static bool TryParseDate(string? value, out DateOnly date) =>
        DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out date);

    /// <summary>Writes an instant the way FHIR expects: UTC with seconds, <c>Z</c> suffix.</summary>
    public static string Format(DateTimeOffset instant) =>
        instant.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
