using System.Globalization;
using CarTCds.Rules.Facts;

namespace CarTCds.Rules.Orders;

/// <summary>The body weight a dose rests on (LOINC 29463-7), chosen from the facts.</summary>
/// <param name="Weight">The latest usable weight at or before the evaluation time; null when there
/// is none, or when the latest ones conflict (see <see cref="Conflicting"/>).</param>
/// <param name="IsStale">True when <see cref="Weight"/> is older than the stale limit (still used).</param>
/// <param name="Conflicting">Weights recorded at the same latest time with different values; the
/// dose is then not computed, since choosing one would be a guess.</param>
/// <param name="Unusable">Weights of 0 kg or less, left out.</param>
internal sealed record WeightChoice(BodyWeight? Weight, bool IsStale, IReadOnlyList<BodyWeight> Conflicting, IReadOnlyList<BodyWeight> Unusable)
{
    /// <summary>Evidence for the chosen weight, or for the conflicting ones.</summary>
    public IReadOnlyList<Evidence> Evidence(DateTimeOffset at) =>
        Weight is { } w
            ? [new Evidence(w.Source, w.Time, $"body weight {Fmt.Num(w.Kilograms)} kg{(IsStale ? $" ({Fmt.AgeOf(w.Time, at)} old: stale)" : "")}")]
            : Conflicting.Select(c => new Evidence(c.Source, c.Time, $"body weight {Fmt.Num(c.Kilograms)} kg (conflicts with another weight at the same time)")).ToList();

    /// <summary>The sentence to show when no weight could be used, or null when one was.</summary>
    public string? Problem => Weight is not null ? null
        : Conflicting.Count > 0
            ? $"Conflicting body weights recorded at the same time ({string.Join(", ", Conflicting.Select(c => $"{Fmt.Num(c.Kilograms)} kg {c.Source}"))}): confirm the weight"
            : "Body weight (LOINC 29463-7) missing";
}

/// <summary>Chooses the body weight for dosing.</summary>
internal static class BodyWeights
{
    /// <summary>The latest weight at or before <paramref name="at"/>; later weights are ignored.
    /// Weights ≤ 0 kg are left out. Several weights at the same latest time with the same value are
    /// one weight; with different values they conflict and none is chosen.</summary>
    public static WeightChoice Latest(ClinicalFacts facts, DateTimeOffset at, TimeSpan staleAfter)
    {
        var upToAt = facts.Weights.Where(w => w.Time <= at).ToList();
        var unusable = upToAt.Where(w => w.Kilograms <= 0m).ToList();
        var usable = upToAt.Where(w => w.Kilograms > 0m).ToList();
        if (usable.Count == 0) return new WeightChoice(null, false, [], unusable);

        var latestTime = usable.Max(w => w.Time);
        var atLatest = usable.Where(w => w.Time == latestTime).OrderBy(w => w.Source, StringComparer.Ordinal).ToList();
        if (atLatest.Select(w => w.Kilograms).Distinct().Count() > 1) return new WeightChoice(null, false, atLatest, unusable);

        var chosen = atLatest[0];
        return new WeightChoice(chosen, at - chosen.Time > staleAfter, [], unusable);
    }
}

/// <summary>Number, time and quantity formatting for clinical sentences (invariant culture).</summary>
internal static class Fmt
{
    public static string Num(decimal d) => d.ToString("0.##", CultureInfo.InvariantCulture);

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
