using System.Globalization;

namespace CarTCds.Rules;

/// <summary>How numbers, durations and temperatures are written in findings: invariant culture,
/// no trailing zeros. One place, so every rule writes "38.0 °C" and "24 h" the same way.</summary>
internal static class ClinicalText
{
    /// <summary><c>6.5</c>, <c>90</c>, <c>0.13</c>.</summary>
    public static string Num(decimal d) => d.ToString("0.##", CultureInfo.InvariantCulture);

    /// <summary>With thousands separators: <c>45,000</c>.</summary>
    public static string Thousands(decimal d) => d.ToString("#,0.##", CultureInfo.InvariantCulture);

    /// <summary>Hours with at most one decimal: <c>24</c>, <c>11.9</c>.</summary>
    public static string Hours(TimeSpan t) => t.TotalHours.ToString("0.#", CultureInfo.InvariantCulture);

    /// <summary>Temperature with one decimal at least: <c>38.0 °C</c>, <c>39.45 °C</c>.</summary>
    public static string Celsius(decimal c) => $"{c.ToString("0.0#", CultureInfo.InvariantCulture)} °C";

    public static string Date(DateOnly d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public static string Date(DateTimeOffset t) => t.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary><c>2013-05-19 04:00Z</c>, or with its offset when not UTC.</summary>
    public static string When(DateTimeOffset t) => t.Offset == TimeSpan.Zero
        ? t.ToString("yyyy-MM-dd HH:mm'Z'", CultureInfo.InvariantCulture)
        : t.ToString("yyyy-MM-dd HH:mmzzz", CultureInfo.InvariantCulture);

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
