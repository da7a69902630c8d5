using System.Collections;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using CarTCds.Fhir.Model;

namespace CarTCds.Fhir.Serialization;

/// <summary>The one way to read and write FHIR R4 JSON in CarTCds.</summary>
/// <remarks>
/// Reading: unknown elements (including <c>_field</c> primitive extensions, which carry no value
/// we use) are skipped; malformed elements that no rule reads are skipped and recorded
/// (<see cref="LenientElements"/>), those a rule reads refused with their path; duplicate property names are refused (they make a resource ambiguous);
/// nesting is capped at <see cref="MaxDepth"/>. Writing: absent elements, empty strings and empty
/// arrays are left out, as FHIR JSON requires (http://hl7.org/fhir/R4/json.html).
/// </remarks>
public static class FhirJson
{
    /// <summary>Maximum JSON nesting accepted (FHIR resources nest ~15 deep in practice).</summary>
    public const int MaxDepth = 64;

    // Static initialisers run in text order: the resolver must exist before the options use it.
    /// <summary>The FHIR model's type resolver with FHIR's "no empty values" and
    /// "resourceType first, and once" rules applied.</summary>
    public static IJsonTypeInfoResolver Resolver { get; } =
        FhirJsonContext.Default.WithAddedModifier(OmitEmptyValues).WithAddedModifier(RejectNullItems).WithAddedModifier(ResourceTypeFirstAndOnce)
            .WithAddedModifier(LenientElements.ReadLeniently);

    /// <summary>Options for the FHIR model; also chain <see cref="Resolver"/> into other
    /// contexts that embed FHIR resources (the CDS Hooks contract does).</summary>
    public static JsonSerializerOptions Options { get; } = CreateOptions();

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions(FhirJsonContext.Default.Options)
        {
            TypeInfoResolver = Resolver,
            AllowDuplicateProperties = false,
            MaxDepth = MaxDepth,
            // Cards carry °C, ≥ and en dashes: write them as UTF-8, not \u escapes. (JSON APIs
            // are not HTML; nothing here is embedded in a page unescaped.)
            Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        };
        options.MakeReadOnly();
        return options;
    }

    /// <summary>Drops empty strings and empty collections on write; FHIR forbids both.</summary>
    public static void OmitEmptyValues(JsonTypeInfo typeInfo)
    {
        var options = typeInfo.Options;
        foreach (var property in typeInfo.Properties)
        {
            if (property.PropertyType == typeof(string))
            {
                property.ShouldSerialize = static (_, value) => value is string { Length: > 0 };
            }
            else if (typeof(ICollection).IsAssignableFrom(property.PropertyType))
            {
                property.ShouldSerialize = (_, value) => value is ICollection { Count: > 0 } c && AnyContent(c, options);
            }
            else if (property.PropertyType.IsClass && property.PropertyType != typeof(Resource) && !property.PropertyType.IsSubclassOf(typeof(Resource)))
            {
                // A data type whose every element is empty would be written as {} (e.g. a
                // HumanName that only carried an extension we do not model): leave it out.
                property.ShouldSerialize = (_, value) => HasContent(value, options);
            }
        }
    }

    /// <summary>On read: FHIR forbids null in arrays of elements, so <c>"coding":[null]</c> is
    /// refused with its path; nulls in arrays of primitives (legal only beside a <c>_field</c>
    /// array, which we do not model) are dropped.</summary>
    public static void RejectNullItems(JsonTypeInfo typeInfo)
    {
        foreach (var property in typeInfo.Properties)
        {
            if (property.Set is not { } set || !typeof(IList).IsAssignableFrom(property.PropertyType)) continue;
            if (property.PropertyType == typeof(List<string>))
            {
                property.Set = (obj, value) =>
                {
                    if (value is List<string> list) list.RemoveAll(static x => x is null);
                    set(obj, value);
                };
            }
            else
            {
                var name = property.Name;
                property.Set = (obj, value) =>
                {
                    if (value is IList list && list.Contains(null))
                    {
                        throw new JsonException($"'{name}' contains null; JSON arrays of FHIR elements (and CDS Hooks objects) must not.");
                    }
                    set(obj, value);
                };
            }
        }
    }

    private static bool AnyContent(ICollection items, JsonSerializerOptions options)
    {
        foreach (var item in items)
        {
            if (HasContent(item, options)) return true;
        }
        return false;
    }

    /// <summary>Whether a value would write anything but <c>{}</c>, <c>[]</c>, <c>""</c> or null.</summary>
    private static bool HasContent(object? value, JsonSerializerOptions options)
    {
        switch (value)
        {
            case null: return false;
            case string s: return s.Length > 0;
            case Resource: return true;
            case ICollection c: return c.Count > 0 && AnyContent(c, options);
        }
        var type = value.GetType();
        if (!type.IsClass) return true;
        var info = options.GetTypeInfo(type);
        if (info.Kind != JsonTypeInfoKind.Object) return true;
        foreach (var p in info.Properties)
        {
            if (p.Get is null) continue;
            var v = p.Get(value);
            if (v is null) continue;
            if (p.ShouldSerialize is { } should ? should(value, v) : HasContent(v, options)) return true;
        }
        return false;
    }

    /// <summary>Puts <c>resourceType</c> first, as FHIR JSON requires. The
    /// <c>[JsonPropertyOrder]</c> on the abstract <see cref="Resource.ResourceType"/> is not
    /// seen on the concrete types' overrides, which would otherwise write it after id/meta/text.</summary>
    private static void ResourceTypeFirstAndOnce(JsonTypeInfo typeInfo)
    {
        if (!typeof(Resource).IsAssignableFrom(typeInfo.Type)) return;
        foreach (var property in typeInfo.Properties)
        {
            if (property.Name != "resourceType") continue;
            property.Order = -100;
            // The type is chosen from resourceType before the typed read (ResourceJsonConverter), so
            // reading it again sets nothing; but a property with a setter takes part in the
            // serializer's duplicate check, which refuses a second resourceType without the
            // converter scanning the whole object ahead for one.
            property.Set ??= static (_, _) => { };
        }
    }

    internal const string InnerPathKey = "CarTCds.FhirJson.InnerPath";

    /// <summary>The full JSON path of a read error (<c>$.prefetch.patient.birthDate</c>), including
    /// the part inside a nested resource that <see cref="JsonException.Path"/> alone loses.</summary>
    public static string? FullPath(JsonException ex)
    {
        var inner = ex.Data[InnerPathKey] as string;
        if (ex.Path is null) return inner is null ? null : "$" + inner;
        return inner is null ? ex.Path : ex.Path + inner;
    }

    /// <summary>The reason of a read error without the serializer's "Path: … | LineNumber: …" tail
    /// and without CLR namespaces (a sender knows JSON, not our types).</summary>
    public static string Reason(JsonException ex)
    {
        var reason = ex.Message;
        var cut = reason.IndexOf(" Path: ", StringComparison.Ordinal);
        if (cut >= 0) reason = reason[..cut];
        return reason.Replace("System.", "", StringComparison.Ordinal).Replace("CarTCds.Fhir.Model.", "", StringComparison.Ordinal).Replace("CarTCds.Hooks.Contract.", "", StringComparison.Ordinal);
    }

    /// <summary>Reads one resource of any type. Throws <see cref="JsonException"/> with the
    /// JSON path on malformed or ill-typed input.</summary>
    public static Resource Parse(ReadOnlySpan<byte> utf8Json) =>
        JsonSerializer.Deserialize(utf8Json, ResourceInfo)
        ?? throw new JsonException("Expected a FHIR resource but found null.");

    /// <inheritdoc cref="Parse(ReadOnlySpan{byte})"/>
    public static Resource Parse(string json) =>
        JsonSerializer.Deserialize(json, ResourceInfo)
        ?? throw new JsonException("Expected a FHIR resource but found null.");

    /// <summary>Reads one resource and requires it to be a <typeparamref name="T"/>.</summary>
    public static T Parse<T>(string json) where T : Resource =>
        Parse(json) as T ?? throw new JsonException($"Expected a FHIR {typeof(T).Name}.");

    /// <summary>Writes a resource as compact FHIR JSON.</summary>
    public static string Serialize(Resource resource) => JsonSerializer.Serialize(resource, ResourceInfo);

    /// <summary>Writes a resource as compact UTF-8 FHIR JSON.</summary>
    public static byte[] SerializeToUtf8Bytes(Resource resource) => JsonSerializer.SerializeToUtf8Bytes(resource, ResourceInfo);

    private static JsonTypeInfo<Resource> ResourceInfo { get; } = (JsonTypeInfo<Resource>)Options.GetTypeInfo(typeof(Resource));
}
