namespace CarTCds.Rules.IecHs;

/// <summary>Parameters of the carHLH / IEC-HS screen (CLINICAL-RULES.md §3).</summary>
public sealed class IecHsParameters
{
    internal IEnumerable<string> Validate()
    {
        yield break;
    }
}
