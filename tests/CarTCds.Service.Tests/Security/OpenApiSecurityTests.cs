using System.Net;
using System.Text.Json;
using CarTCds.Service.Tests.TestSupport;

namespace CarTCds.Service.Tests.Security;

/// <summary>With authentication on, the OpenAPI document declares the bearer JWT and puts it on
/// exactly the protected operations.</summary>
[Collection(SecureServiceCollection.Name)]
public sealed class OpenApiSecurityTests(SecureWebApplicationFactory factory)
{
    [Fact]
    public async Task GivenAuthenticationOn_WhenTheOpenApiDocumentIsRead_ThenTheBearerSchemeGuardsDiscoveryHooksFeedbackAndAdmin()
    {
        using var client = factory.CreateClient();

        using var response = await client.GetAsync(new Uri("/openapi/v1.json", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var scheme = doc.RootElement.GetProperty("components").GetProperty("securitySchemes").GetProperty("cdsHooksJwt");
        Assert.Equal("http", scheme.GetProperty("type").GetString());
        Assert.Equal("bearer", scheme.GetProperty("scheme").GetString());
        var paths = doc.RootElement.GetProperty("paths");
        Assert.True(Guarded(paths, "/cds-services", "get"));
        Assert.True(Guarded(paths, "/cds-services/{id}", "post"));
        Assert.True(Guarded(paths, "/cds-services/{id}/feedback", "post"));
        Assert.True(Guarded(paths, "/admin/feedback/summary", "get"));
        Assert.Equal(4, paths.EnumerateObject().Count(p => p.Value.EnumerateObject().Any(o => Guarded(paths, p.Name, o.Name))));
    }

    private static bool Guarded(JsonElement paths, string path, string method)
    {
        var operation = paths.GetProperty(path).GetProperty(method);
        return operation.TryGetProperty("security", out var security)
            && security.EnumerateArray().Any(r => r.TryGetProperty("cdsHooksJwt", out _));
    }
}

/// <summary>With authentication off, the document does not claim a token is needed.</summary>
[Collection(CarTCdsServiceCollection.Name)]
public sealed class OpenApiWithoutAuthenticationTests(CarTCdsWebApplicationFactory factory)
{
    [Fact]
    public async Task GivenAuthenticationOff_WhenTheOpenApiDocumentIsRead_ThenNoSecuritySchemeIsDeclared()
    {
        using var client = factory.CreateClient();

        var json = await client.GetStringAsync(new Uri("/openapi/v1.json", UriKind.Relative));

        Assert.Contains("\"/cds-services\"", json, StringComparison.Ordinal);
        Assert.DoesNotContain("cdsHooksJwt", json, StringComparison.Ordinal);
    }
}
