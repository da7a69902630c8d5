namespace CarTCds.Rules.Eligibility;

/// <summary>Parameters of tisagenlecleucel eligibility (CLINICAL-RULES.md §5).</summary>
public sealed class EligibilityParameters
{
    internal IEnumerable<string> Validate()
    {
        yield break;
    }
}
