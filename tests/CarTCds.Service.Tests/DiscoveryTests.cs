using System.Net;
using System.Text.Json;
using CarTCds.Service.Tests.TestSupport;

namespace CarTCds.Service.Tests;

/// <summary>GET /cds-services (CDS Hooks 2.0 §Discovery).</summary>
[Collection(CarTCdsServiceCollection.Name)]
public sealed class DiscoveryTests(CarTCdsWebApplicationFactory factory)
{
    private readonly HttpClient _client = factory.CreateClient();

    [Theory]
    [InlineData("/cds-services")]
    [InlineData("/cds-services/")]
    public async Task GivenTheService_WhenDiscoveryIsRequested_ThenItAnswers200WithJson(string path)
    {
        // Act
        var response = await _client.GetAsync(new Uri(path, UriKind.Relative));

        // Assert
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var doc = await response.ReadJsonAsync();
        Assert.Equal(3, doc.RootElement.GetProperty("services").GetArrayLength());
    }

    [Theory]
    [InlineData("cart-toxicity", "patient-view")]
    [InlineData("cart-eligibility", "order-select")]
    [InlineData("cart-order-check", "order-sign")]
    public async Task GivenTheService_WhenDiscoveryIsRequested_ThenEachServiceIsFullyDescribed(string id, string hook)
    {
        // Act
        var response = await _client.GetAsync(new Uri("/cds-services", UriKind.Relative));

        // Assert
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var doc = await response.ReadJsonAsync();
        var service = Assert.Single(doc.RootElement.GetProperty("services").EnumerateArray(), s => s.GetProperty("id").GetString() == id);
        Assert.Equal(hook, service.GetProperty("hook").GetString());
        Assert.False(string.IsNullOrWhiteSpace(service.GetProperty("title").GetString()));
        Assert.False(string.IsNullOrWhiteSpace(service.GetProperty("description").GetString()));
        Assert.Matches(@"^\d+\.\d+\.\d+$", service.GetProperty("version").GetString());
        Assert.Equal("1.0", service.GetProperty("hookVersion").GetString());
        Assert.False(string.IsNullOrWhiteSpace(service.GetProperty("usageRequirements").GetString()));

        var prefetch = service.GetProperty("prefetch");
        Assert.Equal(JsonValueKind.Object, prefetch.ValueKind);
        var templates = prefetch.EnumerateObject().ToList();
        Assert.NotEmpty(templates);
        Assert.Contains(templates, t => t.Name == "patient" && t.Value.GetString() == "Patient/{{context.patientId}}");
        Assert.Contains(templates, t => t.Name == "observations");
        Assert.All(templates, t => Assert.Contains("{{context.patientId}}", t.Value.GetString(), StringComparison.Ordinal));
        if (id == "cart-eligibility") Assert.Contains(templates, t => t.Name == "medicationStatements");
    }

    [Fact]
    public async Task GivenTheService_WhenDiscoveryIsRequested_ThenTheBodyHasNoNullOrEmptyValues()
    {
        // Act
        var response = await _client.GetAsync(new Uri("/cds-services", UriKind.Relative));

        // Assert
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var doc = await response.ReadJsonAsync();
        Assert.Empty(Http.EmptyValues(doc.RootElement));
        Assert.Equal(["services"], doc.RootElement.EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public async Task GivenAnUnknownRoute_WhenRequested_Then404OperationOutcome()
    {
        // Act
        var response = await _client.GetAsync(new Uri("/no-such-route", UriKind.Relative));

        // Assert
        await response.AssertOperationOutcomeAsync(HttpStatusCode.NotFound, "not-found", null, "No endpoint at /no-such-route", "GET /cds-services");
    }

    [Fact]
    public async Task GivenAPostOnlyRoute_WhenRequestedWithGet_Then405OperationOutcome()
    {
        // Act
        var response = await _client.GetAsync(new Uri("/cds-services/cart-toxicity", UriKind.Relative));

        // Assert
        await response.AssertOperationOutcomeAsync(HttpStatusCode.MethodNotAllowed, "not-supported", null, "GET is not allowed on /cds-services/cart-toxicity");
        Assert.Contains("POST", response.Content.Headers.Allow.Concat(response.Headers.TryGetValues("Allow", out var a) ? a : []));
    }

    [Fact]
    public async Task GivenTheDiscoveryRoute_WhenPostedTo_Then405OperationOutcome()
    {
        // Act
        var response = await _client.PostJsonAsync("/cds-services", "{}");

        // Assert
        await response.AssertOperationOutcomeAsync(HttpStatusCode.MethodNotAllowed, "not-supported", null, "POST is not allowed on /cds-services");
    }
}
