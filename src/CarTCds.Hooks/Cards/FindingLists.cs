using CarTCds.Rules;

namespace CarTCds.Hooks.Cards;

/// <summary>The lists of a finding record: null when empty, so an absent list and an empty one are
/// never told apart downstream (JSON leaves both out).</summary>
internal static class FindingLists
{
    /// <summary>The FHIR references the evidence rests on, each once, in order.</summary>
    public static List<string>? Sources(IEnumerable<Evidence> evidence) => NonEmpty(evidence.Select(e => e.Source).Distinct());

    public static List<string>? NonEmpty(IEnumerable<string> items) => items.ToList() is { Count: > 0 } list ? list : null;
}
