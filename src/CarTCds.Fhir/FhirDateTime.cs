using System.Globalization;

namespace CarTCds.Fhir;

/// <summary>Parses FHIR <c>date</c>, <c>dateTime</c> and <c>instant</c> values
/// (http://hl7.org/fhir/R4/datatypes.html#dateTime).</summary>
/// <remarks>A partial value (<c>2013</c>, <c>2013-05</c>, <c>2013-05-14</c>) stands for the whole
/// interval it names: <see cref="TryParse"/> gives its start and its exclusive end. Values without
/// a time are taken in UTC, because FHIR gives them no zone and the service must not guess the
/// server's. A value with a time but no offset is invalid FHIR and is refused.
/// <para>The ends of the calendar (README "Reliability"): FHIR allows years 0001–9999, and EHRs write
/// <c>9999-12-31</c> as an open-ended placeholder. The end of an interval in the last year, month or
/// day of 9999 is <see cref="DateTimeOffset.MaxValue"/> (one tick short of the true exclusive end,
/// 10000-01-01, which .NET cannot represent). An instant whose UTC falls outside
/// 0001-01-01T00:00:00Z – 9999-12-31T23:59:59.9999999Z (e.g. <c>9999-12-31T23:59:59-05:00</c>) cannot
/// be represented either and is refused, so callers treat it as an unusable time; it never throws.</para></remarks>
public static class FhirDateTime
{
    private const int LastYear = 9999;

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
                end = y < LastYear ? start.AddYears(1) : DateTimeOffset.MaxValue;
                return true;
            case 7 when DateTime.TryParseExact(value, "yyyy-MM", CultureInfo.InvariantCulture, DateTimeStyles.None, out var ym):
                start = new DateTimeOffset(ym, TimeSpan.Zero);
                end = ym.Year < LastYear || ym.Month < 12 ? start.AddMonths(1) : DateTimeOffset.MaxValue;
                return true;
            case 10 when DateTime.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d):
                start = new DateTimeOffset(d, TimeSpan.Zero);
                end = d.Date < DateTime.MaxValue.Date ? start.AddDays(1) : DateTimeOffset.MaxValue;
                return true;
        }

        // Hot path (one per Observation): the common "yyyy-MM-ddTHH:mm:ss(Z|±hh:mm)" read by position.
        if (TryParseSimpleInstant(value, out var fast))
        {
            start = fast;
            end = fast;
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

    // "yyyy-MM-ddTHH:mm:ssZ" (20) or "yyyy-MM-ddTHH:mm:ss±hh:mm" (25), no fraction; anything else
    // (fractions, odd forms) goes to TryParseExact, which remains the authority on validity.
    private static bool TryParseSimpleInstant(string v, out DateTimeOffset result)
    {
        result = default;
        if (!(v.Length == 20 && v[19] == 'Z') && !(v.Length == 25 && v[19] is '+' or '-' && v[22] == ':')) return false;
        if (v[4] != '-' || v[7] != '-' || v[10] != 'T' || v[13] != ':' || v[16] != ':') return false;
        if (!Digits(v, 0, 4, out var year) || !Digits(v, 5, 2, out var month) || !Digits(v, 8, 2, out var day)
            || !Digits(v, 11, 2, out var hour) || !Digits(v, 14, 2, out var minute) || !Digits(v, 17, 2, out var second)) return false;
        var offset = TimeSpan.Zero;
        if (v.Length == 25)
        {
            if (!Digits(v, 20, 2, out var oh) || !Digits(v, 23, 2, out var om) || oh > 14 || om > 59) return false;
            offset = new TimeSpan(oh, om, 0) * (v[19] == '-' ? -1 : 1);
        }
        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month) || hour > 23 || minute > 59 || second > 59) return false;
        var local = new DateTime(year, month, day, hour, minute, second, DateTimeKind.Unspecified);
        // The UTC instant must be representable (the DateTimeOffset constructor throws otherwise).
        var utcTicks = local.Ticks - offset.Ticks;
        if (utcTicks < DateTime.MinValue.Ticks || utcTicks > DateTime.MaxValue.Ticks) return false;
        result = new DateTimeOffset(local, offset);
        return true;
    }

    private static bool Digits(string s, int start, int count, out int value)
    {
        value = 0;
        for (var i = start; i < start + count; i++)
        {
            var c = s[i];
            if (c is < '0' or > '9') return false;
            value = (value * 10) + (c - '0');
        }
        return true;
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
