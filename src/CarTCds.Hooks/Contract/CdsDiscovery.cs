using System.Text.Json.Serialization;

namespace CarTCds.Hooks.Contract;

/// <summary><c>GET /cds-services</c> (https://cds-hooks.hl7.org/2.0/#discovery).</summary>
public sealed class CdsDiscoveryResponse
{
    public List<CdsServiceDescriptor> Services { get; set; } = [];
}

/// <summary>One entry of the discovery response.</summary>
public sealed class CdsServiceDescriptor
{
    public string Hook { get; set; } = "";
    public string? Title { get; set; }
    public string Description { get; set; } = "";
    public string Id { get; set; } = "";
    public Dictionary<string, string>? Prefetch { get; set; }
    public string? UsageRequirements { get; set; }

    /// <summary>CDS Hooks 3.0 (ballot): the service's own version.</summary>
    public string? Version { get; set; }

    /// <summary>CDS Hooks 3.0 (ballot): the version of the hook definition it implements.</summary>
    public string? HookVersion { get; set; }

    [JsonIgnore]
    public bool HasPrefetch => Prefetch is { Count: > 0 };
}
