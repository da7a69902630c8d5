using System.Net;
using System.Net.Http.Headers;
using CarTCds.Service.Tests.TestSupport;
using Microsoft.AspNetCore.Hosting;

namespace CarTCds.Service.Tests.Security;

/// <summary>Browsers (the official Sandbox among them) send a real preflight before each call,
/// with Access-Control-Request-Headers: authorization,content-type.</summary>
[Collection(SecureServiceCollection.Name)]
public sealed class CorsTests(SecureWebApplicationFactory factory)
{
    private static HttpRequestMessage Preflight(string origin, string path = HookJson.ToxicityPath, string method = "POST")
    {
        var request = new HttpRequestMessage(HttpMethod.Options, new Uri(path, UriKind.Relative));
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", method);
        request.Headers.Add("Access-Control-Request-Headers", "authorization,content-type");
        return request;
    }

    private static string Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(",", values) : "";

    [Theory]
    [InlineData(HookJson.ToxicityPath, "POST")]
    [InlineData("/cds-services", "GET")]
    [InlineData("/cds-services/cart-toxicity/feedback", "POST")]
    public async Task GivenAnAllowedOrigin_WhenItSendsAPreflight_ThenTheAnswerAllowsTheCall(string path, string method)
    {
        using var request = Preflight(SecureWebApplicationFactory.AllowedOrigin, path, method);

        var response = await factory.CreateClient().SendAsync(request);

        Assert.True(response.StatusCode is HttpStatusCode.NoContent or HttpStatusCode.OK, $"preflight answered {(int)response.StatusCode}");
        Assert.Equal(SecureWebApplicationFactory.AllowedOrigin, Header(response, "Access-Control-Allow-Origin"));
        var allowed = Header(response, "Access-Control-Allow-Headers").ToLowerInvariant();
        Assert.Contains("authorization", allowed, StringComparison.Ordinal);
        Assert.Contains("content-type", allowed, StringComparison.Ordinal);
        Assert.Contains(method, Header(response, "Access-Control-Allow-Methods"), StringComparison.Ordinal);
        Assert.Equal("", Header(response, "Access-Control-Allow-Credentials"));
    }

    [Fact]
    public async Task GivenAnOriginNotOnTheList_WhenItSendsAPreflight_ThenNoAllowOriginHeader()
    {
        using var request = Preflight("https://evil.example.com");

        var response = await factory.CreateClient().SendAsync(request);

        Assert.Equal("", Header(response, "Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task GivenAnAllowedOrigin_WhenTheCallIsRefused_ThenThe401CarriesTheAllowOriginHeader()
    {
        // The browser must be able to read the 401, or the EHR sees only "network error".
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/cds-services", UriKind.Relative));
        request.Headers.Add("Origin", SecureWebApplicationFactory.AllowedOrigin);

        var response = await factory.CreateClient().SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(SecureWebApplicationFactory.AllowedOrigin, Header(response, "Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task GivenAnAllowedOrigin_WhenTheCallSucceeds_ThenTheAnswerCarriesTheAllowOriginHeader()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/cds-services", UriKind.Relative));
        request.Headers.Add("Origin", SecureWebApplicationFactory.AllowedOrigin);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer",
            factory.Ehr.Token(SecureWebApplicationFactory.Aud("/cds-services"), factory.Clock.GetUtcNow()));

        var response = await factory.CreateClient().SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(SecureWebApplicationFactory.AllowedOrigin, Header(response, "Access-Control-Allow-Origin"));
    }

    [Theory]
    [InlineData("http://localhost:3000", true)]
    [InlineData("http://127.0.0.1:8080", true)]
    [InlineData("https://sandbox.cds-hooks.org", true)]
    [InlineData("https://evil.example.com", false)]
    public async Task GivenDevelopment_WhenLocalhostOrTheSandboxSendsAPreflight_ThenAllowed(string origin, bool allowed)
    {
        using var development = factory.WithWebHostBuilder(b => b.UseEnvironment("Development"));
        using var request = Preflight(origin);

        var response = await development.CreateClient().SendAsync(request);

        Assert.Equal(allowed ? origin : "", Header(response, "Access-Control-Allow-Origin"));
    }
}
