namespace CarTCds.Rules.Orders;

/// <summary>Parameters of order checks and dosing (CLINICAL-RULES.md §4).</summary>
public sealed class OrderCheckParameters
{
    internal IEnumerable<string> Validate()
    {
        yield break;
    }
}
