using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace CarTCds.Service.Tests.TestSupport;

/// <summary>Sending bodies exactly as given, and reading answers as plain JSON (never through
/// the service's own model, so a serializer bug cannot hide itself).</summary>
public static class Http
{
    public static Task<HttpResponseMessage> PostJsonAsync(this HttpClient client, string path, string json, string contentType = "application/json") =>
        client.PostBytesAsync(path, Encoding.UTF8.GetBytes(json), contentType);

    public static Task<HttpResponseMessage> PostBytesAsync(this HttpClient client, string path, byte[] body, string? contentType = "application/json")
    {
        var content = new ByteArrayContent(body);
        if (contentType is not null) content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        return client.PostAsync(new Uri(path, UriKind.Relative), content);
    }

    public static async Task<JsonDocument> ReadJsonAsync(this HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        try
        {
            return JsonDocument.Parse(text);
        }
        catch (JsonException ex)
        {
            throw new Xunit.Sdk.XunitException($"HTTP {(int)response.StatusCode}: body is not JSON ({ex.Message}): <{Cut(text)}>");
        }
    }

    /// <summary>Asserts the status, a JSON content type and an OperationOutcome whose first issue
    /// has this severity/code, diagnostics containing every fragment, and (when given) this
    /// expression. Returns the outcome for further checks.</summary>
    public static async Task<JsonElement> AssertOperationOutcomeAsync(this HttpResponseMessage response, HttpStatusCode status,
        string code, string? expression, params string[] diagnosticsFragments)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"Expected HTTP {(int)status} but got {(int)response.StatusCode}: {Cut(body)}");
        Assert.NotNull(response.Content.Headers.ContentType);
        Assert.Contains(response.Content.Headers.ContentType!.MediaType, new[] { "application/json", "application/fhir+json" });

        using var doc = await response.ReadJsonAsync();
        var root = doc.RootElement.Clone();
        Assert.Equal(JsonValueKind.Object, root.ValueKind);
        Assert.Equal("OperationOutcome", root.GetProperty("resourceType").GetString());
        var issues = root.GetProperty("issue");
        Assert.True(issues.GetArrayLength() > 0, "OperationOutcome without issues");
        var issue = issues[0];
        Assert.Equal("error", issue.GetProperty("severity").GetString());
        Assert.Equal(code, issue.GetProperty("code").GetString());
        var diagnostics = issue.GetProperty("diagnostics").GetString();
        Assert.False(string.IsNullOrWhiteSpace(diagnostics));
        foreach (var fragment in diagnosticsFragments) Assert.Contains(fragment, diagnostics, StringComparison.Ordinal);
        if (expression is not null)
        {
            Assert.True(issue.TryGetProperty("expression", out var expr), $"issue has no expression; expected '{expression}': {Cut(body)}");
            Assert.Equal(expression, expr[0].GetString());
        }
        AssertNoStackTrace(body);
        return root;
    }

    /// <summary>Any 4xx, with an OperationOutcome that has a non-empty diagnostics; no stack trace.</summary>
    public static async Task AssertClientErrorOutcomeAsync(this HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        var status = (int)response.StatusCode;
        Assert.True(status is >= 400 and < 500, $"Expected a 4xx but got {status}: {Cut(body)}");
        using var doc = await response.ReadJsonAsync();
        Assert.Equal("OperationOutcome", doc.RootElement.GetProperty("resourceType").GetString());
        var issue = doc.RootElement.GetProperty("issue")[0];
        Assert.Equal("error", issue.GetProperty("severity").GetString());
        Assert.False(string.IsNullOrWhiteSpace(issue.GetProperty("code").GetString()));
        Assert.False(string.IsNullOrWhiteSpace(issue.GetProperty("diagnostics").GetString()));
        AssertNoStackTrace(body);
    }

    public static void AssertNoStackTrace(string body)
    {
        Assert.DoesNotContain("   at ", body, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception:", body, StringComparison.Ordinal);
    }

    /// <summary>CDS Hooks: never send null, "", [] or {} (the one exception, {"cards":[]}, is
    /// allowed by <paramref name="allowEmptyCards"/>). Returns the JSON paths that break the rule.</summary>
    public static List<string> EmptyValues(JsonElement element, bool allowEmptyCards = false)
    {
        var found = new List<string>();
        Walk(element, "$", found, allowEmptyCards);
        return found;
    }

    private static void Walk(JsonElement e, string path, List<string> found, bool allowEmptyCards)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.Null:
                found.Add(path + " = null");
                break;
            case JsonValueKind.String when e.GetString()!.Length == 0:
                found.Add(path + " = \"\"");
                break;
            case JsonValueKind.Array:
                if (e.GetArrayLength() == 0 && !(allowEmptyCards && path == "$.cards")) found.Add(path + " = []");
                var i = 0;
                foreach (var item in e.EnumerateArray()) Walk(item, $"{path}[{i++}]", found, allowEmptyCards);
                break;
            case JsonValueKind.Object:
                if (!e.EnumerateObject().Any()) found.Add(path + " = {}");
                foreach (var p in e.EnumerateObject()) Walk(p.Value, $"{path}.{p.Name}", found, allowEmptyCards);
                break;
        }
    }

    private static string Cut(string s) => s.Length <= 2000 ? s : s[..2000] + "…";
}
