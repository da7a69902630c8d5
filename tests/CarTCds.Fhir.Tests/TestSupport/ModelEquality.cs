using System.Collections;
using System.Globalization;
using System.Text.Json.Serialization.Metadata;
using CarTCds.Fhir.Model;
using CarTCds.Fhir.Serialization;

namespace CarTCds.Fhir.Tests.TestSupport;

/// <summary>Element-by-element comparison of two lean-model values through the serializer's contract
/// (every element it reads), plus what the serializer does not write: a resource's
/// <see cref="Resource.UnreadElements"/>, null against an empty list, a decimal's scale (1.50 is not 1.5).</summary>
internal static class ModelEquality
{
    /// <summary>Where <paramref name="expected"/> and <paramref name="actual"/> differ (empty when they do not).</summary>
    public static List<string> Differences(object? expected, object? actual)
    {
        var differences = new List<string>();
        Compare(expected, actual, "$", differences);
        return differences;
    }

    private static void Compare(object? expected, object? actual, string path, List<string> differences)
    {
        if (expected is null || actual is null)
        {
            if (expected is not null || actual is not null) differences.Add($"{path}: {Show(expected)} vs {Show(actual)}");
            return;
        }
        if (expected.GetType() != actual.GetType())
        {
            differences.Add($"{path}: {expected.GetType().Name} vs {actual.GetType().Name}");
            return;
        }
        switch (expected)
        {
            case string or bool or int or long:
                if (!expected.Equals(actual)) differences.Add($"{path}: {Show(expected)} vs {Show(actual)}");
                return;
            case decimal d:
                if (d.ToString(CultureInfo.InvariantCulture) != ((decimal)actual).ToString(CultureInfo.InvariantCulture)) differences.Add($"{path}: {d} vs {actual}");
                return;
            case OtherResource other:
                if (other.Json.GetRawText() != ((OtherResource)actual).Json.GetRawText()) differences.Add($"{path}: raw JSON differs");
                return;
            case SkippedResource skipped:
                var s = (SkippedResource)actual;
                if (skipped.ResourceType != s.ResourceType || skipped.Id != s.Id) differences.Add($"{path}: skipped {skipped.TypedId} vs {s.TypedId}");
                Compare(skipped.Subject, s.Subject, path + ".subject", differences);
                return;
            case IList list:
                var other2 = (IList)actual;
                if (list.Count != other2.Count) differences.Add($"{path}: {list.Count} items vs {other2.Count}");
                for (var i = 0; i < Math.Min(list.Count, other2.Count); i++) Compare(list[i], other2[i], $"{path}[{i}]", differences);
                return;
        }
        if (expected is Resource resource)
        {
            var a = string.Join("; ", resource.UnreadElements);
            var b = string.Join("; ", ((Resource)actual).UnreadElements);
            if (a != b) differences.Add($"{path}: unread [{a}] vs [{b}]");
        }
        var info = FhirJson.Options.GetTypeInfo(expected.GetType());
        if (info.Kind != JsonTypeInfoKind.Object)
        {
            differences.Add($"{path}: cannot compare a {expected.GetType().Name}");
            return;
        }
        foreach (var property in info.Properties)
        {
            if (property.Get is null) continue;
            Compare(property.Get(expected), property.Get(actual), $"{path}.{property.Name}", differences);
        }
    }

    private static string Show(object? value) => value switch
    {
        null => "null",
        string s => $"\"{s}\"",
        _ => value.ToString() ?? "?",
    };
}
