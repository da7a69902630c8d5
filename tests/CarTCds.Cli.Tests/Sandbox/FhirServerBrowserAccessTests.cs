using System.Net;
using CarTCds.Fhir.Model;
using CarTCds.Fhir.Serialization;

namespace CarTCds.Cli.Tests.Sandbox;

/// <summary>The test FHIR server (tests/fhir-server) serves a browser app such as the official CDS
/// Hooks Sandbox: CORS preflights and answers, and reference searches with a bare id, which the
/// Sandbox's own prefetch sends (<c>Condition?patient=123</c>) and HAPI FHIR resolves.</summary>
[Collection(FhirServerCollection.Name)]
public sealed class FhirServerBrowserAccessTests(FhirServerFixture server)
{
    private const string SandboxOrigin = "https://sandbox.cds-hooks.org";

    [Theory]
    [InlineData("GET", "/metadata")]
    [InlineData("GET", "/Condition?patient=cart-p1-post-sct-relapse")]
    [InlineData("POST", "/Observation/_search")]
    public async Task GivenABrowserPreflight_WhenItReachesTheServer_Then204AllowsTheOriginMethodAndHeaders(string method, string path)
    {
        using var preflight = new HttpRequestMessage(HttpMethod.Options, server.BaseUrl + path);
        preflight.Headers.Add("Origin", SandboxOrigin);
        preflight.Headers.Add("Access-Control-Request-Method", method);
        preflight.Headers.Add("Access-Control-Request-Headers", "authorization,content-type");
        preflight.Headers.Add("Access-Control-Request-Private-Network", "true");

        using var response = await server.Http.SendAsync(preflight);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(SandboxOrigin, Header(response, "Access-Control-Allow-Origin"));
        Assert.Contains(method, Header(response, "Access-Control-Allow-Methods"), StringComparison.Ordinal);
        Assert.Contains("authorization", Header(response, "Access-Control-Allow-Headers"), StringComparison.OrdinalIgnoreCase);
        Assert.Contains("content-type", Header(response, "Access-Control-Allow-Headers"), StringComparison.OrdinalIgnoreCase);
        Assert.Equal("true", Header(response, "Access-Control-Allow-Private-Network"));
    }

    [Theory]
    [InlineData("/metadata", HttpStatusCode.OK)]
    [InlineData("/Patient/cart-p1-post-sct-relapse", HttpStatusCode.OK)]
    [InlineData("/Observation?no-such-parameter=1", HttpStatusCode.BadRequest)]
    [InlineData("/Patient/no-such-patient", HttpStatusCode.NotFound)]
    public async Task GivenARequestWithAnOrigin_WhenAnswered_ThenTheAnswerAllowsThatOriginWhateverItsStatus(string path, HttpStatusCode status)
    {
        await server.EnsureExamplesLoadedAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, server.BaseUrl + path);
        request.Headers.Add("Origin", SandboxOrigin);

        using var response = await server.Http.SendAsync(request);

        Assert.Equal(status, response.StatusCode);
        Assert.Equal(SandboxOrigin, Header(response, "Access-Control-Allow-Origin"));
        Assert.Contains("Origin", response.Headers.Vary);
    }

    [Fact]
    public async Task GivenNoOrigin_WhenAnswered_ThenNoCorsHeaderIsSent()
    {
        using var response = await server.Http.GetAsync(server.BaseUrl + "/metadata");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));
    }

    public static TheoryData<string, string> PatientsAndSearches()
    {
        var data = new TheoryData<string, string>();
        foreach (var file in SandboxExamples.Files)
        {
            foreach (var search in new[] { "Condition?patient=", "Observation?patient=", "Procedure?subject=", "MedicationAdministration?patient=" }) data.Add(file, search);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(PatientsAndSearches))]
    public async Task GivenABareIdInAReferenceSearch_WhenQueried_ThenTheAnswerIsThatOfTheTypedReference(string file, string search)
    {
        await server.EnsureExamplesLoadedAsync();
        var patientId = SandboxExamples.PatientId(file);
        var type = search[..search.IndexOf('?', StringComparison.Ordinal)];
        var expected = SandboxExamples.Resources(file).Where(r => r.Type == type).Select(r => r.Id).Order(StringComparer.Ordinal).ToList();

        var bare = await IdsAsync($"{search}{patientId}&_count=1000");
        var typed = await IdsAsync($"{search}Patient/{patientId}&_count=1000");

        Assert.Equal(expected, typed);
        Assert.Equal(expected, bare);
    }

    [Fact]
    public async Task GivenBareIdsOfTwoPatients_WhenQueried_ThenBothPatientsResourcesAreAnswered()
    {
        await server.EnsureExamplesLoadedAsync();
        var (a, b) = (SandboxExamples.Files[0], SandboxExamples.Files[1]);
        var expected = SandboxExamples.Resources(a).Concat(SandboxExamples.Resources(b)).Where(r => r.Type == "Condition").Select(r => r.Id).Order(StringComparer.Ordinal).ToList();

        var ids = await IdsAsync($"Condition?patient={SandboxExamples.PatientId(a)},{SandboxExamples.PatientId(b)}&_count=1000");

        Assert.NotEmpty(expected);
        Assert.Equal(expected, ids);
    }

    [Fact]
    public async Task GivenABareIdInAPostedSearch_WhenQueried_ThenItIsResolvedToo()
    {
        await server.EnsureExamplesLoadedAsync();
        var file = SandboxExamples.Files[0];
        var expected = SandboxExamples.Resources(file).Where(r => r.Type == "Condition").Select(r => r.Id).Order(StringComparer.Ordinal).ToList();

        using var response = await server.Http.PostAsync($"{server.BaseUrl}/Condition/_search",
            new FormUrlEncodedContent([new("patient", SandboxExamples.PatientId(file))]));
        var body = await response.Content.ReadAsStringAsync();

        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        Assert.NotEmpty(expected);
        Assert.Equal(expected, Assert.IsType<Bundle>(FhirJson.Parse(body)).Resources().Select(r => r.Id!).Order(StringComparer.Ordinal).ToList());
    }

    private async Task<List<string>> IdsAsync(string query)
    {
        using var response = await server.Http.GetAsync($"{server.BaseUrl}/{query}");
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {query} → {(int)response.StatusCode}: {body}");
        return Assert.IsType<Bundle>(FhirJson.Parse(body)).Resources().Select(r => r.Id!).Order(StringComparer.Ordinal).ToList();
    }

    private static string Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values)
            ? string.Join(",", values)
            : $"(no {name} header)";
}
