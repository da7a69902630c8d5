using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using CarTCds.Fhir.Model;

namespace CarTCds.Fhir.Serialization;

/// <summary>Reads and writes <see cref="Resource"/> polymorphically by its <c>resourceType</c>,
/// wherever that property stands in the object (FHIR does not require it first). Unknown types
/// become <see cref="OtherResource"/> and are written back unchanged.</summary>
public sealed class ResourceJsonConverter : JsonConverter<Resource>
{
    public override bool CanConvert(Type typeToConvert) => typeToConvert == typeof(Resource);

    public override Resource? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Null) return null;
        if (reader.TokenType != JsonTokenType.StartObject)
            throw new JsonException($"Expected a FHIR resource (a JSON object) but found {Describe(reader.TokenType)}.");

        // Fast path: resourceType as the first property (how FHIR servers and our own writer put it)
        // needs no read-ahead; otherwise scan the object for it (FHIR does not require it first).
        var resourceType = FirstPropertyResourceType(reader) ?? PeekResourceType(reader)
            ?? throw new JsonException("A FHIR resource must have a string 'resourceType'.");

        if (!Known.TryGetValue(resourceType, out var known))
        {
            var element = JsonElement.ParseValue(ref reader);
            // ParseValue does not apply the options' duplicate rule; a resource passed through
            // must be as unambiguous as one we read.
            if (!options.AllowDuplicateProperties) EnsureNoDuplicateProperties(element, resourceType);
            return new OtherResource(resourceType, element);
        }
        // Fast path: the type's own converter reads in place. JsonSerializer.Deserialize(ref reader)
        // would first skip the whole value to scope a reader to it, so a Bundle's entries were
        // tokenised once per level of nesting (~17 % of the hook's CPU, tests/load). That scoped
        // read stays as the slow path: it alone reports an error's full path and message, so any
        // failure here is read again from the same start by it, and what it says is what the caller gets.
        // Inside a slow re-read, nested resources are read slowly at once: were each level to try
        // its fast path first, a fault n resources deep would be read 2^n times.
        if (t_slowReads == 0)
        {
            var start = reader;
            var outer = LenientElements.BeginResource();
            try
            {
                return WithUnread(known.Read(ref reader, options), LenientElements.EndResource(outer));
            }
#pragma warning disable CA1031 // any failure is re-read by the slow path below, which reports or rethrows it
            catch (Exception)
#pragma warning restore CA1031
            {
                // What the failed attempt recorded is dropped: the slow read records it again.
                LenientElements.EndResource(outer);
                reader = start;
            }
        }
        t_slowReads++;
        var slowOuter = LenientElements.BeginResource();
        try
        {
            var resource = (Resource?)JsonSerializer.Deserialize(ref reader, options.GetTypeInfo(known.Type));
            return WithUnread(resource, LenientElements.EndResource(slowOuter));
        }
        catch (JsonException ex)
        {
            LenientElements.EndResource(slowOuter);
            // The nested read starts a fresh path at this resource, so the serializer would report
            // "$.birthDate" for an error in "$.prefetch.patient.birthDate". Rethrow without a path
            // (the serializer then adds this resource's own), carrying the inner part in Data.
            var wrapped = new JsonException($"{resourceType}: {FhirJson.Reason(ex)}", ex);
            var inner = FhirJson.FullPath(ex)?.TrimStart('$');
            if (!string.IsNullOrEmpty(inner)) wrapped.Data[FhirJson.InnerPathKey] = inner;
            throw wrapped;
        }
        catch
        {
            LenientElements.EndResource(slowOuter);
            throw;
        }
        finally
        {
            t_slowReads--;
        }
    }

    private static Resource? WithUnread(Resource? resource, List<UnreadElement>? unread)
    {
        if (resource is not null && unread is not null) resource.UnreadElements = unread;
        return resource;
    }

    // How many slow (scoped) reads are under way on this thread; reads are synchronous, so a
    // thread-static count is exact.
    [ThreadStatic]
    private static int t_slowReads;

    public override void Write(Utf8JsonWriter writer, Resource value, JsonSerializerOptions options)
    {
        if (value is OtherResource other)
        {
            other.Json.WriteTo(writer);
            return;
        }
        JsonSerializer.Serialize(writer, value, options.GetTypeInfo(value.GetType()));
    }

    private delegate Resource? InPlaceRead(ref Utf8JsonReader reader, JsonSerializerOptions options);

    // The resource types of the lean model, each with its in-place read: one table, so the types
    // known and the types read in place cannot drift apart.
    private static readonly Dictionary<string, (Type Type, InPlaceRead Read)> Known = new(StringComparer.Ordinal)
    {
        ["Patient"] = Entry<Patient>(),
        ["Observation"] = Entry<Observation>(),
        ["Condition"] = Entry<Condition>(),
        ["Procedure"] = Entry<Procedure>(),
        ["Medication"] = Entry<Medication>(),
        ["MedicationRequest"] = Entry<MedicationRequest>(),
        ["MedicationAdministration"] = Entry<MedicationAdministration>(),
        ["MedicationStatement"] = Entry<MedicationStatement>(),
        ["ServiceRequest"] = Entry<ServiceRequest>(),
        ["Bundle"] = Entry<Bundle>(),
        ["OperationOutcome"] = Entry<OperationOutcome>(),
    };

    private static (Type, InPlaceRead) Entry<T>() where T : Resource => (typeof(T), ReadInPlace<T>);

    private static T? ReadInPlace<T>(ref Utf8JsonReader reader, JsonSerializerOptions options) where T : Resource =>
        ((JsonConverter<T>)options.GetTypeInfo(typeof(T)).Converter).Read(ref reader, typeof(T), options);

    /// <summary>The CLR type for a FHIR resource type name, or null when the lean model lacks it.</summary>
    public static Type? KnownType(string resourceType) => Known.TryGetValue(resourceType, out var known) ? known.Type : null;

    // Looks at the first property only, on a copy of the reader: its string value when it is
    // resourceType, else null. A later duplicate resourceType is still refused: the typed read
    // treats resourceType (given a no-op setter in FhirJson.Resolver) like any other property in
    // its duplicate check.
    private static string? FirstPropertyResourceType(Utf8JsonReader reader)
    {
        if (!reader.Read() || reader.TokenType != JsonTokenType.PropertyName || !reader.ValueTextEquals("resourceType"u8)) return null;
        return reader.Read() && reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
    }

    // Scans a copy of the reader (a struct) so the real one still stands on StartObject. Reads
    // every top-level property: a second resourceType makes the resource ambiguous. Known types
    // would also be refused by the serializer's duplicate check (FhirJson.Resolver), but this
    // path names the property the same way for every type, unknown ones included.
    private static string? PeekResourceType(Utf8JsonReader reader)
    {
        var depth = reader.CurrentDepth;
        string? resourceType = null;
        var seen = false;
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.EndObject && reader.CurrentDepth == depth) return resourceType;
            if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == depth + 1)
            {
                var isResourceType = reader.ValueTextEquals("resourceType"u8);
                if (!reader.Read()) return null;
                if (isResourceType)
                {
                    if (seen) throw new JsonException("Duplicate property 'resourceType' in a FHIR resource.");
                    seen = true;
                    resourceType = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                }
                if ((reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray) && !reader.TrySkip()) return null;
            }
        }
        return null;
    }

    private static void EnsureNoDuplicateProperties(JsonElement element, string resourceType)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var names = new HashSet<string>(StringComparer.Ordinal);
                foreach (var property in element.EnumerateObject())
                {
                    if (!names.Add(property.Name))
                        throw new JsonException($"Duplicate property '{property.Name}' in the {resourceType} resource.");
                    EnsureNoDuplicateProperties(property.Value, resourceType);
                }
                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray()) EnsureNoDuplicateProperties(item, resourceType);
                break;
        }
    }

    private static string Describe(JsonTokenType t) => t switch
    {
        JsonTokenType.StartArray => "an array",
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        _ => t.ToString(),
    };
}
