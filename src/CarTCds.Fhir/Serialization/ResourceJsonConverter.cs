using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using CarTCds.Fhir.Model;

namespace CarTCds.Fhir.Serialization;

/// <summary>Reads and writes <see cref="Resource"/> polymorphically by its <c>resourceType</c>,
/// wherever that property stands in the object (FHIR does not require it first). Unknown types
/// become <see cref="OtherResource"/> and are written back unchanged.</summary>
/// <remarks>Made with an <see cref="ObservationRelevance"/> (the hook request reader's), it reads only
/// what the rules need: an Observation in the patient's chart (not inside another resource, except a
/// Bundle's entries; not in a position read by a converter made without relevance, such as
/// <c>context.draftOrders</c>) whose <c>code.coding</c> holds no relevant code is skipped unread and
/// becomes a <see cref="SkippedResource"/>; so a malformed element in it never rejects the call. It is
/// skipped only when one forward pass over it proved it well-formed JSON within the depth limit with a
/// single <c>resourceType</c>, <c>id</c>, <c>code</c> and <c>subject</c> of the plain shapes the skip
/// keeps; anything else is read whole, exactly as without relevance, errors and their paths included
/// (tests/load/README.md "Read only what the rules need").</remarks>
public sealed class ResourceJsonConverter : JsonConverter<Resource>
{
    private readonly ObservationRelevance? _relevance;

    /// <summary>Reads every resource whole (FHIR files, the validator, draft orders).</summary>
    public ResourceJsonConverter() { }

    /// <summary>Skips the chart's Observations that no rule reads (see the remarks).</summary>
    /// <param name="relevance">The codes the rules read; built once at start-up.</param>
    public ResourceJsonConverter(ObservationRelevance relevance)
    {
        ArgumentNullException.ThrowIfNull(relevance);
        _relevance = relevance;
    }

    public override bool CanConvert(Type typeToConvert) => typeToConvert == typeof(Resource);

    // How many reads that must not skip are under way on this thread: a converter without relevance
    // (and everything nested in what it reads, whichever converter reads that), and any resource other
    // than a Bundle (its contained resources). Reads are synchronous, so a thread-static count is exact.
    [ThreadStatic]
    private static int t_wholeReads;

    public override Resource? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Null) return null;
        if (reader.TokenType != JsonTokenType.StartObject)
            throw new JsonException($"Expected a FHIR resource (a JSON object) but found {Describe(reader.TokenType)}.");

        // Fast path: resourceType as the first property (how FHIR servers and our own writer put it)
        // needs no read-ahead; otherwise scan the object for it (FHIR does not require it first).
        var resourceType = FirstPropertyResourceType(reader) ?? PeekResourceType(reader)
            ?? throw new JsonException("A FHIR resource must have a string 'resourceType'.");

        if (_relevance is not null && t_wholeReads == 0)
        {
            if (resourceType == "Observation" && SkipIfIrrelevant(ref reader, _relevance) is { } skipped) return skipped;
            // A Bundle's entries are the chart too; anything else nests resources that are not (contained).
            if (resourceType == "Bundle") return ReadResource(ref reader, resourceType, options);
        }
        t_wholeReads++;
        try
        {
            return ReadResource(ref reader, resourceType, options);
        }
        finally
        {
            t_wholeReads--;
        }
    }

    private static Resource? ReadResource(ref Utf8JsonReader reader, string resourceType, JsonSerializerOptions options)
    {

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
                // The direct read first (DirectModelReader: what it accepts it reads as the serializer
                // would, with far fewer objects); what it declines, the serializer reads in place.
                if (DirectModelReader.TryRead(ref reader, known.Type, options) is { } direct)
                {
                    return WithUnread(direct, LenientElements.EndResource(outer));
                }
                reader = start;
                // What the direct read declined the serializer reads with the resources inside it: were each
                // of them to try the direct read again, a decline at every level of n nested resources would
                // read the innermost 2^n times.
                using (DirectModelReader.SerializerOnly())
                {
                    return WithUnread(known.Read(ref reader, options), LenientElements.EndResource(outer));
                }
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

    // Longest system or code (in UTF-8 bytes as sent) the peek compares; a longer one is read whole.
    private const int MaxComparedLength = 256;

    /// <summary>When the Observation at <paramref name="reader"/> (on its StartObject) holds no relevant
    /// code and is one the skip can vouch for, moves the reader to its EndObject and returns what is
    /// kept of it; otherwise null, the reader untouched (the caller reads it whole).</summary>
    private static SkippedResource? SkipIfIrrelevant(ref Utf8JsonReader reader, ObservationRelevance relevance)
    {
        var scan = reader;
        try
        {
            if (!ScanIrrelevantObservation(ref scan, relevance, out var id, out var subject)) return null;
            // The scan stands on the Observation's EndObject, where a converter must leave the reader:
            // the skipped resource is tokenised once.
            reader = scan;
            return new SkippedResource("Observation", id, subject);
        }
#pragma warning disable CA1031 // invalid JSON, depth, invalid UTF-8: the whole read reports it exactly as before
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
#pragma warning restore CA1031
        {
            return null;
        }
    }

    // One forward pass over the Observation's top-level properties. False = relevant or not decidable.
    private static bool ScanIrrelevantObservation(ref Utf8JsonReader scan, ObservationRelevance relevance, out string? id, out Reference? subject)
    {
        id = null;
        subject = null;
        var depth = scan.CurrentDepth;
        bool seenType = false, seenId = false, seenCode = false, seenSubject = false;
        // The id's string is made only for a skipped Observation: one that is read whole makes its own.
        var idAt = default(Utf8JsonReader);
        while (scan.Read())
        {
            if (scan.TokenType == JsonTokenType.EndObject && scan.CurrentDepth == depth)
            {
                if (seenCode && seenId) id = idAt.GetString();
                return seenCode;
            }
            if (scan.TokenType != JsonTokenType.PropertyName) return false;
            if (scan.ValueTextEquals("resourceType"u8))
            {
                // The type was chosen from one resourceType; a second makes the resource ambiguous.
                if (seenType || !scan.Read() || scan.TokenType != JsonTokenType.String) return false;
                seenType = true;
            }
            else if (scan.ValueTextEquals("id"u8))
            {
                if (seenId || !scan.Read() || scan.TokenType != JsonTokenType.String) return false;
                seenId = true;
                idAt = scan;
            }
            else if (scan.ValueTextEquals("code"u8))
            {
                if (seenCode || !scan.Read() || !IsIrrelevantCode(ref scan, relevance)) return false;
                seenCode = true;
            }
            else if (scan.ValueTextEquals("subject"u8))
            {
                if (seenSubject || !scan.Read() || !TryReadPlainReference(ref scan, out subject)) return false;
                seenSubject = true;
            }
            else if (!scan.Read() || !scan.TrySkip())
            {
                return false;
            }
        }
        return false;
    }

    // On the value of "code": true when it is a CodeableConcept none of whose codings is relevant
    // (what ClinicalFactsMapper's KindOf would call None); false when relevant or of another shape.
    private static bool IsIrrelevantCode(ref Utf8JsonReader scan, ObservationRelevance relevance)
    {
        if (scan.TokenType != JsonTokenType.StartObject) return false;
        var seenCoding = false;
        while (scan.Read() && scan.TokenType == JsonTokenType.PropertyName)
        {
            if (!scan.ValueTextEquals("coding"u8))
            {
                if (!scan.Read() || !scan.TrySkip()) return false;
                continue;
            }
            if (seenCoding || !scan.Read() || scan.TokenType != JsonTokenType.StartArray) return false;
            seenCoding = true;
            while (scan.Read() && scan.TokenType != JsonTokenType.EndArray)
            {
                if (scan.TokenType != JsonTokenType.StartObject || IsRelevantOrUnclearCoding(ref scan, relevance)) return false;
            }
        }
        return scan.TokenType == JsonTokenType.EndObject;
    }

    // On a Coding's StartObject; leaves the reader on its EndObject when it returns false.
    private static bool IsRelevantOrUnclearCoding(ref Utf8JsonReader scan, ObservationRelevance relevance)
    {
        Span<char> system = stackalloc char[MaxComparedLength];
        Span<char> code = stackalloc char[MaxComparedLength];
        int systemLength = -1, codeLength = -1;
        while (scan.Read() && scan.TokenType == JsonTokenType.PropertyName)
        {
            var isSystem = scan.ValueTextEquals("system"u8);
            var isCode = !isSystem && scan.ValueTextEquals("code"u8);
            if (!scan.Read()) return true;
            if (!isSystem && !isCode)
            {
                if (!scan.TrySkip()) return true;
                continue;
            }
            if (scan.TokenType != JsonTokenType.String || (isSystem ? systemLength : codeLength) >= 0) return true;
            if ((scan.HasValueSequence ? scan.ValueSequence.Length : scan.ValueSpan.Length) > MaxComparedLength) return true;
            if (isSystem) systemLength = scan.CopyString(system);
            else codeLength = scan.CopyString(code);
        }
        if (scan.TokenType != JsonTokenType.EndObject) return true;
        // A coding without a system or a code names nothing the rules read.
        return systemLength >= 0 && codeLength >= 0 && relevance.IsRelevant(system[..systemLength], code[..codeLength]);
    }

    // On the value of "subject": a Reference of only reference, type and display (strings, once each).
    private static bool TryReadPlainReference(ref Utf8JsonReader scan, out Reference? subject)
    {
        subject = null;
        if (scan.TokenType != JsonTokenType.StartObject) return false;
        string? reference = null;
        string? type = null;
        string? display = null;
        while (scan.Read() && scan.TokenType == JsonTokenType.PropertyName)
        {
            var which = scan.ValueTextEquals("reference"u8) ? 0 : scan.ValueTextEquals("type"u8) ? 1 : scan.ValueTextEquals("display"u8) ? 2 : -1;
            if (which < 0 || !scan.Read() || scan.TokenType != JsonTokenType.String) return false;
            ref var slot = ref which == 0 ? ref reference : ref which == 1 ? ref type : ref display;
            if (slot is not null) return false;
            slot = scan.GetString();
        }
        if (scan.TokenType != JsonTokenType.EndObject) return false;
        subject = new Reference { ReferenceValue = reference, Type = type, Display = display };
        return true;
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
        if (value is SkippedResource skipped)
        {
            throw new InvalidOperationException($"{skipped.TypedId ?? skipped.ResourceType} was skipped unread (no rule reads it) and cannot be written back.");
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
        if (!reader.Read() || reader.TokenType != JsonTokenType.String) return null;
        // A known type's name is the table's own string: no new string per resource.
        foreach (var name in KnownNames)
        {
            if (reader.ValueTextEquals(name.Utf8)) return name.Name;
        }
        return reader.GetString();
    }

    private static readonly (string Name, byte[] Utf8)[] KnownNames = [.. Known.Keys.Select(k => (k, System.Text.Encoding.UTF8.GetBytes(k)))];

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
