using System.Text.Json;
using System.Text.Json.Serialization;
using CarTCds.Fhir.Model;
using CarTCds.Fhir.Serialization;

namespace CarTCds.Hooks.Contract;

/// <summary>The body of <c>POST /cds-services/{id}</c> (CDS Hooks 2.0 §"HTTP Request").
/// https://cds-hooks.hl7.org/2.0/#http-request</summary>
/// <remarks>Every property is nullable so that a missing required field reaches validation and
/// gets a precise 400, instead of failing deserialization with a generic message.</remarks>
public sealed class CdsHookRequest
{
    public string? Hook { get; set; }
    public string? HookInstance { get; set; }
    public string? FhirServer { get; set; }
    public FhirAuthorization? FhirAuthorization { get; set; }
    public HookContext? Context { get; set; }

    /// <summary>Prefetch key → resource. A key that is present with JSON <c>null</c> maps to a
    /// null value ("no data exists"); a key that is absent is not in the dictionary.</summary>
    public Dictionary<string, Resource?>? Prefetch { get; set; }

    public JsonElement? Extension { get; set; }
}

/// <summary>https://cds-hooks.hl7.org/2.0/#passing-the-access-token-to-the-cds-service</summary>
public sealed class FhirAuthorization
{
    [JsonPropertyName("access_token")]
    public string? AccessToken { get; set; }

    [JsonPropertyName("token_type")]
    public string? TokenType { get; set; }

    [JsonPropertyName("expires_in")]
    public long? ExpiresIn { get; set; }

    public string? Scope { get; set; }
    public string? Subject { get; set; }
    public string? Patient { get; set; }

    /// <summary>Never print the token.</summary>
    public override string ToString() => $"FhirAuthorization(token_type={TokenType}, scope={Scope}, access_token=***)";
}

/// <summary>The hook context, as a union of the fields of patient-view, order-select and
/// order-sign (https://cds-hooks.org/hooks/). Unknown fields are kept in <see cref="Other"/>.</summary>
public sealed class HookContext
{
    public string? UserId { get; set; }
    public string? PatientId { get; set; }
    public string? EncounterId { get; set; }

    /// <summary>order-select: ids (<c>MedicationRequest/abc</c>) of the orders just selected.</summary>
    public List<string>? Selections { get; set; }

    /// <summary>order-select, order-sign: a Bundle of draft orders. Read whole: the reader skips only
    /// the chart's irrelevant Observations (prefetch), never a draft order's content.</summary>
    [JsonConverter(typeof(ResourceJsonConverter))]
    public Resource? DraftOrders { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Other { get; set; }
}
