using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using CarTCds.Service.Tests.TestSupport;

namespace CarTCds.Service.Tests.Security;

/// <summary>CDS Hooks 2.0 client JWTs (https://cds-hooks.hl7.org/2.0/#trusting-cds-clients):
/// each failure mode → a bare 401; valid ES384 and RS384 tokens → 200.</summary>
[Collection(SecureServiceCollection.Name)]
public sealed class JwtAuthenticationTests(SecureWebApplicationFactory factory)
{
    private const string Discovery = "/cds-services";
    private readonly HttpClient _client = factory.CreateClient();
    private DateTimeOffset Now => factory.Clock.GetUtcNow();

    private Task<HttpResponseMessage> GetDiscoveryAsync(string? token) => SendAsync(HttpMethod.Get, Discovery, token);

    private Task<HttpResponseMessage> CallHookAsync(string? token) =>
        SendAsync(HttpMethod.Post, HookJson.ToxicityPath, token, HookJson.Toxicity());

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? token, string? json = null, string scheme = "Bearer")
    {
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        if (token is not null) request.Headers.TryAddWithoutValidation("Authorization", $"{scheme} {token}");
        if (json is not null) request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        return await _client.SendAsync(request);
    }

    private static async Task AssertBare401Async(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"Expected 401 but got {(int)response.StatusCode}: {body}");
        Assert.Equal("", body);
        Assert.StartsWith("Bearer", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
    }

    private string Modified(Action<JsonObject, JsonObject> change, string path = Discovery, string alg = "ES384", TestIssuer? issuer = null)
    {
        issuer ??= factory.Ehr;
        var (header, payload) = issuer.Claims(SecureWebApplicationFactory.Aud(path), Now, alg);
        change(header, payload);
        return issuer.Sign(header, payload);
    }

    // ---- accepted ------------------------------------------------------------------------

    [Theory]
    [InlineData("ES384")]
    [InlineData("RS384")]
    public async Task GivenAValidToken_WhenDiscoveryIsCalled_Then200(string alg)
    {
        var response = await GetDiscoveryAsync(factory.Ehr.Token(SecureWebApplicationFactory.Aud(Discovery), Now, alg));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var doc = await response.ReadJsonAsync();
        Assert.True(doc.RootElement.GetProperty("services").GetArrayLength() > 0);
    }

    [Theory]
    [InlineData("ES384")]
    [InlineData("RS384")]
    public async Task GivenAValidToken_WhenAHookIsCalled_Then200WithCards(string alg)
    {
        var response = await CallHookAsync(factory.Ehr.Token(SecureWebApplicationFactory.Aud(HookJson.ToxicityPath), Now, alg));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var doc = await response.ReadJsonAsync();
        Assert.True(doc.RootElement.GetProperty("cards").GetArrayLength() > 0);
    }

    [Fact]
    public async Task GivenATokenSignedLikeTheOfficialSandbox_WhenThatIssuerIsConfigured_Then200WithoutAnyNetworkFetch()
    {
        // Arrange: exactly what the official Sandbox sends, signed with the TEST key that stands
        // in for the sandbox's (configured as a JwksFile under the real kid).
        string SandboxToken(string path) => factory.SandboxToken(path);

        // Act
        var discovery = await GetDiscoveryAsync(SandboxToken(Discovery));
        var hook = await CallHookAsync(SandboxToken(HookJson.ToxicityPath));

        // Assert: the key came from the file; the jku was allowed but never fetched.
        Assert.Equal(HttpStatusCode.OK, discovery.StatusCode);
        Assert.Equal(HttpStatusCode.OK, hook.StatusCode);
        Assert.Equal(0, factory.Jwks.CountFor(SecureWebApplicationFactory.SandboxJku));
    }

    [Fact]
    public async Task GivenFeedback_WhenSentWithAndWithoutAToken_ThenOnlyTheTokenPasses()
    {
        const string path = "/cds-services/cart-toxicity/feedback";
        const string body = """{"feedback":[{"card":"9368d37b-283f-44a0-93ea-547cebab93ed","outcome":"accepted","acceptedSuggestions":[{"id":"e56e1945-20b3-4393-8503-a1a20fd73152"}],"outcomeTimestamp":"2013-05-19T12:01:00Z"}]}""";

        var without = await SendAsync(HttpMethod.Post, path, null, body);
        var with = await SendAsync(HttpMethod.Post, path, factory.Ehr.Token(SecureWebApplicationFactory.Aud(path), Now), body);

        await AssertBare401Async(without);
        Assert.Equal(HttpStatusCode.OK, with.StatusCode);
    }

    [Theory]
    [InlineData("/health/live")]
    [InlineData("/health/ready")]
    [InlineData("/openapi/v1.json")]
    public async Task GivenNoToken_WhenHealthOrOpenApiIsRequested_ThenTheyStayOpen(string path)
    {
        var response = await SendAsync(HttpMethod.Get, path, null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task GivenTimesWithinTheSkew_WhenCalled_ThenAccepted()
    {
        // exp passed 30 s ago and iat 30 s ahead: both inside the default 60 s skew.
        var expiredJustNow = Modified((_, p) =>
        {
            p["iat"] = Now.ToUnixTimeSeconds() - 330;
            p["exp"] = Now.ToUnixTimeSeconds() - 30;
        });
        var issuedAhead = Modified((_, p) => p["iat"] = Now.ToUnixTimeSeconds() + 30);

        Assert.Equal(HttpStatusCode.OK, (await GetDiscoveryAsync(expiredJustNow)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await GetDiscoveryAsync(issuedAhead)).StatusCode);
    }

    [Fact]
    public async Task GivenAnAudienceArrayHoldingTheUrl_WhenCalled_ThenAccepted()
    {
        var token = Modified((_, p) => p["aud"] = new JsonArray("https://other.example.org", SecureWebApplicationFactory.Aud(Discovery)));

        Assert.Equal(HttpStatusCode.OK, (await GetDiscoveryAsync(token)).StatusCode);
    }

    // ---- refused -------------------------------------------------------------------------

    [Fact]
    public async Task GivenAlgNone_WhenCalled_Then401() =>
        await AssertBare401Async(await GetDiscoveryAsync(Modified((h, _) => h["alg"] = "none")));

    [Fact]
    public async Task GivenHs256SignedWithThePublicKeyAsSecret_WhenCalled_Then401()
    {
        // The classic confusion attack: HMAC keyed with the issuer's public key.
        var (header, payload) = factory.Ehr.Claims(SecureWebApplicationFactory.Aud(Discovery), Now);
        header["alg"] = "HS256";
        var token = factory.Ehr.Sign(header, payload, hmacSecret: Encoding.UTF8.GetBytes(factory.Ehr.Jwks()));

        await AssertBare401Async(await GetDiscoveryAsync(token));
    }

    [Fact]
    public async Task GivenATokenSignedWithAnotherKey_WhenCalled_Then401()
    {
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var (header, payload) = factory.Ehr.Claims(SecureWebApplicationFactory.Aud(Discovery), Now);
        var token = factory.Ehr.Sign(header, payload, ec: other);

        await AssertBare401Async(await GetDiscoveryAsync(token));
    }

    [Fact]
    public async Task GivenAnAlteredPayload_WhenCalled_Then401()
    {
        var token = factory.Ehr.Token(SecureWebApplicationFactory.Aud(Discovery), Now);
        var parts = token.Split('.');
        var payload = JsonNode.Parse(Convert.FromBase64String(Pad(parts[1])))!.AsObject();
        payload["tenant"] = "someone-else";
        var forged = parts[0] + "." + TestIssuer.B64(Encoding.UTF8.GetBytes(payload.ToJsonString())) + "." + parts[2];

        await AssertBare401Async(await GetDiscoveryAsync(forged));
    }

    [Fact]
    public async Task GivenAnIssuerNotOnTheAllowlist_WhenCalled_Then401()
    {
        using var stranger = new TestIssuer("https://stranger.test", "ehr-es384");

        await AssertBare401Async(await GetDiscoveryAsync(stranger.Token(SecureWebApplicationFactory.Aud(Discovery), Now)));
    }

    [Fact]
    public async Task GivenAJkuFromAnIssuerThatDoesNotAllowJku_WhenCalled_Then401()
    {
        var token = Modified((h, _) => h["jku"] = "https://ehr.test/.well-known/jwks.json");

        await AssertBare401Async(await GetDiscoveryAsync(token));
    }

    [Fact]
    public async Task GivenAJkuNotOnTheIssuersAllowlist_WhenCalled_Then401AndNothingIsFetched()
    {
        const string evil = "https://evil.test/.well-known/jwks.json";
        factory.Jwks.Serve(evil, factory.JkuIssuer.Jwks(withRsa: false));
        var token = Modified((h, _) => h["jku"] = evil, issuer: factory.JkuIssuer);

        await AssertBare401Async(await GetDiscoveryAsync(token));
        Assert.Equal(0, factory.Jwks.CountFor(evil));
    }

    [Theory]
    [InlineData("https://other.example.org/cds-services")]
    [InlineData("http://localhost/cds-services/cart-toxicity")]
    [InlineData("http://localhost/cds-services/")]
    [InlineData("http://localhost:8080/cds-services")]
    public async Task GivenAnAudThatIsNotTheUrlCalled_WhenCalled_Then401(string aud) =>
        await AssertBare401Async(await GetDiscoveryAsync(Modified((_, p) => p["aud"] = aud)));

    [Fact]
    public async Task GivenATokenForDiscovery_WhenUsedOnAHook_Then401() =>
        await AssertBare401Async(await CallHookAsync(factory.Ehr.Token(SecureWebApplicationFactory.Aud(Discovery), Now)));

    [Fact]
    public async Task GivenAnExpiredToken_WhenCalled_Then401() =>
        await AssertBare401Async(await GetDiscoveryAsync(Modified((_, p) =>
        {
            p["iat"] = Now.ToUnixTimeSeconds() - 600;
            p["exp"] = Now.ToUnixTimeSeconds() - 61;
        })));

    [Fact]
    public async Task GivenAnIatBeyondTheSkewInTheFuture_WhenCalled_Then401() =>
        await AssertBare401Async(await GetDiscoveryAsync(Modified((_, p) =>
        {
            p["iat"] = Now.ToUnixTimeSeconds() + 120;
            p["exp"] = Now.ToUnixTimeSeconds() + 420;
        })));

    [Theory]
    [InlineData("exp")]
    [InlineData("iat")]
    [InlineData("jti")]
    [InlineData("aud")]
    [InlineData("iss")]
    public async Task GivenARequiredClaimMissing_WhenCalled_Then401(string claim) =>
        await AssertBare401Async(await GetDiscoveryAsync(Modified((_, p) => p.Remove(claim))));

    [Fact]
    public async Task GivenAReplayedJti_WhenTheSameTokenComesAgain_Then401()
    {
        var token = factory.Ehr.Token(SecureWebApplicationFactory.Aud(Discovery), Now);

        var first = await GetDiscoveryAsync(token);
        var second = await GetDiscoveryAsync(token);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        await AssertBare401Async(second);
    }

    [Fact]
    public async Task GivenAReusedJtiInANewlySignedToken_WhenCalled_Then401()
    {
        var jti = Guid.NewGuid().ToString();
        var first = Modified((_, p) => p["jti"] = jti);
        var again = Modified((_, p) => p["jti"] = jti, alg: "RS384");

        Assert.Equal(HttpStatusCode.OK, (await GetDiscoveryAsync(first)).StatusCode);
        await AssertBare401Async(await GetDiscoveryAsync(again));
    }

    [Fact]
    public async Task GivenNoKid_WhenCalled_Then401() =>
        await AssertBare401Async(await GetDiscoveryAsync(Modified((h, _) => h.Remove("kid"))));

    [Fact]
    public async Task GivenAKidTheIssuerDoesNotHave_WhenCalled_Then401() =>
        await AssertBare401Async(await GetDiscoveryAsync(Modified((h, _) => h["kid"] = "no-such-kid")));

    [Fact]
    public async Task GivenAnEs384HeaderOnTheRsaKid_WhenCalled_Then401() =>
        await AssertBare401Async(await GetDiscoveryAsync(Modified((h, _) => h["kid"] = factory.Ehr.RsaKid)));

    [Fact]
    public async Task GivenATypOtherThanJwt_WhenCalled_Then401() =>
        await AssertBare401Async(await GetDiscoveryAsync(Modified((h, _) => h["typ"] = "at+jwt")));

    [Fact]
    public async Task GivenNoToken_WhenDiscoveryOrAHookIsCalled_Then401()
    {
        await AssertBare401Async(await GetDiscoveryAsync(null));
        await AssertBare401Async(await CallHookAsync(null));
    }

    [Theory]
    [InlineData("not-a-jwt")]
    [InlineData("a.b.c")]
    [InlineData("eyJhbGciOiJFUzM4NCJ9.eyJpc3MiOiJ4In0")]
    [InlineData("e30.e30.e30.e30.e30")]
    [InlineData("W10.W10.")]
    public async Task GivenAMalformedToken_WhenCalled_Then401(string token) =>
        await AssertBare401Async(await GetDiscoveryAsync(token));

    [Fact]
    public async Task GivenATokenWithDuplicateClaims_WhenCalled_Then401()
    {
        // Two "aud" members: which one a reader sees depends on the reader, so none is accepted.
        var (header, payload) = factory.Ehr.Claims(SecureWebApplicationFactory.Aud(Discovery), Now);
        var json = payload.ToJsonString().Replace("\"aud\":", "\"aud\":\"https://other.example.org\",\"aud\":", StringComparison.Ordinal);
        var input = TestIssuer.B64(Encoding.UTF8.GetBytes(header.ToJsonString())) + "." + TestIssuer.B64(Encoding.UTF8.GetBytes(json));
        var token = input + "." + TestIssuer.B64(factory.Ehr.Ec.SignData(Encoding.ASCII.GetBytes(input), HashAlgorithmName.SHA384));
        TestIssuer.Minted.Add(token);

        await AssertBare401Async(await GetDiscoveryAsync(token));
    }

    [Fact]
    public async Task GivenAnotherAuthorizationScheme_WhenCalled_Then401()
    {
        var token = factory.Ehr.Token(SecureWebApplicationFactory.Aud(Discovery), Now);

        await AssertBare401Async(await SendAsync(HttpMethod.Get, Discovery, token, scheme: "Basic"));
    }

    private static string Pad(string b64Url)
    {
        var s = b64Url.Replace('-', '+').Replace('_', '/');
        return s + new string('=', (4 - s.Length % 4) % 4);
    }
}
