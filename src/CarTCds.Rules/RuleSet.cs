using CarTCds.Rules.Crs;
using CarTCds.Rules.Crs.OlderScales;
using CarTCds.Rules.Eligibility;
using CarTCds.Rules.Icans;
using CarTCds.Rules.IecHs;
using CarTCds.Rules.Management;
using CarTCds.Rules.Monitoring;
using CarTCds.Rules.Orders;

namespace CarTCds.Rules;

/// <summary>The versioned set of clinical parameters. Every threshold a rule uses lives here with
/// its source, so an institution can set it and every card can name the version that produced it.</summary>
/// <remarks>Change <see cref="Version"/> whenever a default changes meaning.</remarks>
public sealed class RuleSet
{
    /// <summary>Rule-set identifier (default <c>astct-2019</c>).</summary>
    public string Id { get; init; } = "astct-2019";

    /// <summary>Semantic version of the defaults (default <c>1.0.0</c>); an institution that
    /// overrides a parameter should also give its own version.</summary>
    public string Version { get; init; } = "1.0.0";

    /// <summary>CRS grading parameters (ASTCT 2019).</summary>
    public CrsParameters Crs { get; init; } = new();

    /// <summary>Readings of the older CRS scales shown beside ASTCT (Lee 2014, Penn, CTCAE v5).</summary>
    public OlderCrsScaleParameters OlderCrsScales { get; init; } = new();

    /// <summary>ICANS grading parameters (ASTCT 2019).</summary>
    public IcansParameters Icans { get; init; } = new();

    /// <summary>carHLH / IEC-HS screen parameters.</summary>
    public IecHsParameters IecHs { get; init; } = new();

    /// <summary>Tisagenlecleucel eligibility parameters (label).</summary>
    public EligibilityParameters Eligibility { get; init; } = new();

    /// <summary>Label facts of every CD19 CAR-T product for B-ALL (side-by-side eligibility at referral).</summary>
    public ProductLabelParameters ProductLabels { get; init; } = new();

    /// <summary>Order-check and dosing parameters.</summary>
    public OrderCheckParameters Orders { get; init; } = new();

    /// <summary>Monitoring-advice parameters.</summary>
    public MonitoringParameters Monitoring { get; init; } = new();

    /// <summary>Grade-based management advice and weight-based dose limits (doses, caps, intervals).</summary>
    public ManagementParameters Management { get; init; } = new();

    /// <summary><c>id@version</c>, as written on every finding.</summary>
    public string Label => $"{Id}@{Version}";

    /// <summary>The defaults of docs/CLINICAL-RULES.md.</summary>
    public static RuleSet Default { get; } = new();

    /// <summary>Every parameter value that makes no clinical sense, as messages; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(Id)) errors.Add("RuleSet.Id must not be empty.");
        if (string.IsNullOrWhiteSpace(Version)) errors.Add("RuleSet.Version must not be empty.");
        errors.AddRange(Crs.Validate());
        errors.AddRange(Icans.Validate());
        errors.AddRange(IecHs.Validate());
        errors.AddRange(Eligibility.Validate());
        errors.AddRange(ProductLabels.Validate());
        errors.AddRange(Orders.Validate());
        errors.AddRange(Monitoring.Validate());
        errors.AddRange(Management.Validate());
        return errors;
    }
}
