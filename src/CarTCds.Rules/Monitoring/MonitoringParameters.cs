namespace CarTCds.Rules.Monitoring;

/// <summary>Parameters of monitoring advice (CLINICAL-RULES.md §4).</summary>
public sealed class MonitoringParameters
{
    internal IEnumerable<string> Validate()
    {
        yield break;
    }
}
