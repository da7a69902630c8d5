using System.Text.Json;

namespace CarTCds.Fhir.Tests.TestSupport;

/// <summary>Assertions about FHIR JSON text (http://hl7.org/fhir/R4/json.html).</summary>
internal static class FhirJsonAssert
{
    /// <summary>The JSON is well formed and obeys FHIR's writing rules: no null, no empty array,
    /// object or string anywhere, and <c>resourceType</c> is the first property of every resource.
    /// Checked twice: on the text (compact output, so the tokens are unambiguous) and by walking
    /// the parsed tree (which also catches an empty string that a text search could miss).</summary>
    public static void IsValidFhirJson(string json)
    {
        Assert.DoesNotContain("null", json, StringComparison.Ordinal);
        Assert.DoesNotContain("[]", json, StringComparison.Ordinal);
        Assert.DoesNotContain("{}", json, StringComparison.Ordinal);
        Assert.DoesNotContain(":\"\"", json, StringComparison.Ordinal); // an empty string value
        Assert.DoesNotContain("[\"\"", json, StringComparison.Ordinal); // an empty string in an array

        using var document = JsonDocument.Parse(json);
        Assert.Equal(JsonValueKind.Object, document.RootElement.ValueKind);
        Assert.True(document.RootElement.TryGetProperty("resourceType", out _), "The root object has no resourceType.");
        Walk(document.RootElement, "$");
    }

    /// <summary>Everything <paramref name="written"/> contains is in <paramref name="source"/>
    /// at the same place with the same value (numbers compared by their literal text, so
    /// decimal precision must survive): the writer drops unmodelled elements but invents and
    /// alters nothing. Arrays must keep their length.</summary>
    public static void IsSubsetOf(JsonElement source, JsonElement written, string path = "$")
    {
        Assert.True(source.ValueKind == written.ValueKind
                || (source.ValueKind is JsonValueKind.True or JsonValueKind.False
                    && written.ValueKind is JsonValueKind.True or JsonValueKind.False),
            $"{path}: source is {source.ValueKind} but written is {written.ValueKind}.");

        switch (written.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in written.EnumerateObject())
                {
                    var childPath = $"{path}.{property.Name}";
                    Assert.True(source.TryGetProperty(property.Name, out var sourceValue), $"{childPath} was written but is not in the source.");
                    IsSubsetOf(sourceValue, property.Value, childPath);
                }
                break;
            case JsonValueKind.Array:
                Assert.True(source.GetArrayLength() == written.GetArrayLength(),
                    $"{path}: source has {source.GetArrayLength()} items, written has {written.GetArrayLength()}.");
                for (var i = 0; i < written.GetArrayLength(); i++)
                {
                    IsSubsetOf(source[i], written[i], $"{path}[{i}]");
                }
                break;
            case JsonValueKind.String:
                Assert.True(source.GetString() == written.GetString(),
                    $"{path}: source \"{source.GetString()}\" but written \"{written.GetString()}\".");
                break;
            case JsonValueKind.Number:
                Assert.True(source.GetRawText() == written.GetRawText(),
                    $"{path}: source {source.GetRawText()} but written {written.GetRawText()}.");
                break;
            default:
                Assert.True(source.ValueKind == written.ValueKind, $"{path}: source {source.ValueKind} but written {written.ValueKind}.");
                break;
        }
    }

    /// <summary>The names of the root object's properties, in document order.</summary>
    public static string[] PropertyNames(string json)
    {
        using var document = JsonDocument.Parse(json);
        return [.. document.RootElement.EnumerateObject().Select(p => p.Name)];
    }

    private static void Walk(JsonElement element, string path)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var properties = element.EnumerateObject().ToList();
                Assert.True(properties.Count > 0, $"{path} is an empty object.");
                if (element.TryGetProperty("resourceType", out _))
                {
                    Assert.True(properties[0].Name == "resourceType", $"{path}: resourceType is not the first property.");
                }
                foreach (var property in properties)
                {
                    Walk(property.Value, $"{path}.{property.Name}");
                }
                break;
            case JsonValueKind.Array:
                Assert.True(element.GetArrayLength() > 0, $"{path} is an empty array.");
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    Walk(item, $"{path}[{index++}]");
                }
                break;
            case JsonValueKind.String:
                Assert.True(element.GetString()!.Length > 0, $"{path} is an empty string.");
                break;
            case JsonValueKind.Null:
                Assert.Fail($"{path} is null.");
                break;
        }
    }
}
