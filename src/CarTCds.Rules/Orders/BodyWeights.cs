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
            ? [new Evidence(w.Source, w.Time, $"body weight {ClinicalText.Num(w.Kilograms)} kg{(IsStale ? $" ({ClinicalText.AgeOf(w.Time, at)} old: stale)" : "")}")]
            : Conflicting.Select(c => new Evidence(c.Source, c.Time, $"body weight {ClinicalText.Num(c.Kilograms)} kg (conflicts with another weight at the same time)")).ToList();

    /// <summary>The sentence to show when no weight could be used, or null when one was.</summary>
    public string? Problem => Weight is not null ? null
        : Conflicting.Count > 0
            ? $"Conflicting body weights recorded at the same time ({string.Join(", ", Conflicting.Select(c => $"{ClinicalText.Num(c.Kilograms)} kg {c.Source}"))}): confirm the weight"
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
