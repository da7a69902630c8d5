using System.Net;
using System.Text.Json;
using CarTCds.Service.Tests.TestSupport;

namespace CarTCds.Service.Tests;

[Collection(CarTCdsServiceCollection.Name)]
public sealed class HealthAndOpenApiTests(CarTCdsWebApplicationFactory factory)
{
    private readonly HttpClient _client = factory.CreateClient();

    [Fact]
    public async Task GivenARunningService_WhenLivenessIsRequested_Then200Healthy()
    {
        // Act
        var response = await _client.GetAsync(new Uri("/health/live", UriKind.Relative));

        // Assert
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task GivenAFhirServerThatRefusesConnections_WhenHooksNeedIt_ThenReadinessIsDegradedNotDown()
    {
        // Arrange: each call tries the closed server 3 times; 5 failures open its breaker.
        var body = HookJson.Toxicity(HookJson.ToxicityPrefetch(omitKey: "observations"), $$"""
            , "fhirServer": "{{HookJson.ClosedFhirServer}}"
            """);
        for (var i = 0; i < 3; i++)
        {
            var hook = await _client.PostJsonAsync(HookJson.ToxicityPath, body);
            Assert.Equal(HttpStatusCode.PreconditionFailed, hook.StatusCode);
        }

        // Act
        var response = await _client.GetAsync(new Uri("/health/ready", UriKind.Relative));

        // Assert: the replica still answers every hook that brings its prefetch.
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Degraded", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task GivenARunningService_WhenTheOpenApiDocumentIsRequested_ThenItListsTheCdsHooksPaths()
    {
        // Act
        var response = await _client.GetAsync(new Uri("/openapi/v1.json", UriKind.Relative));

        // Assert
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var paths = doc.RootElement.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        Assert.Contains("/cds-services", paths);
        Assert.Contains("/cds-services/{id}", paths);
        Assert.Contains("/cds-services/{id}/feedback", paths);

        var call = doc.RootElement.GetProperty("paths").GetProperty("/cds-services/{id}").GetProperty("post");
        var responses = call.GetProperty("responses").EnumerateObject().Select(p => p.Name).ToList();
        Assert.Superset(new HashSet<string> { "200", "400", "404", "412", "413", "415" }, responses.ToHashSet());
    }
}
