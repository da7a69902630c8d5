using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using CarTCds.Hooks.Catalog;
using CarTCds.Service.Hosting;
using CarTCds.Service.Security;
using CarTCds.Service.Tests.Security;
using CarTCds.Service.Tests.TestSupport;
using Microsoft.AspNetCore.Hosting;

namespace CarTCds.Service.Tests;

/// <summary>The API reference page (Scalar) at /scalar: on in Development or with
/// <c>CarTCds:ApiReference:Enabled=true</c>, off otherwise; it reads the service's OpenAPI
/// document, which carries one example request per CDS service from deploy/samples.</summary>
[Collection(CarTCdsServiceCollection.Name)]
public sealed class ApiReferenceTests(CarTCdsWebApplicationFactory factory)
{
    [Theory]
    [InlineData("Testing", "true")]
    [InlineData("Production", "true")]
    [InlineData("Development", null)]
    public async Task GivenTheReferenceEnabledOrDevelopment_WhenScalarIsRequested_ThenThePageRendersTheOpenApiDocument(string environment, string? enabled)
    {
        // Arrange
        using var host = factory.WithWebHostBuilder(b =>
        {
            b.UseEnvironment(environment);
            b.UseSetting("CarTCds:Auth:Disabled", "true"); // Production otherwise refuses to start without an issuer
            if (enabled is not null) b.UseSetting(ApiReference.EnabledSetting, enabled);
        });

        // Act
        using var response = await host.CreateClient().GetAsync(new Uri(ApiReference.Path, UriKind.Relative));

        // Assert
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var page = await response.Content.ReadAsStringAsync();
        Assert.Contains("\"url\":\"openapi/v1.json\"", page, StringComparison.Ordinal);
        Assert.Contains("CarTCds CDS Hooks API", page, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Production", null)]
    [InlineData("Testing", null)]
    [InlineData("Development", "false")]
    public async Task GivenTheDefaultOutsideDevelopmentOrTheSettingOff_WhenScalarIsRequested_Then404(string environment, string? enabled)
    {
        // Arrange
        using var host = factory.WithWebHostBuilder(b =>
        {
            b.UseEnvironment(environment);
            b.UseSetting("CarTCds:Auth:Disabled", "true");
            if (enabled is not null) b.UseSetting(ApiReference.EnabledSetting, enabled);
        });

        // Act
        using var response = await host.CreateClient().GetAsync(new Uri(ApiReference.Path, UriKind.Relative));

        // Assert
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task GivenTheOpenApiDocument_WhenTheHookCallIsRead_ThenItHasOneExamplePerServiceEqualToDeploySamples()
    {
        // Arrange
        var samples = Path.Combine(RepositoryRoot(), "deploy", "samples");

        // Act
        using var doc = JsonDocument.Parse(await factory.CreateClient().GetStringAsync(new Uri("/openapi/v1.json", UriKind.Relative)));

        // Assert
        var examples = doc.RootElement.GetProperty("paths").GetProperty("/cds-services/{id}").GetProperty("post")
            .GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("examples");
        var services = new CdsServiceCatalog().Services.Select(s => s.Id).Order().ToList();
        Assert.Equal(services, examples.EnumerateObject().Select(e => e.Name).Order().ToList());
        foreach (var service in services)
        {
            var expected = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(samples, $"{service}-request.json")));
            var actual = JsonNode.Parse(examples.GetProperty(service).GetProperty("value").GetRawText());
            Assert.True(JsonNode.DeepEquals(expected, actual), $"the example for {service} is not deploy/samples/{service}-request.json");
        }
    }

    [Theory]
    [InlineData(CdsServiceCatalog.ToxicityId, "patient-view", "CRS")]
    [InlineData(CdsServiceCatalog.EligibilityId, "order-select", "label indication")]
    [InlineData(CdsServiceCatalog.OrderCheckId, "order-sign", "ocilizumab")]
    public async Task GivenEachSample_WhenPostedToItsService_ThenTheServiceAnswersWithItsCards(string service, string hook, string summaryFragment)
    {
        // Arrange: the example Scalar offers must be a request the service accepts.
        var body = await File.ReadAllTextAsync(Path.Combine(RepositoryRoot(), "deploy", "samples", $"{service}-request.json"));
        Assert.Equal(hook, JsonNode.Parse(body)!["hook"]!.GetValue<string>());

        // Act
        using var response = await factory.CreateClient().PostJsonAsync($"/cds-services/{service}", body);

        // Assert
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{service}: HTTP {(int)response.StatusCode} {text}");
        var summaries = JsonNode.Parse(text)!["cards"]!.AsArray().Select(c => c!["summary"]!.GetValue<string>()).ToList();
        Assert.Contains(summaries, s => s.Contains(summaryFragment, StringComparison.Ordinal));
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "CarTCds.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException("CarTCds.sln not found above the test binary.");
    }
}

/// <summary>With authentication on, the page offers the CDS Hooks bearer JWT that the document declares.</summary>
[Collection(SecureServiceCollection.Name)]
public sealed class ApiReferenceSecurityTests(SecureWebApplicationFactory factory)
{
    [Fact]
    public async Task GivenAuthenticationOn_WhenScalarIsRequested_ThenThePagePrefersTheBearerScheme()
    {
        // Arrange
        using var host = factory.WithWebHostBuilder(b => b.UseSetting(ApiReference.EnabledSetting, "true"));
        using var client = host.CreateClient();

        // Act
        using var response = await client.GetAsync(new Uri(ApiReference.Path, UriKind.Relative));
        var document = await client.GetStringAsync(new Uri("/openapi/v1.json", UriKind.Relative));

        // Assert: the page is public (it describes, it reads no patient) and names the scheme the document declares.
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(CdsHooksOpenApi.SchemeId, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Contains($"\"{CdsHooksOpenApi.SchemeId}\"", document, StringComparison.Ordinal);
    }
}
