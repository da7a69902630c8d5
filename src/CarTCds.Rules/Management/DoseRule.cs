namespace CarTCds.Rules.Management;

/// <summary>How one drug is dosed by body weight and how far an order may go: the dose a card
/// suggests (<see cref="MgPerKg"/> × weight, capped at <see cref="MaxDoseMg"/>, every
/// <see cref="Interval"/>) and the limits an order is checked against at order-sign
/// (<see cref="OrderMaxMgPerKg"/>, <see cref="OrderMaxDoseMg"/>). Every value is set per drug in
/// <see cref="ManagementParameters"/>, where its source is named.</summary>
/// <remarks>Doses are per administration, in mg. A weight is never guessed: without one, no dose is
/// computed and an order cannot be checked (the card says so).</remarks>
public sealed class DoseRule
{
    /// <summary>Suggested dose per administration, mg per kg of body weight (&gt; 0).</summary>
    public decimal MgPerKg { get; init; }

    /// <summary>The adult cap of the suggested dose, in mg per administration; null when the source
    /// names none (the dose is then mg/kg × weight, uncapped).</summary>
    public decimal? MaxDoseMg { get; init; }

    /// <summary>Time between doses; null for a single dose (a loading dose).</summary>
    public TimeSpan? Interval { get; init; }

    /// <summary>Highest paediatric dose per administration an order may carry, mg/kg; an order above
    /// min(this × weight, <see cref="OrderMaxDoseMg"/>) warns, naming that maximum.</summary>
    public decimal OrderMaxMgPerKg { get; init; }

    /// <summary>Highest dose per administration in mg at any weight (the adult maximum); an order
    /// above it is blocked, with or without a weight.</summary>
    public decimal OrderMaxDoseMg { get; init; }

    /// <summary>True for oral administration; false for intravenous.</summary>
    public bool Oral { get; init; }

    internal IEnumerable<string> Validate(string name)
    {
        if (MgPerKg is <= 0m or > 100m) yield return $"Management.{name}.MgPerKg must be in (0, 100] mg/kg (was {MgPerKg}).";
        if (MaxDoseMg is <= 0m or > 10_000m) yield return $"Management.{name}.MaxDoseMg must be in (0, 10000] mg when set (was {MaxDoseMg}).";
        if (Interval is { } i && (i < TimeSpan.FromHours(1) || i > TimeSpan.FromDays(28))) yield return $"Management.{name}.Interval must be between 1 h and 28 days when set (was {i}).";
        if (OrderMaxMgPerKg < MgPerKg || OrderMaxMgPerKg > 200m) yield return $"Management.{name}.OrderMaxMgPerKg must be at least MgPerKg and at most 200 mg/kg (was {OrderMaxMgPerKg}).";
        if (OrderMaxDoseMg <= 0m || (MaxDoseMg is { } cap && OrderMaxDoseMg < cap)) yield return $"Management.{name}.OrderMaxDoseMg must be positive and at least MaxDoseMg (was {OrderMaxDoseMg}).";
    }
}
