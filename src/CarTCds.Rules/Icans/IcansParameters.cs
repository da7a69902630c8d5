namespace CarTCds.Rules.Icans;

/// <summary>Parameters of ICANS grading (ASTCT 2019, CLINICAL-RULES.md §2).</summary>
public sealed class IcansParameters
{
    internal IEnumerable<string> Validate()
    {
        yield break;
    }
}
