using System.Collections;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using CarTCds.Fhir.Model;

namespace CarTCds.Fhir.Serialization;

/// <summary>An element the reader skipped because its value was malformed (R4 says array, the sender
/// wrote an object; a number where a string belongs …).</summary>
/// <param name="Element">Where, as <c>Type.element</c> of the lean model (<c>MedicationRequest.category</c>,
/// <c>Dosage.timing</c>).</param>
/// <param name="Found">What the sender wrote instead (<c>an object</c>, <c>a number</c>).</param>
public sealed record UnreadElement(string Element, string Found)
{
    public override string ToString() => $"{Element} ({Found})";
}

/// <summary>The one mechanism by which a malformed element that no rule reads never rejects a call
/// (docs/ARCHITECTURE.md "What the rules need"). Every element of the lean model without
/// <see cref="RuleInputAttribute"/> is read through <see cref="LenientConverter{T}"/>: on a fault it
/// skips the value and records an <see cref="UnreadElement"/> on the resource being read
/// (<see cref="Resource.UnreadElements"/>); callers that use the resource name it on the cards.
/// Elements with the attribute keep the strict read and its exact-path 400.</summary>
/// <remarks>Reads are synchronous and resources nest, so the elements unread so far are kept per
/// thread for the resource being read (<see cref="ResourceJsonConverter"/> opens and closes one scope
/// per resource; a contained resource has its own).</remarks>
public static class LenientElements
{
    /// <summary>JSON type-info modifier (chained into <see cref="FhirJson.Resolver"/>): gives every
    /// lean-model property without <see cref="RuleInputAttribute"/> a lenient converter.</summary>
    public static void ReadLeniently(JsonTypeInfo typeInfo)
    {
        if (typeInfo.Kind != JsonTypeInfoKind.Object || typeInfo.Type.Namespace != typeof(Resource).Namespace) return;
        foreach (var property in typeInfo.Properties)
        {
            if (property.Set is null || property.CustomConverter is not null) continue;
            if (property.AttributeProvider?.IsDefined(typeof(RuleInputAttribute), inherit: true) == true) continue;
            var element = $"{ModelName(property.DeclaringType)}.{property.Name}";
            property.CustomConverter = (JsonConverter)Activator.CreateInstance(typeof(LenientConverter<>).MakeGenericType(property.PropertyType), element)!;
        }
    }

    /// <summary>Whether an element of the lean model is read strictly (<see cref="RuleInputAttribute"/>).</summary>
    public static bool IsRuleInput(Type type, string jsonName)
    {
        var info = FhirJson.Options.GetTypeInfo(type);
        var property = info.Properties.FirstOrDefault(p => p.Name == jsonName) ?? throw new ArgumentException($"{type.Name} has no element '{jsonName}'", nameof(jsonName));
        return property.CustomConverter is not ILenientConverter;
    }

    // The FHIR name of the declaring type: resources and data types are named as in FHIR.
    private static string ModelName(Type type) => type.Name;

    [ThreadStatic]
    private static List<UnreadElement>? t_unread;

    [ThreadStatic]
    private static int t_depth;

    /// <summary>Opens the scope of one resource read; returns the enclosing scope's list, which
    /// <see cref="EndResource"/> restores.</summary>
    internal static List<UnreadElement>? BeginResource()
    {
        var outer = t_unread;
        t_unread = null;
        t_depth++;
        return outer;
    }

    /// <summary>Closes the scope opened by <see cref="BeginResource"/>; returns what was skipped in it
    /// (null when nothing was).</summary>
    internal static List<UnreadElement>? EndResource(List<UnreadElement>? outer)
    {
        var mine = t_unread;
        t_unread = outer;
        t_depth--;
        return mine;
    }

    internal static void Record(string element, JsonTokenType found)
    {
        // Outside a resource read (a data type read on its own) there is nothing to record it on.
        if (t_depth == 0) return;
        (t_unread ??= []).Add(new UnreadElement(element, Describe(found)));
    }

    internal static string Describe(JsonTokenType t) => t switch
    {
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        _ => t.ToString(),
    };
}

internal interface ILenientConverter;

/// <summary>Reads a <typeparamref name="T"/> with the model's own converter; when the value is
/// malformed, skips it, records it (<see cref="LenientElements"/>) and leaves the element absent.
/// Writes unchanged.</summary>
internal sealed class LenientConverter<T>(string element) : JsonConverter<T>, ILenientConverter
{
    private JsonConverter<T>? _inner;

    private JsonConverter<T> Inner(JsonSerializerOptions options) =>
        _inner ??= (JsonConverter<T>)options.GetTypeInfo(typeof(T)).Converter;

    public override T? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var start = reader;
        try
        {
            var value = Inner(options).Read(ref reader, typeToConvert, options);
            // FHIR forbids null items in arrays of elements; in a lenient element that is one more way to be unreadable.
            if (value is IList list && !typeof(T).IsAssignableTo(typeof(IList<string>)) && list.Contains(null)) throw new JsonException("null item");
            return value;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException or OverflowException)
        {
            reader = start;
            var found = reader.TokenType;
            // A value too deep or cut short stays an error: only a complete, well-formed JSON value is skipped.
            if (!reader.TrySkip()) throw;
            LenientElements.Record(element, found);
            return default;
        }
    }

    public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) => Inner(options).Write(writer, value, options);
}
