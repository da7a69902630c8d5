using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace CarTCds.Cli.Tests.Sandbox;

/// <summary>The sandbox page's API with <c>CarTCds:Sandbox:FhirServer</c> set to a real FHIR server
/// (Medplum, loaded by <c>cartcds sandbox load</c>): its patients are offered beside the examples,
/// their timeline is read from it, and their hooks name it in fhirServer with no prefetch.</summary>
[Collection(FhirServerCollection.Name)]
public sealed class SandboxPageFhirServerTests(FhirServerFixture server)
{
    private const string Patient1 = "cart-p1-post-sct-relapse";

    // Day 5 of patient 1 ends at 23:00Z: fever, norepinephrine and BiPAP → CRS grade 4.
    private WebApplicationFactory<Program> Service(string fhirServer) =>
        new WebApplicationFactory<Program>().WithWebHostBuilder(b => b
            .UseSetting("CarTCds:Now", "2013-05-12T23:00:00Z")
            .UseGenerousFhirTimeouts()
            .UseSetting("CarTCds:Sandbox:Enabled", "true")
            .UseSetting("CarTCds:Sandbox:FhirServer", fhirServer)
            .UseTempSqlite());

    private static async Task<JsonNode> GetJsonAsync(HttpClient client, string url)
    {
        var response = await client.GetAsync(new Uri(url, UriKind.Relative));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET {url} answered {(int)response.StatusCode}: {body}");
        return JsonNode.Parse(body)!;
    }

    [Fact]
    public async Task GivenAFhirServer_WhenPatientsAreListed_ThenItsPatientsAreOfferedBesideTheExamples()
    {
        await server.EnsureExamplesLoadedAsync();
        using var service = Service(server.BaseUrl);

        var list = await GetJsonAsync(service.CreateClient(), "/sandbox/api/patients");

        Assert.Equal(server.BaseUrl.TrimEnd('/'), (string?)list["fhirServer"]);
        Assert.Null(list["fhirFailure"]);
        var live = list["fhirPatients"]!.AsArray();
        Assert.Contains(live, p => (string?)p!["id"] == Patient1 && (string?)p["name"] == "Synthetic Patient One");
        Assert.Equal(13, list["patients"]!.AsArray().Count);
    }

    [Fact]
    public async Task GivenPatient1OnTheFhirServer_WhenItsTimelineIsRead_ThenItEndsTodayOnDay5WithTheEnginesGrades()
    {
        await server.EnsureExamplesLoadedAsync();
        using var service = Service(server.BaseUrl);

        var days = (await GetJsonAsync(service.CreateClient(), $"/sandbox/api/patients/{Patient1}/timeline?source=fhir")).AsArray();

        Assert.Equal(6, days.Count); // days 0–5: nothing after the engine's today
        var today = days[^1]!;
        Assert.Equal(5, (int)today["day"]!);
        Assert.Equal(4, (int?)today["crsGrade"]);
        Assert.Equal(0, (int?)days[4]!["crsGrade"]);
        Assert.Contains(today["doses"]!.AsArray(), d => (string?)d!["drug"] == "tocilizumab");
    }

    [Fact]
    public async Task GivenPatient1OnTheFhirServer_WhenTheSandboxRequestIsPosted_ThenItNamesOnlyTheServerAndTheServiceReadsCrsGrade4()
    {
        await server.EnsureExamplesLoadedAsync();
        using var service = Service(server.BaseUrl);
        var client = service.CreateClient();
        var built = await GetJsonAsync(client, $"/sandbox/api/patients/{Patient1}/request?source=fhir&hook=patient-view");

        using var content = new StringContent(built["request"]!.ToJsonString(), Encoding.UTF8, "application/json");
        var response = await client.PostAsync(new Uri($"/cds-services/{(string)built["serviceId"]!}", UriKind.Relative), content);

        var request = built["request"]!;
        Assert.Null(request["prefetch"]);
        Assert.Equal(server.BaseUrl.TrimEnd('/'), (string?)request["fhirServer"]);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        var crs = JsonNode.Parse(body)!["cards"]!.AsArray().SelectMany(c => c!["extension"]?["org.cartcds.findings"]?.AsArray() ?? [])
            .First(f => (string?)f!["code"] == "crs-grade")!;
        Assert.Equal(4, (int?)crs["value"]);
    }

    [Fact]
    public async Task GivenAnUnreachableFhirServer_WhenPatientsAreListed_ThenTheExamplesStayAndTheFailureIsSaid()
    {
        using var service = Service("http://127.0.0.1:9/fhir");

        var list = await GetJsonAsync(service.CreateClient(), "/sandbox/api/patients");

        Assert.Empty(list["fhirPatients"]!.AsArray());
        Assert.False(string.IsNullOrWhiteSpace((string?)list["fhirFailure"]));
        Assert.Equal(13, list["patients"]!.AsArray().Count);
    }

    [Theory]
    [InlineData("/sandbox/api/patients/x/timeline?source=fhir")]
    [InlineData("/sandbox/api/patients/x/request?source=fhir")]
    public async Task GivenNoFhirServerConfigured_WhenAFhirPatientIsAskedFor_Then400SaysWhatToSet(string url)
    {
        using var service = new WebApplicationFactory<Program>().WithWebHostBuilder(b => b
            .UseSetting("CarTCds:Sandbox:Enabled", "true").UseTempSqlite());

        var response = await service.CreateClient().GetAsync(new Uri(url, UriKind.Relative));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("CarTCds:Sandbox:FhirServer", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
