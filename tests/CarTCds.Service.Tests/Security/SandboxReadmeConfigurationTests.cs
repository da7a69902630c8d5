using System.Net;
using System.Net.Http.Headers;
using System.Text;
using CarTCds.Service.Security;
using CarTCds.Service.Tests.TestSupport;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace CarTCds.Service.Tests.Security;

/// <summary>README "Use with the official CDS Hooks Sandbox", steps 2–3, followed to the letter:
/// authentication on, the Sandbox's issuer with the JWKS file shipped in deploy/config (no
/// <c>AllowJku</c>, no <c>JkuAllowlist</c>), its origin allowed. The Sandbox always sends a
/// <c>jku</c> header; with these steps every call was 401 (issue 17). Its tokens have the exact
/// shape of its jwt-generator.js (<see cref="SecureWebApplicationFactory.OfficialSandboxToken"/>).
/// The real Sandbox's private key is not used: one test keeps the shipped file and shows that its
/// key is the one checked; the other puts a test key under the same kid in the file's place and
/// shows the whole exchange passes. Any jku fetch would be counted by a stub (none may happen).</summary>
public sealed class SandboxReadmeConfigurationTests : IDisposable
{
    private const string Feedback = """{"feedback":[{"card":"9368d37b-283f-44a0-93ea-547cebab93ed","outcome":"overridden","outcomeTimestamp":"2013-05-19T12:01:00Z"}]}""";

    /// <summary>deploy/config/sandbox.cds-hooks.org.jwks.json as shipped.</summary>
    private static readonly string ShippedJwks = SecuritySettingsTests.RepoFile(Path.Combine("deploy", "config", "sandbox.cds-hooks.org.jwks.json"));

    private readonly ManualClock _clock = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly StubJwksHandler _network = new();
    private readonly TestIssuer _standIn = new(CdsHooksSecuritySettings.OfficialSandboxIssuer, SecureWebApplicationFactory.SandboxKid);
    private readonly string _standInJwks = Path.Combine(Path.GetTempPath(), $"cartcds-readme-sandbox-{Guid.NewGuid():N}.jwks.json");

    private WebApplicationFactory<Program> ServiceConfiguredAsTheReadmeSays(string jwksFile) =>
        new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseEnvironment("Testing");
            b.UseTempSqlite();
            b.UseSetting("CarTCds:Now", CarTCdsWebApplicationFactory.FixedNow);
            b.UseSetting("CarTCds:Auth:Disabled", "false"); // Testing, like Development, runs without it by default
            // README step 2 (CarTCds__Auth__Issuers__0__…) and step 3 (CarTCds__Cors__AllowedOrigins__0), nothing else.
            b.UseSetting("CarTCds:Auth:Issuers:0:Issuer", "https://sandbox.cds-hooks.org");
            b.UseSetting("CarTCds:Auth:Issuers:0:JwksFile", jwksFile);
            b.UseSetting("CarTCds:Cors:AllowedOrigins:0", "https://sandbox.cds-hooks.org");
            b.ConfigureTestServices(services =>
            {
                services.AddKeyedSingleton<TimeProvider>(CdsHooksSecurity.ClockKey, _clock);
                services.AddHttpClient(IssuerKeyResolver.HttpClientName).ConfigurePrimaryHttpMessageHandler(() => _network);
            });
        });

    private async Task<HttpResponseMessage> SendAsSandboxAsync(HttpClient client, HttpMethod method, string path, TestIssuer key, string? json = null)
    {
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        request.Headers.Add("Origin", "https://sandbox.cds-hooks.org");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer",
            SecureWebApplicationFactory.OfficialSandboxToken(key, SecureWebApplicationFactory.Aud(path), _clock.GetUtcNow()));
        if (json is not null) request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        return await client.SendAsync(request);
    }

    [Fact]
    public async Task GivenTheReadmesStepsWithTheShippedKey_WhenASandboxShapedTokenArrives_ThenTheShippedKeyIsTheOneCheckedAndNothingIsFetched()
    {
        // Arrange: the shipped file, verbatim; a token of the Sandbox's shape (its kid, its jku) that
        // only its real private key could sign, so here it is signed by another key.
        await using var service = ServiceConfiguredAsTheReadmeSays(ShippedJwks);
        using var client = service.CreateClient();

        // Act
        using var response = await SendAsSandboxAsync(client, HttpMethod.Get, "/cds-services", _standIn);

        // Assert: refused for its signature alone, with the shipped key: the kid was found in the
        // shipped file and the jku was neither a reason to refuse nor fetched.
        await response.AssertOperationOutcomeAsync(HttpStatusCode.Unauthorized, "login", null,
            "The signature does not verify with the ES384 key kid '44823f3d-0b01-4a6c-a80e-b9d3e8a7226f' of issuer 'https://sandbox.cds-hooks.org'");
        Assert.Empty(_network.Requests);
    }

    [Theory]
    [InlineData("/cds-services")]
    [InlineData("/cds-services/")] // the discovery URL typed with a trailing slash: the Sandbox then calls …/cds-services//cart-toxicity
    public async Task GivenTheReadmesSteps_WhenTheSandboxDiscoversCallsTheHookAndSendsFeedback_ThenEachIs200AndNothingIsFetched(string discoveryPath)
    {
        // Arrange: the README's settings; the file holds a test key under the Sandbox's kid.
        File.WriteAllText(_standInJwks, _standIn.Jwks(withRsa: false));
        await using var service = ServiceConfiguredAsTheReadmeSays(_standInJwks);
        using var client = service.CreateClient();
        // The Sandbox's service URL: `${discovery URL}/${service.id}` (its cds-services reducer).
        var hookPath = discoveryPath + "/cart-toxicity";

        // Act
        using var discovery = await SendAsSandboxAsync(client, HttpMethod.Get, discoveryPath, _standIn);
        using var hook = await SendAsSandboxAsync(client, HttpMethod.Post, hookPath, _standIn, HookJson.Toxicity());
        using var feedback = await SendAsSandboxAsync(client, HttpMethod.Post, hookPath + "/feedback", _standIn, Feedback);

        // Assert
        Assert.True(discovery.StatusCode == HttpStatusCode.OK, await discovery.Content.ReadAsStringAsync());
        Assert.True(hook.StatusCode == HttpStatusCode.OK, await hook.Content.ReadAsStringAsync());
        using var cards = await hook.ReadJsonAsync();
        Assert.True(cards.RootElement.GetProperty("cards").GetArrayLength() > 0);
        Assert.True(feedback.StatusCode == HttpStatusCode.OK, await feedback.Content.ReadAsStringAsync());
        Assert.Equal("https://sandbox.cds-hooks.org", string.Join(",", hook.Headers.GetValues("Access-Control-Allow-Origin")));
        Assert.Empty(_network.Requests);
    }

    public void Dispose()
    {
        _standIn.Dispose();
        _network.Dispose();
        File.Delete(_standInJwks);
    }
}
