using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using CarTCds.Service.Tests.TestSupport;

namespace CarTCds.Service.Tests.Security;

/// <summary>CDS Hooks 2.0 client JWTs (https://cds-hooks.hl7.org/2.0/#trusting-cds-clients):
/// each failure mode → a 401 whose OperationOutcome and <c>WWW-Authenticate</c> error_description
/// say why, in words the integrator can act on (issue 17); valid ES384 and RS384 tokens → 200.</summary>
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

    /// <summary>A 401 with an OperationOutcome (code login) whose diagnostics hold every fragment,
    /// and the same words in <c>WWW-Authenticate: Bearer error="invalid_token", error_description="…"</c>.</summary>
    private static async Task AssertRefusedAsync(HttpResponseMessage response, params string[] because)
    {
        var outcome = await response.AssertOperationOutcomeAsync(HttpStatusCode.Unauthorized, "login", null, because);
        var challenge = response.Headers.WwwAuthenticate.ToString();
        Assert.StartsWith("Bearer error=\"invalid_token\", error_description=\"", challenge, StringComparison.Ordinal);
        var description = challenge["Bearer error=\"invalid_token\", error_description=\"".Length..^1];
        // RFC 6750 §3: printable ASCII without quote or backslash.
        Assert.All(description, c => Assert.True(c is >= ' ' and <= '~' and not '"' and not '\\', $"character U+{(int)c:X4} in error_description"));
        Assert.Equal(outcome.GetProperty("issue")[0].GetProperty("diagnostics").GetString()!.Length, description.Length);
        foreach (var fragment in because) Assert.Contains(fragment, description, StringComparison.Ordinal);
    }

    /// <summary>A 401 for a request with no bearer token: RFC 6750 §3.1, the challenge names only the
    /// scheme; the OperationOutcome still says what to send.</summary>
    private static async Task AssertNoCredentialsAsync(HttpResponseMessage response, string because)
    {
        await response.AssertOperationOutcomeAsync(HttpStatusCode.Unauthorized, "login", null, because, "Authorization: Bearer <JWT>");
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.ToString());
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

        await AssertNoCredentialsAsync(without, "No bearer token");
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

    // ---- refused: each with the reason an integrator can act on -------------------------------

    [Fact]
    public async Task GivenAlgNone_WhenCalled_Then401SayingWhichAlgorithmsAreAccepted() =>
        await AssertRefusedAsync(await GetDiscoveryAsync(Modified((h, _) => h["alg"] = "none")), "alg 'none' is not accepted", "ES384 or RS384");

    [Fact]
    public async Task GivenHs256SignedWithThePublicKeyAsSecret_WhenCalled_Then401()
    {
        // The classic confusion attack: HMAC keyed with the issuer's public key.
        var (header, payload) = factory.Ehr.Claims(SecureWebApplicationFactory.Aud(Discovery), Now);
        header["alg"] = "HS256";
        var token = factory.Ehr.Sign(header, payload, hmacSecret: Encoding.UTF8.GetBytes(factory.Ehr.Jwks()));

        await AssertRefusedAsync(await GetDiscoveryAsync(token), "alg 'HS256' is not accepted");
    }

    [Fact]
    public async Task GivenATokenSignedWithAnotherKey_WhenCalled_Then401SayingTheSignatureDoesNotVerify()
    {
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var (header, payload) = factory.Ehr.Claims(SecureWebApplicationFactory.Aud(Discovery), Now);
        var token = factory.Ehr.Sign(header, payload, ec: other);

        await AssertRefusedAsync(await GetDiscoveryAsync(token), "signature does not verify", "kid 'ehr-es384'", "issuer 'https://ehr.test'");
    }

    [Fact]
    public async Task GivenAnAlteredPayload_WhenCalled_Then401()
    {
        var token = factory.Ehr.Token(SecureWebApplicationFactory.Aud(Discovery), Now);
        var parts = token.Split('.');
        var payload = JsonNode.Parse(Convert.FromBase64String(Pad(parts[1])))!.AsObject();
        payload["tenant"] = "someone-else";
        var forged = parts[0] + "." + TestIssuer.B64(Encoding.UTF8.GetBytes(payload.ToJsonString())) + "." + parts[2];

        await AssertRefusedAsync(await GetDiscoveryAsync(forged), "signature does not verify");
    }

    [Fact]
    public async Task GivenAnIssuerNotOnTheAllowlist_WhenCalled_Then401NamingTheUnknownIssuer()
    {
        using var stranger = new TestIssuer("https://stranger.test", "ehr-es384");

        await AssertRefusedAsync(await GetDiscoveryAsync(stranger.Token(SecureWebApplicationFactory.Aud(Discovery), Now)),
            "iss 'https://stranger.test' is not a trusted issuer", "CarTCds:Auth:Issuers");
    }

    [Fact]
    public async Task GivenAConfiguredKidAndAJkuFromAnIssuerThatDoesNotAllowJku_WhenCalled_Then200AndNothingIsFetched()
    {
        // The configured key decides: the jku is neither a reason to refuse nor fetched (issue 17).
        const string jku = "https://ehr.test/.well-known/jwks.json";
        var token = Modified((h, _) => h["jku"] = jku);

        var response = await GetDiscoveryAsync(token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(0, factory.Jwks.CountFor(jku));
    }

    [Fact]
    public async Task GivenAnUnconfiguredKidAndAJkuNotOnTheIssuersAllowlist_WhenCalled_Then401NamingTheJkuAndNothingIsFetched()
    {
        const string evil = "https://evil.test/.well-known/jwks.json";
        factory.Jwks.Serve(evil, factory.JkuIssuer.Jwks(withRsa: false));
        var token = Modified((h, _) => h["jku"] = evil, issuer: factory.JkuIssuer);

        await AssertRefusedAsync(await GetDiscoveryAsync(token), "No ES384 key with kid 'jku-key-a'", $"jku '{evil}' is not on the issuer's allowlist");
        Assert.Equal(0, factory.Jwks.CountFor(evil));
    }

    [Theory]
    [InlineData("https://other.example.org/cds-services")]
    [InlineData("http://localhost/cds-services/cart-toxicity")]
    [InlineData("http://localhost/cds-services/")]
    [InlineData("http://localhost:8080/cds-services")]
    public async Task GivenAnAudThatIsNotTheUrlCalled_WhenCalled_Then401GivingTheExpectedAud(string aud) =>
        await AssertRefusedAsync(await GetDiscoveryAsync(Modified((_, p) => p["aud"] = aud)),
            "aud must be the URL called, 'http://localhost/cds-services'", $"the token has aud '{aud}'");

    [Fact]
    public async Task GivenATokenForDiscovery_WhenUsedOnAHook_Then401GivingTheHooksUrl() =>
        await AssertRefusedAsync(await CallHookAsync(factory.Ehr.Token(SecureWebApplicationFactory.Aud(Discovery), Now)),
            $"aud must be the URL called, '{SecureWebApplicationFactory.Aud(HookJson.ToxicityPath)}'");

    [Fact]
    public async Task GivenAnExpiredToken_WhenCalled_Then401SayingWhenItExpiredAndTheServicesTime()
    {
        var exp = Now.ToUnixTimeSeconds() - 61;

        var response = await GetDiscoveryAsync(Modified((_, p) =>
        {
            p["iat"] = Now.ToUnixTimeSeconds() - 600;
            p["exp"] = exp;
        }));

        await AssertRefusedAsync(response, "expired at 2026-03-01T11:58:59Z", "the service's time is 2026-03-01T12:00:00Z", "clock skew allowed 60 s");
    }

    [Theory]
    [InlineData(300, true)] // the official Sandbox's lifetime
    [InlineData(600, true)] // CarTCds:Auth:MaxTokenLifetime default, exactly
    [InlineData(601, false)]
    [InlineData(10L * 365 * 24 * 3600, false)] // ten years (issue 18)
    public async Task GivenATokenLifetime_WhenCalled_ThenAcceptedUpToTheMaximumAndRefusedBeyondSayingBoth(long lifetimeSeconds, bool accepted)
    {
        var response = await GetDiscoveryAsync(Modified((_, p) =>
        {
            p["iat"] = Now.ToUnixTimeSeconds();
            p["exp"] = Now.ToUnixTimeSeconds() + lifetimeSeconds;
        }));

        if (accepted) Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        else await AssertRefusedAsync(response, $"The token lives {lifetimeSeconds} s (exp - iat)", "at most 600 s", "CarTCds:Auth:MaxTokenLifetime");
    }

    [Theory]
    [InlineData(0L)] // iat now, exp at the last second of 9999
    [InlineData(253402300799L)] // iat too: issued in the future
    public async Task GivenAnExpAtTheLastSecondOf9999_WhenCalled_ThenA401NotAnOverflow(long iat)
    {
        // exp 9999-12-31T23:59:59Z is a valid NumericDate; adding the clock skew to it overflowed (500).
        var response = await GetDiscoveryAsync(Modified((_, p) =>
        {
            p["iat"] = iat == 0 ? Now.ToUnixTimeSeconds() : iat;
            p["exp"] = 253402300799L;
        }));

        await AssertRefusedAsync(response, iat == 0 ? "at most 600 s" : "issued in the future: iat 9999-12-31T23:59:59Z");
    }

    [Fact]
    public async Task GivenAnIatBeyondTheSkewInTheFuture_WhenCalled_Then401SayingCheckYourClock() =>
        await AssertRefusedAsync(await GetDiscoveryAsync(Modified((_, p) =>
        {
            p["iat"] = Now.ToUnixTimeSeconds() + 120;
            p["exp"] = Now.ToUnixTimeSeconds() + 420;
        })), "issued in the future: iat 2026-03-01T12:02:00Z", "Check your clock");

    [Theory]
    [InlineData("exp", "no valid exp")]
    [InlineData("iat", "no valid iat")]
    [InlineData("jti", "no jti")]
    [InlineData("aud", "the token has no aud")]
    [InlineData("iss", "no iss")]
    public async Task GivenARequiredClaimMissing_WhenCalled_Then401NamingIt(string claim, string because) =>
        await AssertRefusedAsync(await GetDiscoveryAsync(Modified((_, p) => p.Remove(claim))), because);

    [Fact]
    public async Task GivenAReplayedJti_WhenTheSameTokenComesAgain_Then401SayingTheJtiWasUsed()
    {
        var jti = Guid.NewGuid().ToString();
        var token = Modified((_, p) => p["jti"] = jti);

        var first = await GetDiscoveryAsync(token);
        var second = await GetDiscoveryAsync(token);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        await AssertRefusedAsync(second, $"jti '{jti}' was already used", "fresh jti for every call");
    }

    [Fact]
    public async Task GivenAReusedJtiInANewlySignedToken_WhenCalled_Then401()
    {
        var jti = Guid.NewGuid().ToString();
        var first = Modified((_, p) => p["jti"] = jti);
        var again = Modified((_, p) => p["jti"] = jti, alg: "RS384");

        Assert.Equal(HttpStatusCode.OK, (await GetDiscoveryAsync(first)).StatusCode);
        await AssertRefusedAsync(await GetDiscoveryAsync(again), "was already used");
    }

    [Fact]
    public async Task GivenNoKid_WhenCalled_Then401() =>
        await AssertRefusedAsync(await GetDiscoveryAsync(Modified((h, _) => h.Remove("kid"))), "no kid");

    [Fact]
    public async Task GivenAKidTheIssuerDoesNotHave_WhenCalled_Then401NamingTheKidAndTheSetting() =>
        await AssertRefusedAsync(await GetDiscoveryAsync(Modified((h, _) => h["kid"] = "no-such-kid")),
            "No ES384 key with kid 'no-such-kid'", "issuer 'https://ehr.test'", "JwksFile or Jwks", "names no jku");

    [Fact]
    public async Task GivenAnEs384HeaderOnTheRsaKid_WhenCalled_Then401() =>
        await AssertRefusedAsync(await GetDiscoveryAsync(Modified((h, _) => h["kid"] = factory.Ehr.RsaKid)), "No ES384 key with kid 'ehr-rs384'");

    [Fact]
    public async Task GivenATypOtherThanJwt_WhenCalled_Then401() =>
        await AssertRefusedAsync(await GetDiscoveryAsync(Modified((h, _) => h["typ"] = "at+jwt")), "typ 'at+jwt' is not JWT");

    [Fact]
    public async Task GivenNoToken_WhenDiscoveryOrAHookIsCalled_Then401SayingWhatToSend()
    {
        await AssertNoCredentialsAsync(await GetDiscoveryAsync(null), "No bearer token");
        await AssertNoCredentialsAsync(await CallHookAsync(null), "No bearer token");
    }

    [Theory]
    [InlineData("not-a-jwt")]
    [InlineData("a.b.c")]
    [InlineData("eyJhbGciOiJFUzM4NCJ9.eyJpc3MiOiJ4In0")]
    [InlineData("e30.e30.e30.e30.e30")]
    [InlineData("W10.W10.")]
    public async Task GivenAMalformedToken_WhenCalled_Then401(string token) =>
        await AssertRefusedAsync(await GetDiscoveryAsync(token), "not a signed JWT");

    [Fact]
    public async Task GivenATokenWithDuplicateClaims_WhenCalled_Then401()
    {
        // Two "aud" members: which one a reader sees depends on the reader, so none is accepted.
        var (header, payload) = factory.Ehr.Claims(SecureWebApplicationFactory.Aud(Discovery), Now);
        var json = payload.ToJsonString().Replace("\"aud\":", "\"aud\":\"https://other.example.org\",\"aud\":", StringComparison.Ordinal);
        var input = TestIssuer.B64(Encoding.UTF8.GetBytes(header.ToJsonString())) + "." + TestIssuer.B64(Encoding.UTF8.GetBytes(json));
        var token = input + "." + TestIssuer.B64(factory.Ehr.Ec.SignData(Encoding.ASCII.GetBytes(input), HashAlgorithmName.SHA384));
        TestIssuer.Minted.Add(token);

        await AssertRefusedAsync(await GetDiscoveryAsync(token), "without duplicate members");
    }

    [Fact]
    public async Task GivenAnotherAuthorizationScheme_WhenCalled_Then401SayingBearer()
    {
        var token = factory.Ehr.Token(SecureWebApplicationFactory.Aud(Discovery), Now);

        await AssertNoCredentialsAsync(await SendAsync(HttpMethod.Get, Discovery, token, scheme: "Basic"), "not a bearer token");
    }

    [Fact]
    public async Task GivenACallerValueOfMegabytesOrWithQuotes_WhenRefused_ThenTheReasonIsCappedAndTheHeaderStaysValid()
    {
        // An iss of 10 000 characters with quotes and a non-ASCII letter: the reason echoes at most
        // CallerText.MaxChars of it, and error_description keeps to RFC 6750's characters.
        var iss = "https://x\"é\\" + new string('a', 10_000);

        var response = await GetDiscoveryAsync(Modified((_, p) => p["iss"] = iss));

        await AssertRefusedAsync(response, "is not a trusted issuer");
        Assert.True(response.Headers.WwwAuthenticate.ToString().Length < 1000, $"challenge of {response.Headers.WwwAuthenticate.ToString().Length} characters");
    }

    [Fact]
    public async Task GivenRefusedTokens_WhenAnswered_ThenNoAnswerHoldsTheTokenItsSignatureOrAKey()
    {
        var tokens = new[]
        {
            Modified((_, p) => p["aud"] = "https://other.example.org/cds-services"),
            Modified((_, p) => p["exp"] = Now.ToUnixTimeSeconds() - 3600),
            Modified((h, _) => h["kid"] = "no-such-kid"),
        };
        var publicKey = JsonNode.Parse(factory.Ehr.Jwks())!["keys"]![0]!["x"]!.GetValue<string>();

        foreach (var token in tokens)
        {
            var response = await GetDiscoveryAsync(token);
            var answer = response.Headers + "\n" + await response.Content.ReadAsStringAsync();

            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.DoesNotContain(token.Split('.')[2], answer, StringComparison.Ordinal);
            Assert.DoesNotContain(token.Split('.')[1], answer, StringComparison.Ordinal);
            Assert.DoesNotContain(publicKey, answer, StringComparison.Ordinal);
        }
    }

    private static string Pad(string b64Url)
    {
        var s = b64Url.Replace('-', '+').Replace('_', '/');
        return s + new string('=', (4 - s.Length % 4) % 4);
    }
}
