using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CarTCds.Fhir.Model;
using CarTCds.Fhir.Serialization;
using CarTCds.Fhir.Tests.TestSupport;

namespace CarTCds.Fhir.Tests.Serialization;

/// <summary>The direct read (<see cref="DirectModelReader"/>) gives the model the serializer gives, or
/// declines: every example reads to the same model both ways, and every malformed variant of them (a
/// value of each other JSON type, a null item, a duplicate or escaped property name) reads to the same
/// model, the same skipped elements or the same error message and path.</summary>
public sealed class DirectModelReaderTests
{
    public static TheoryData<string> Examples()
    {
        var data = new TheoryData<string>();
        foreach (var file in SpecExample.AllFiles) data.Add(Path.Combine("SpecExamples", file));
        foreach (var file in Directory.GetFiles(Path.Combine(RepositoryFiles.Profiles, "examples"), "cart-*.json").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetRelativePath(RepositoryFiles.Root, file));
        }
        return data;
    }

    private static byte[] Load(string file) =>
        File.ReadAllBytes(file.StartsWith("SpecExamples", StringComparison.Ordinal) ? Path.Combine(AppContext.BaseDirectory, file) : Path.Combine(RepositoryFiles.Root, file));

    [Theory]
    [MemberData(nameof(Examples))]
    public void GivenAnExample_WhenReadDirectly_ThenItIsAcceptedAndTheModelIsTheSerializers(string file)
    {
        // Arrange
        var json = Load(file);
        Resource bySerializer;
        using (DirectModelReader.SerializerOnly()) bySerializer = FhirJson.Parse(json);

        // Act
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = FhirJson.MaxDepth });
        reader.Read();
        var direct = DirectModelReader.TryRead(ref reader, bySerializer.GetType(), FhirJson.Options);

        // Assert
        Assert.NotNull(direct);
        Assert.Equal(JsonTokenType.EndObject, reader.TokenType);
        Assert.Empty(ModelEquality.Differences(bySerializer, direct));
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public void GivenEveryMalformedVariantOfAnExample_WhenParsed_ThenTheOutcomeIsTheSerializersAlone(string file)
    {
        // Arrange
        var json = Shortened(Encoding.UTF8.GetString(Load(file)));
        var variants = 0;
        var mismatches = new List<string>();

        // Act
        foreach (var (what, variant) in Variants(json))
        {
            variants++;
            if (Compare(variant) is { } difference) mismatches.Add($"{what}: {difference}");
        }

        // Assert
        Assert.True(variants > 50, $"only {variants} variants");
        Assert.Empty(mismatches);
    }

    [Theory]
    [InlineData(typeof(Observation), """{"resourceType":"Observation","status":"final","status":"amended"}""")]
    [InlineData(typeof(Observation), """{"resourceType":"Observation","st\u0061tus":"final"}""")]
    [InlineData(typeof(Observation), """{"resourceType":"Observation","code":{"coding":[{"system":"http://loinc.org","code":"8310-5"},null]}}""")]
    [InlineData(typeof(Observation), """{"resourceType":"Observation","valueQuantity":{"value":"38.5"}}""")]
    [InlineData(typeof(Observation), """{"resourceType":"Observation","category":{"text":"vital-signs"}}""")]
    [InlineData(typeof(Observation), """{"resourceType":"Observation","valueInteger":1.5}""")]
    [InlineData(typeof(Observation), """{"resourceType":"Observation","unreadElements":[]}""")]
    [InlineData(typeof(Patient), """{"resourceType":"Patient","name":[{"given":["Ann",null]}]}""")]
    public void GivenInputTheDirectReadCannotVouchFor_WhenReadDirectly_ThenItDeclinesAndTheSerializerDecides(Type type, string json)
    {
        // Arrange
        var utf8 = Encoding.UTF8.GetBytes(json);
        var reader = new Utf8JsonReader(utf8);
        reader.Read();

        // Act
        var direct = DirectModelReader.TryRead(ref reader, type, FhirJson.Options);

        // Assert
        Assert.Null(direct);
        Assert.Null(Compare(json));
    }

    [Fact]
    public void GivenRepeatedCodes_WhenReadDirectly_ThenOneStringServesEveryRecordOfTheRead()
    {
        // Arrange
        const string observation = """{"resourceType":"Observation","id":"ID","code":{"coding":[{"system":"http://loinc.org","code":"8310-5"}]},"subject":{"reference":"Patient/p1"}}""";
        var bundle = $$"""{"resourceType":"Bundle","type":"searchset","entry":[{"resource":{{observation.Replace("ID", "a", StringComparison.Ordinal)}}},{"resource":{{observation.Replace("ID", "b", StringComparison.Ordinal)}}}]}""";

        // Act
        var read = (Bundle)FhirJson.Parse(bundle);
        var first = (Observation)read.Entry![0].Resource!;
        var second = (Observation)read.Entry![1].Resource!;

        // Assert
        Assert.Same(first.Code!.Coding![0].System, second.Code!.Coding![0].System);
        Assert.Same(first.Subject!.ReferenceValue, second.Subject!.ReferenceValue);
        Assert.Equal(("a", "b"), (first.Id, second.Id));
        Assert.Equal(1, first.Code.Coding.Capacity);
    }

    [Fact]
    public void GivenNestedBundlesEachEndingInAnElementTheDirectReadDeclines_WhenParsed_ThenEachIsReadOnceMoreNotTwicePerLevel()
    {
        // Arrange: 16 Bundles, each the only entry of the one above and each ending in a total the direct read
        // declines (a string: the serializer skips it as malformed and records it).
        var json = "{\"resourceType\":\"Observation\",\"id\":\"o\"}";
        for (var level = 0; level < 16; level++) json = $$"""{"resourceType":"Bundle","type":"collection","entry":[{"resource":{{json}}}],"total":"x"}""";
        var utf8 = Encoding.UTF8.GetBytes(json);
        Resource bySerializer;
        using (DirectModelReader.SerializerOnly()) bySerializer = FhirJson.Parse(utf8);
        var before = GC.GetAllocatedBytesForCurrentThread();

        // Act
        var read = FhirJson.Parse(utf8);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        // Assert: each level read once more is ≈ 16 reads; one more per level and per level below (2^16) allocated 166 MB.
        Assert.Empty(ModelEquality.Differences(bySerializer, read));
        Assert.True(allocated < 2_000_000, $"{allocated:N0} bytes allocated");
    }

    // A chart Bundle of hundreds of entries, cut to its first entries of each resource type (every variant is read twice whole).
    private static string Shortened(string json)
    {
        var root = JsonNode.Parse(json)!;
        if (root["entry"] is not JsonArray entries || entries.Count <= 12) return json;
        var kept = entries.GroupBy(e => e?["resource"]?["resourceType"]?.GetValue<string>()).SelectMany(g => g.Take(2)).Select(e => e?.DeepClone()).ToArray();
        root["entry"] = new JsonArray(kept);
        return root.ToJsonString();
    }

    // Null when both reads agree; otherwise what differs.
    private static string? Compare(string json)
    {
        var (serializer, serializerError) = Outcome(json, serializerOnly: true);
        var (direct, directError) = Outcome(json, serializerOnly: false);
        if (serializerError != directError) return $"error \"{serializerError}\" vs \"{directError}\"";
        var differences = ModelEquality.Differences(serializer, direct);
        return differences.Count == 0 ? null : string.Join("; ", differences);
    }

    private static (Resource? Resource, string? Error) Outcome(string json, bool serializerOnly)
    {
        using var scope = serializerOnly ? DirectModelReader.SerializerOnly() : default;
        try
        {
            return (FhirJson.Parse(Encoding.UTF8.GetBytes(json)), null);
        }
        catch (JsonException ex)
        {
            return (null, $"{ex.Message} at {FhirJson.FullPath(ex)}");
        }
    }

    private const int MaxPaths = 200;

    private static readonly string[] Replacements = ["null", "1.5", "7", "-1", "1e400", "\"x\"", "\"\"", "true", "{}", "[]", "[null]", "{\"x\":1}", "[{}]", "[\"x\"]"];

    /// <summary>Each value of the document (every property value and array item) replaced by each
    /// JSON shape, each property written twice, each property name escaped.</summary>
    private static IEnumerable<(string What, string Json)> Variants(string json)
    {
        var root = JsonNode.Parse(json)!;
        var paths = new List<string>();
        Collect(root, "$", paths);
        // A Bundle has hundreds of values: every n-th of them, at most MaxPaths, the first always.
        var stride = (paths.Count + MaxPaths - 1) / MaxPaths;
        foreach (var path in paths.Where((_, i) => i % stride == 0))
        {
            foreach (var replacement in Replacements)
            {
                yield return ($"{path} = {replacement}", Write(root, path, replacement, duplicate: false, escape: false));
            }
            if (!path.EndsWith(']'))
            {
                yield return ($"{path} twice", Write(root, path, null, duplicate: true, escape: false));
                yield return ($"{path} escaped", Write(root, path, null, duplicate: false, escape: true));
            }
        }
    }

    private static void Collect(JsonNode? node, string path, List<string> paths)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (name, value) in o)
                {
                    paths.Add($"{path}.{name}");
                    Collect(value, $"{path}.{name}", paths);
                }
                break;
            case JsonArray a:
                for (var i = 0; i < a.Count; i++)
                {
                    paths.Add($"{path}[{i}]");
                    Collect(a[i], $"{path}[{i}]", paths);
                }
                break;
        }
    }

    // Writes the document with the value at `target` replaced (raw JSON), or its property written twice, or its name escaped.
    private static string Write(JsonNode root, string target, string? replacement, bool duplicate, bool escape)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { SkipValidation = true }))
        {
            WriteNode(writer, root, "$", target, replacement, duplicate, escape);
        }
        var json = Encoding.UTF8.GetString(buffer.WrittenSpan);
        if (!escape) return json;
        // The marked name's first character written as a \u escape: the same name to a JSON reader.
        var at = json.IndexOf(EscapeMark, StringComparison.Ordinal);
        return json[..at] + $"\\u{(int)json[at + EscapeMark.Length]:x4}" + json[(at + EscapeMark.Length + 1)..];
    }

    private const string EscapeMark = "@@escape@@";

    private static void WriteNode(Utf8JsonWriter writer, JsonNode? node, string path, string target, string? replacement, bool duplicate, bool escape)
    {
        if (path == target && replacement is not null)
        {
            writer.WriteRawValue(replacement, skipInputValidation: true);
            return;
        }
        switch (node)
        {
            case JsonObject o:
                writer.WriteStartObject();
                foreach (var (name, value) in o)
                {
                    var childPath = $"{path}.{name}";
                    var times = childPath == target && duplicate ? 2 : 1;
                    for (var t = 0; t < times; t++)
                    {
                        writer.WritePropertyName(childPath == target && escape ? EscapeMark + name : name);
                        WriteNode(writer, value, childPath, target, replacement, duplicate, escape);
                    }
                }
                writer.WriteEndObject();
                break;
            case JsonArray a:
                writer.WriteStartArray();
                for (var i = 0; i < a.Count; i++) WriteNode(writer, a[i], $"{path}[{i}]", target, replacement, duplicate, escape);
                writer.WriteEndArray();
                break;
            case null:
                writer.WriteNullValue();
                break;
            default:
                node.WriteTo(writer);
                break;
        }
    }
}
