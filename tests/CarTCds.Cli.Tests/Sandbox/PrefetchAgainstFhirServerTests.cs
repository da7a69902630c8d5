using System.Net;
using CarTCds.Fhir.Model;
using CarTCds.Fhir.Serialization;
using CarTCds.Hooks.Catalog;
using CarTCds.Hooks.Contract;
using CarTCds.Hooks.Prefetch;

namespace CarTCds.Cli.Tests.Sandbox;

/// <summary>Every prefetch template of the service catalogue, filled for every example patient
/// and sent to a real FHIR server loaded by <c>cartcds sandbox load</c>, returns exactly that
/// patient's resources of the template's type — no more (other patients), no fewer (paging).</summary>
[Collection(FhirServerCollection.Name)]
public sealed class PrefetchAgainstFhirServerTests(FhirServerFixture server)
{
    /// <summary>Each distinct prefetch key of the catalogue, by key.</summary>
    private static readonly Dictionary<string, PrefetchKey> Keys = new CdsServiceCatalog().Services
        .SelectMany(s => s.Prefetch)
        .DistinctBy(k => k.Key)
        .ToDictionary(k => k.Key, StringComparer.Ordinal);

    public static TheoryData<string, string> PatientsAndKeys()
    {
        var data = new TheoryData<string, string>();
        foreach (var file in SandboxExamples.Files)
        {
            foreach (var key in Keys.Keys.Order(StringComparer.Ordinal)) data.Add(file, key);
        }
        return data;
    }

    /// <summary>Whether the template asks for this resource: with a <c>code=</c> list (the data
    /// contract's Observation codes), only a resource with one of those codings.</summary>
    private static bool AskedFor(PrefetchKey key, string file, string id)
    {
        var codeParameter = key.Template.Split('?', 2)[^1].Split('&').FirstOrDefault(p => p.StartsWith("code=", StringComparison.Ordinal));
        if (codeParameter is null) return true;
        var asked = codeParameter["code=".Length..].Split(',').ToHashSet(StringComparer.Ordinal);
        var resource = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(SandboxExamples.Folder, file)))!["entry"]!.AsArray()
            .Select(e => e!["resource"]!).Single(r => (string?)r["resourceType"] == key.ResourceType && (string?)r["id"] == id);
        return resource["code"]?["coding"]?.AsArray().Any(c => asked.Contains($"{(string?)c!["system"]}|{(string?)c["code"]}")) == true;
    }

    [Theory]
    [MemberData(nameof(PatientsAndKeys))]
    public async Task GivenLoadedPatients_WhenAPrefetchTemplateIsQueried_ThenTheAnswerIsExactlyThatPatientsResourcesOfItsType(string file, string keyName)
    {
        await server.EnsureExamplesLoadedAsync();
        var key = Keys[keyName];
        var patientId = SandboxExamples.PatientId(file);
        var expected = SandboxExamples.Resources(file).Where(r => r.Type == key.ResourceType && AskedFor(key, file, r.Id)).Select(r => r.Id).Order(StringComparer.Ordinal).ToList();
        var query = PrefetchTemplate.Render(key.Template, new HookContext { PatientId = patientId });
        Assert.NotNull(query);

        using var response = await server.Http.GetAsync($"{server.BaseUrl}/{query}");
        var body = await response.Content.ReadAsStringAsync();

        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {query} → {(int)response.StatusCode}: {body}");
        var answer = FhirJson.Parse(body);
        if (!key.IsSearch)
        {
            Assert.Equal(key.ResourceType, answer.ResourceType);
            Assert.Equal(expected, [answer.Id!]);
            return;
        }
        var bundle = Assert.IsType<Bundle>(answer);
        Assert.Equal("searchset", bundle.Type);
        var resources = bundle.Resources().ToList();
        Assert.All(resources, r => Assert.Equal(key.ResourceType, r.ResourceType));
        Assert.Equal(expected, resources.Select(r => r.Id!).Order(StringComparer.Ordinal).ToList());
        Assert.Equal(expected.Count, bundle.Total);
        Assert.Null(bundle.LinkUrl("next"));
    }

    [Fact]
    public void GivenTheExamples_WhenTheirResourcesAreCountedByPrefetchKey_ThenEverySearchKeyButMedicationStatementsHasData()
    {
        // The table above compares sets; this keeps it from passing on empty sets alone.
        var types = SandboxExamples.Files.SelectMany(SandboxExamples.Resources).Select(r => r.Type).ToHashSet(StringComparer.Ordinal);

        var empty = Keys.Values.Where(k => !types.Contains(k.ResourceType)).Select(k => k.Key).ToList();

        Assert.Equal(["medicationStatements"], empty);
    }

    [Theory]
    [InlineData("Observation?patiënt=Patient/cart-p1-post-sct-relapse")]
    [InlineData("MedicationStatement?subjekt=Patient/cart-p1-post-sct-relapse")]
    [InlineData("Observation?value-quantity=gt5")]
    public async Task GivenAQueryTheTestServerCannotAnswerTruly_WhenSent_ThenItIsRefusedNotAnsweredEmpty(string query)
    {
        // Medplum alone answers these with 0 rows; the wrapper refuses them, so a mistyped
        // template fails the table above instead of matching an empty expected set.
        using var response = await server.Http.GetAsync($"{server.BaseUrl}/{query}");
        var answer = FhirJson.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.IsType<OperationOutcome>(answer);
    }

    [Fact]
    public async Task GivenLoadedPatients_WhenSearchedByPost_ThenTheAnswerEqualsTheGetSearch()
    {
        await server.EnsureExamplesLoadedAsync();
        var form = new FormUrlEncodedContent([new("patient", "Patient/cart-p4-down-syndrome"), new("_count", "200")]);

        using var post = await server.Http.PostAsync($"{server.BaseUrl}/Procedure/_search", form);
        var viaPost = (Bundle)FhirJson.Parse(await post.Content.ReadAsStringAsync());
        var viaGet = (Bundle)FhirJson.Parse(await server.Http.GetStringAsync($"{server.BaseUrl}/Procedure?patient=Patient/cart-p4-down-syndrome&_count=200"));

        Assert.Equal(HttpStatusCode.OK, post.StatusCode);
        Assert.NotEmpty(viaGet.Resources());
        Assert.Equal(viaGet.Resources().Select(r => r.Id).Order(), viaPost.Resources().Select(r => r.Id).Order());
    }

    [Fact]
    public async Task GivenTheServer_WhenMetadataIsRead_ThenItIsAnR4CapabilityStatement()
    {
        var metadata = System.Text.Json.Nodes.JsonNode.Parse(await server.Http.GetStringAsync($"{server.BaseUrl}/metadata"))!;

        Assert.Equal("CapabilityStatement", metadata["resourceType"]!.GetValue<string>());
        Assert.Equal("4.0.1", metadata["fhirVersion"]!.GetValue<string>());
    }
}
