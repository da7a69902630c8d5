using System.Collections.Frozen;

namespace CarTCds.Fhir.Serialization;

/// <summary>The Observation codes (system, code) that some rule reads: an Observation with none of
/// them in <c>code.coding</c> is irrelevant to the rules, and the hook request reader skips it unread
/// (<see cref="ResourceJsonConverter(ObservationRelevance)"/>). Built once at start-up from the data
/// contract's single source (CarTCds.Hooks: <c>ClinicalFactsMapper.ObservationCodesRead</c>), never per call.</summary>
/// <remarks>Codes and systems are compared ordinally (FHIR codes are case-sensitive), as the facts
/// mapper compares them. Lookups by character span allocate nothing.</remarks>
public sealed class ObservationRelevance
{
    private readonly FrozenDictionary<string, FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>>>.AlternateLookup<ReadOnlySpan<char>> _bySystem;

    /// <param name="codes">Every (system, code) a rule reads; duplicates are harmless.</param>
    public ObservationRelevance(IEnumerable<(string System, string Code)> codes)
    {
        ArgumentNullException.ThrowIfNull(codes);
        var bySystem = codes
            .GroupBy(c => c.System, StringComparer.Ordinal)
            .ToFrozenDictionary(g => g.Key, g => g.Select(c => c.Code).ToFrozenSet(StringComparer.Ordinal), StringComparer.Ordinal);
        Count = bySystem.Values.Sum(s => s.Count);
        _bySystem = bySystem.ToFrozenDictionary(kv => kv.Key, kv => kv.Value.GetAlternateLookup<ReadOnlySpan<char>>(), StringComparer.Ordinal)
            .GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>How many distinct (system, code) pairs are relevant.</summary>
    public int Count { get; }

    /// <summary>Whether a rule reads an Observation coded (<paramref name="system"/>, <paramref name="code"/>).</summary>
    public bool IsRelevant(ReadOnlySpan<char> system, ReadOnlySpan<char> code) =>
        _bySystem.TryGetValue(system, out var codes) && codes.Contains(code);
}
