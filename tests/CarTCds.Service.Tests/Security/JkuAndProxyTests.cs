using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;

namespace CarTCds.Service.Tests.Security;

/// <summary>Keys fetched from an allowlisted jku (cached; fetched again for an unknown kid, but
/// not more than once per refresh interval), and aud behind a proxy (PublicBaseUrl).</summary>
[Collection(SecureServiceCollection.Name)]
public sealed class JkuAndProxyTests(SecureWebApplicationFactory factory)
{
    private const string Discovery = "/cds-services";
    private static readonly string Url = SecureWebApplicationFactory.JkuUrl;

    private string JkuToken(string kid, ECDsa key)
    {
        var (header, payload) = factory.JkuIssuer.Claims(SecureWebApplicationFactory.Aud(Discovery), factory.Clock.GetUtcNow());
        header["kid"] = kid;
        header["jku"] = Url;
        return factory.JkuIssuer.Sign(header, payload, ec: key);
    }

    private async Task<HttpStatusCode> GetAsync(string token, HttpClient? client = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(Discovery, UriKind.Relative));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return (await (client ?? factory.CreateClient()).SendAsync(request)).StatusCode;
    }

    [Fact]
    public async Task GivenAnAllowlistedJku_WhenKeysRotate_ThenTheSetIsCachedAndFetchedAgainOnlyForAnUnknownKid()
    {
        // Arrange: the only test that touches the jku issuer, so the fetch counts are its own.
        using var rotated = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var before = factory.Jwks.CountFor(Url);

        // Act + Assert: first call fetches, second uses the cache.
        Assert.Equal(HttpStatusCode.OK, await GetAsync(JkuToken(factory.JkuIssuer.EcKid, factory.JkuIssuer.Ec)));
        Assert.Equal(HttpStatusCode.OK, await GetAsync(JkuToken(factory.JkuIssuer.EcKid, factory.JkuIssuer.Ec)));
        Assert.Equal(before + 1, factory.Jwks.CountFor(Url));

        // The issuer rotates to key B; a token with kid B arrives within the refresh interval: no
        // second fetch yet (unknown kids cannot make us hammer the issuer), so 401.
        factory.Jwks.Serve(Url, new JsonObject { ["keys"] = new JsonArray(TestIssuer.EcJwk(factory.JkuIssuer.Ec, factory.JkuIssuer.EcKid), TestIssuer.EcJwk(rotated, "jku-key-b")) }.ToJsonString());
        factory.Clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(HttpStatusCode.Unauthorized, await GetAsync(JkuToken("jku-key-b", rotated)));
        Assert.Equal(before + 1, factory.Jwks.CountFor(Url));

        // Past the 30 s interval the unknown kid fetches the set again, and kid B is accepted.
        factory.Clock.Advance(TimeSpan.FromSeconds(31));
        Assert.Equal(HttpStatusCode.OK, await GetAsync(JkuToken("jku-key-b", rotated)));
        Assert.Equal(before + 2, factory.Jwks.CountFor(Url));

        // A kid nobody has: one more fetch at most, then refused.
        factory.Clock.Advance(TimeSpan.FromSeconds(31));
        using var stranger = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        Assert.Equal(HttpStatusCode.Unauthorized, await GetAsync(JkuToken("jku-key-z", stranger)));
        Assert.Equal(HttpStatusCode.Unauthorized, await GetAsync(JkuToken("jku-key-z", stranger)));
        Assert.Equal(before + 3, factory.Jwks.CountFor(Url));
    }

    [Fact]
    public async Task GivenAPublicBaseUrl_WhenTheTokensAudIsThePublicUrl_ThenAcceptedAndTheInternalUrlIsNot()
    {
        // Arrange: behind a proxy, the EHR calls https://cds.example.org/cartcds/cds-services.
        using var proxied = factory.WithWebHostBuilder(b => b.UseSetting("CarTCds:Auth:PublicBaseUrl", "https://cds.example.org/cartcds/"));
        var client = proxied.CreateClient();
        var now = factory.Clock.GetUtcNow();

        // Act
        var publicAud = await GetAsync(factory.Ehr.Token("https://cds.example.org/cartcds/cds-services", now), client);
        var internalAud = await GetAsync(factory.Ehr.Token(SecureWebApplicationFactory.Aud(Discovery), now), client);

        // Assert
        Assert.Equal(HttpStatusCode.OK, publicAud);
        Assert.Equal(HttpStatusCode.Unauthorized, internalAud);
    }
}
