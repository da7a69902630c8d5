using System.Globalization;

namespace CarTCds.Rules;

/// <summary>How clinical text is written, on findings and on cards alike: numbers, doses, durations,
/// temperatures, dates and times. Invariant culture, no trailing zeros. The one place: rules and
/// card composers call it, so every text says "38.0 °C", "24 h" and "2013-05-19 04:00Z" the same way.</summary>
/// <remarks>One date convention: times are written in UTC as <c>yyyy-MM-dd HH:mmZ</c> and dates as
/// <c>yyyy-MM-dd</c> (the UTC date of a time), whatever offset the record was charted with, because
/// "day N after infusion" is counted in UTC calendar days (<see cref="Facts.CarTInfusion.CalendarDayAfter"/>)
/// and a card must never mix offsets. A patient's age date is a <see cref="DateOnly"/> already (their local date).</remarks>
public static class ClinicalText
{
    /// <summary><c>6.5</c>, <c>90</c>, <c>0.13</c>.</summary>
    public static string Num(decimal d) => d.ToString("0.##", CultureInfo.InvariantCulture);

    /// <summary>With thousands separators: <c>45,000</c>.</summary>
    public static string Thousands(decimal d) => d.ToString("#,0.##", CultureInfo.InvariantCulture);

    /// <summary>Hours with at most one decimal: <c>24</c>, <c>11.9</c>.</summary>
    public static string Hours(TimeSpan t) => t.TotalHours.ToString("0.#", CultureInfo.InvariantCulture);

    /// <summary>Temperature with one decimal at least: <c>38.0 °C</c>, <c>39.45 °C</c>.</summary>
    public static string Celsius(decimal c) => $"{c.ToString("0.0#", CultureInfo.InvariantCulture)} °C";

    /// <summary>Days with at most one decimal: <c>7</c>, <c>2.5</c>.</summary>
    public static string Days(TimeSpan t) => t.TotalDays.ToString("0.#", CultureInfo.InvariantCulture);

    /// <summary>A dose in mg with at most one decimal: <c>416</c>, <c>358.8</c>.</summary>
    public static string Mg(decimal mg) => mg.ToString("0.#", CultureInfo.InvariantCulture);

    /// <summary>A calendar date: <c>2013-05-19</c>.</summary>
    public static string Date(DateOnly d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>The UTC date of a time: <c>2013-05-19</c> (2013-05-18T23:00-05:00 is 2013-05-19).</summary>
    public static string Date(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>A time in UTC: <c>2013-05-19 04:00Z</c> (2013-05-19T06:00+02:00 is written 04:00Z).</summary>
    public static string When(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + "Z";

    /// <summary><see cref="When(DateTimeOffset)"/>, or <c>—</c> when the time is unknown.</summary>
    public static string When(DateTimeOffset? t) => t is { } v ? When(v) : "—";

    /// <summary>Phrases joined once each: a phrase equal to another, or already contained in a longer
    /// one as whole words (<c>unarousable</c> inside <c>ICE 0, unarousable</c>), is left out, so a
    /// summary never reads "unarousable + unarousable". Order is kept; case is ignored.</summary>
    public static string JoinOnce(string separator, IEnumerable<string> phrases)
    {
        var list = phrases.Where(p => !string.IsNullOrWhiteSpace(p)).Select(p => p.Trim()).ToList();
        var kept = new List<string>();
        for (var i = 0; i < list.Count; i++)
        {
            var phrase = list[i];
            var repeated = kept.Any(k => string.Equals(k, phrase, StringComparison.OrdinalIgnoreCase))
                || list.Where((other, j) => j != i && other.Length > phrase.Length).Any(other => ContainsWords(other, phrase));
            if (!repeated) kept.Add(phrase);
        }
        return string.Join(separator, kept);
    }

    private static bool ContainsWords(string text, string phrase)
    {
        for (var at = text.IndexOf(phrase, StringComparison.OrdinalIgnoreCase); at >= 0; at = text.IndexOf(phrase, at + 1, StringComparison.OrdinalIgnoreCase))
        {
            var end = at + phrase.Length;
            if ((at == 0 || !char.IsLetterOrDigit(text[at - 1])) && (end == text.Length || !char.IsLetterOrDigit(text[end]))) return true;
        }
        return false;
    }

    /// <summary>A duration in words: <c>7 h 59 min</c>, <c>3 days</c>.</summary>
    public static string Span(TimeSpan t)
    {
        if (t < TimeSpan.Zero) t = t.Negate();
        if (t >= TimeSpan.FromDays(2)) return $"{(int)t.TotalDays} days";
        var hours = (int)t.TotalHours;
        return t.Minutes == 0 ? $"{hours} h" : hours == 0 ? $"{t.Minutes} min" : $"{hours} h {t.Minutes} min";
    }

    public static string AgeOf(DateTimeOffset time, DateTimeOffset at) => Span(at - time);

    private static readonly string[] Superscripts = ["⁰", "¹", "²", "³", "⁴", "⁵", "⁶", "⁷", "⁸", "⁹"];

    private static string Power(int exponent) =>
        "10" + string.Concat(exponent.ToString(CultureInfo.InvariantCulture).Select(c => Superscripts[c - '0']));

    /// <summary>A patient's cell-dose range, each end in scientific notation with up to 3 decimals:
    /// the lower end rounded up and the upper end rounded down, so the range shown never leaves the
    /// label's (<c>5.98 × 10⁶ to 1.495 × 10⁸</c>).</summary>
    public static string CellTotals(decimal min, decimal max) => $"{Cells(min, roundUp: true)} to {Cells(max, roundUp: false)}";

    private static string Cells(decimal value, bool roundUp)
    {
        var exponent = 0;
        var scale = 1m;
        while (value / scale >= 10m) { scale *= 10m; exponent++; }
        var mantissa = value / scale * 1000m;
        mantissa = (roundUp ? Math.Ceiling(mantissa) : Math.Floor(mantissa)) / 1000m;
        return $"{mantissa.ToString("0.###", CultureInfo.InvariantCulture)} × {Power(exponent)}";
    }

    /// <summary>A cell-count range on the exponent of its upper end, as the label writes it: <c>0.2–5.0 × 10⁶</c>.</summary>
    public static string CellRange(decimal min, decimal max)
    {
        var exponent = 0;
        var scale = 1m;
        while (max / scale >= 10m) { scale *= 10m; exponent++; }
        string M(decimal v) => (v / scale).ToString("0.0##", CultureInfo.InvariantCulture);
        return $"{M(min)}–{M(max)} × {Power(exponent)}";
    }
}
