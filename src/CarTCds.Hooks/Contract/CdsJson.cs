using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using CarTCds.Fhir.Model;
using CarTCds.Fhir.Serialization;
using CarTCds.Fhir.Validation;
using CarTCds.Hooks.Facts;

namespace CarTCds.Hooks.Contract;

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(CdsHookRequest))]
[JsonSerializable(typeof(CdsResponse))]
[JsonSerializable(typeof(CdsDiscoveryResponse))]
[JsonSerializable(typeof(CdsFeedbackRequest))]
[JsonSerializable(typeof(FeedbackAck))]
public sealed partial class CdsJsonContext : JsonSerializerContext;

/// <summary>The one way to read and write CDS Hooks JSON. FHIR resources inside (prefetch,
/// draftOrders, card actions) go through <see cref="FhirJson"/>'s model and rules.</summary>
/// <remarks>Duplicate properties are refused and nesting is capped at <see cref="FhirJson.MaxDepth"/>;
/// empty strings and arrays are never written (CDS Hooks: "leave them out").</remarks>
public static class CdsJson
{
    public static JsonSerializerOptions Options { get; } = Create(null);

    /// <summary>The options hook requests are read with: as <see cref="Options"/>, but the chart's
    /// Observations that no rule reads are skipped unread (<see cref="ResourceJsonConverter(ObservationRelevance)"/>).
    /// Their relevance is built once, here, from the data contract's single source.</summary>
    private static JsonSerializerOptions RequestOptions { get; } = Create(
        new ObservationRelevance(ClinicalFactsMapper.ObservationCodesRead(ProfileValidator.Default).Select(c => (c.System, c.Code))));

    private static JsonSerializerOptions Create(ObservationRelevance? relevance)
    {
        var options = new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            AllowDuplicateProperties = false,
            MaxDepth = FhirJson.MaxDepth,
            // Cards carry °C, ≥ and en dashes: write them as UTF-8, not \u escapes. (JSON APIs
            // are not HTML; nothing here is embedded in a page unescaped.)
            Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
            TypeInfoResolver = JsonTypeInfoResolver.Combine(
                CdsJsonContext.Default.WithAddedModifier(OmitEmptyOptionalValues).WithAddedModifier(FhirJson.RejectNullItems),
                FhirJson.Resolver),
        };
        options.Converters.Add(relevance is null ? new ResourceJsonConverter() : new ResourceJsonConverter(relevance));
        options.MakeReadOnly();
        return options;
    }

    /// <summary>FHIR's "no empty values", except the two arrays CDS Hooks requires even when
    /// empty: <c>{"cards": []}</c> means "no guidance", <c>{"services": []}</c> "no services".</summary>
    private static void OmitEmptyOptionalValues(JsonTypeInfo typeInfo)
    {
        FhirJson.OmitEmptyValues(typeInfo);
        if (typeInfo.Type != typeof(CdsResponse) && typeInfo.Type != typeof(CdsDiscoveryResponse)) return;
        foreach (var property in typeInfo.Properties)
        {
            if (property.Name is "cards" or "services") property.ShouldSerialize = null;
        }
    }

    /// <summary>Hook requests: read skipping the chart's Observations that no rule reads; written whole.</summary>
    public static JsonTypeInfo<CdsHookRequest> Request { get; } = (JsonTypeInfo<CdsHookRequest>)RequestOptions.GetTypeInfo(typeof(CdsHookRequest));

    /// <summary>Hook requests read whole, every resource materialised (docs/CDS-HOOKS.md "How we read a request"): for
    /// comparisons (tests, benchmarks), never the hook path.</summary>
    public static JsonTypeInfo<CdsHookRequest> RequestReadWhole { get; } = Info<CdsHookRequest>();
    public static JsonTypeInfo<CdsResponse> Response { get; } = Info<CdsResponse>();
    public static JsonTypeInfo<CdsDiscoveryResponse> Discovery { get; } = Info<CdsDiscoveryResponse>();
    public static JsonTypeInfo<CdsFeedbackRequest> Feedback { get; } = Info<CdsFeedbackRequest>();
    public static JsonTypeInfo<FeedbackAck> FeedbackAck { get; } = Info<FeedbackAck>();
    public static JsonTypeInfo<Resource> Resource { get; } = Info<Resource>();

    private static JsonTypeInfo<T> Info<T>() => (JsonTypeInfo<T>)Options.GetTypeInfo(typeof(T));
}

/// <summary>The body returned for accepted feedback.</summary>
public sealed class FeedbackAck
{
    public int Accepted { get; set; }
}
