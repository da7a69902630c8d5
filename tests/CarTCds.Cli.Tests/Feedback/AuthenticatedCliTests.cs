using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CarTCds.Cli.Auth;
using CarTCds.Cli.Tests.Evaluate;
using CarTCds.Cli.Tests.Sandbox;
using CarTCds.Fhir.Model;
using CarTCds.Fhir.Serialization;
using CarTCds.Hooks.Catalog;
using CarTCds.Hooks.Contract;
using CarTCds.Hooks.Evaluation;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace CarTCds.Cli.Tests.Feedback;

/// <summary>The real service on Kestrel with authentication ON, trusting two issuers whose keys were
/// made by <c>cartcds keys create</c>: an EHR (hooks only) and an operations client (<c>Admin: true</c>).
/// <c>feedback summary</c> and <c>sandbox fire</c> sign their calls with <c>--issuer/--key</c>.</summary>
[Collection(FhirServerCollection.Name)]
public sealed class AuthenticatedCliTests : IDisposable
{
    private const string EhrIssuer = "https://ehr.test";
    private const string OpsIssuer = "https://ops.test";
    private const string Patient1 = "cart-p1-post-sct-relapse";
    private readonly FhirServerFixture _fhir;
    private readonly string _dir = Directory.CreateTempSubdirectory("cartcds-cli-auth-").FullName;
    private readonly WebApplicationFactory<Program> _service;

    public AuthenticatedCliTests(FhirServerFixture fhir)
    {
        _fhir = fhir;
        foreach (var (name, kid) in new[] { ("ehr", "ehr-1"), ("ops", "ops-1") })
        {
            var (exit, _, stderr) = CliRunner.RunAsync("keys", "create", "--kid", kid, "--out", Key(name), "--jwks", Jwks(name)).GetAwaiter().GetResult();
            Assert.True(exit == 0, stderr);
        }
        _service = new WebApplicationFactory<Program>().WithWebHostBuilder(b => b
            .UseEnvironment("Testing")
            .UseSetting("CarTCds:Now", "2013-05-12T23:00:00Z")
            .UseSetting("CarTCds:Auth:Disabled", "false")
            .UseSetting("CarTCds:Auth:Issuers:0:Issuer", EhrIssuer)
            .UseSetting("CarTCds:Auth:Issuers:0:JwksFile", Jwks("ehr"))
            .UseSetting("CarTCds:Auth:Issuers:1:Issuer", OpsIssuer)
            .UseSetting("CarTCds:Auth:Issuers:1:JwksFile", Jwks("ops"))
            .UseSetting("CarTCds:Auth:Issuers:1:Admin", "true")
            .UseGenerousFhirTimeouts() // sandbox fire reads the Medplum fixture: what is read is tested here, not how fast
            .UseTempSqlite());
        // Loopback port 0 (any free port); UseKestrel(0) alone listens on the default 5000, which parallel runs share.
        _service.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        _service.StartServer();
    }

    private string Key(string name) => Path.Combine(_dir, name + ".private.jwk.json");

    private string Jwks(string name) => Path.Combine(_dir, name + ".jwks.json");

    private string ServiceUrl =>
        _service.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single().TrimEnd('/');

    public void Dispose()
    {
        _service.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    /// <summary>Patient 1 on day 5 through cart-toxicity, signed as the EHR; then the CRS card overridden.</summary>
    private async Task<string> CallHookAndOverrideTheCrsCardAsync()
    {
        var bundle = (Bundle)FhirJson.Parse(await File.ReadAllBytesAsync(CliRunner.Example(Patient1 + ".json")));
        var request = JsonSerializer.Serialize(PatientBundleRequest.Build(new CdsServiceCatalog().Find("cart-toxicity")!, bundle), CdsJson.Request);
        using var key = ClientKey.Load(EhrIssuer, await File.ReadAllTextAsync(Key("ehr")));
        using var http = ClientAuthOptions.ServiceClient(key, TimeSpan.FromSeconds(30), TimeProvider.System);

        using var hook = await http.PostAsync(new Uri(ServiceUrl + "/cds-services/cart-toxicity"), new StringContent(request, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, hook.StatusCode);
        var crs = JsonNode.Parse(await hook.Content.ReadAsStringAsync())!["cards"]!.AsArray()
            .First(c => c!["summary"]!.GetValue<string>().StartsWith("CRS grade", StringComparison.Ordinal))!;
        var reason = crs["overrideReasons"]![0]!;
        var feedback = new JsonObject
        {
            ["feedback"] = new JsonArray(new JsonObject
            {
                ["card"] = crs["uuid"]!.GetValue<string>(),
                ["outcome"] = "overridden",
                ["overrideReason"] = new JsonObject { ["reason"] = reason.DeepClone() },
                ["outcomeTimestamp"] = "2013-05-12T23:05:00Z",
            }),
        };
        using var sent = await http.PostAsync(new Uri(ServiceUrl + "/cds-services/cart-toxicity/feedback"), new StringContent(feedback.ToJsonString(), Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, sent.StatusCode);
        return reason["code"]!.GetValue<string>();
    }

    [Fact]
    public async Task GivenAnOverriddenCrsCard_WhenTheAdminIssuerAsksForTheSummary_ThenTheTableShowsItsOverrideRateAndReason()
    {
        var reason = await CallHookAndOverrideTheCrsCardAsync();

        var (exit, stdout, stderr) = await CliRunner.RunAsync("feedback", "summary", "--service", ServiceUrl, "--issuer", OpsIssuer, "--key", Key("ops"));

        Assert.True(exit == 0, stderr);
        var row = stdout.Split('\n').Single(l => l.StartsWith("cart-toxicity", StringComparison.Ordinal) && l.Contains("crs-grade", StringComparison.Ordinal));
        Assert.Contains("100.0 %", row, StringComparison.Ordinal);
        Assert.Contains($"{reason} (1)", row, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GivenJson_WhenTheAdminIssuerAsksForTheSummary_ThenTheReportComesAsTheServiceSentIt()
    {
        await CallHookAndOverrideTheCrsCardAsync();

        var (exit, stdout, stderr) = await CliRunner.RunAsync("feedback", "summary", "--service", ServiceUrl, "--issuer", OpsIssuer, "--key", Key("ops"), "--json");

        Assert.True(exit == 0, stderr);
        var crs = JsonNode.Parse(stdout)!["cardTypes"]!.AsArray().Single(l => l!["cardType"]?.GetValue<string>() == "crs-grade")!;
        Assert.Equal(1, crs["overridden"]!.GetValue<long>());
        Assert.Equal(1.0, crs["overrideRate"]!.GetValue<double>());
    }

    [Fact]
    public async Task GivenNoKey_WhenAskingForTheSummary_ThenExit2SaysAuthenticationIsNeeded()
    {
        var (exit, _, stderr) = await CliRunner.RunAsync("feedback", "summary", "--service", ServiceUrl);

        Assert.Equal(2, exit);
        Assert.Contains("requires authentication", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GivenTheEhrIssuersKey_WhenAskingForTheSummary_ThenExit2SaysAdminIsNeeded()
    {
        var (exit, _, stderr) = await CliRunner.RunAsync("feedback", "summary", "--service", ServiceUrl, "--issuer", EhrIssuer, "--key", Key("ehr"));

        Assert.Equal(2, exit);
        Assert.Contains("Admin: true", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GivenAKeyWithTheWrongIssuer_WhenAskingForTheSummary_ThenExit2SaysTheTokenWasRefused()
    {
        var (exit, _, stderr) = await CliRunner.RunAsync("feedback", "summary", "--service", ServiceUrl, "--issuer", OpsIssuer, "--key", Key("ehr"));

        Assert.Equal(2, exit);
        Assert.Contains("refused the token of https://ops.test", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GivenAKeyWithTheWrongIssuer_WhenAskingForTheSummary_ThenTheServicesReasonAndChallengeArePrinted()
    {
        // Arrange: what the service says to such a token, asked directly.
        string said;
        using (var key = ClientKey.Load(OpsIssuer, await File.ReadAllTextAsync(Key("ehr"))))
        using (var http = ClientAuthOptions.ServiceClient(key, TimeSpan.FromSeconds(30), TimeProvider.System))
        using (var direct = await http.GetAsync(new Uri(ServiceUrl + "/admin/feedback/summary")))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, direct.StatusCode);
            said = ((OperationOutcome)FhirJson.Parse(await direct.Content.ReadAsStringAsync())).Summary;
        }

        // Act
        var (exit, _, stderr) = await CliRunner.RunAsync("feedback", "summary", "--service", ServiceUrl, "--issuer", OpsIssuer, "--key", Key("ehr"));

        // Assert
        Assert.Equal(2, exit);
        Assert.False(string.IsNullOrWhiteSpace(said));
        Assert.Contains($"it answered 401: {said}", stderr, StringComparison.Ordinal);
        Assert.Contains("(WWW-Authenticate: invalid_token", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GivenTheEhrIssuersKey_WhenAskingForTheSummary_ThenThe403sReasonAndChallengeArePrinted()
    {
        // Act
        var (exit, _, stderr) = await CliRunner.RunAsync("feedback", "summary", "--service", ServiceUrl, "--issuer", EhrIssuer, "--key", Key("ehr"));

        // Assert
        Assert.Equal(2, exit);
        Assert.Contains("it answered 403: /admin/feedback/summary needs a token from an administration issuer", stderr, StringComparison.Ordinal);
        Assert.Contains($"issuer '{EhrIssuer}' is not one", stderr, StringComparison.Ordinal);
        Assert.Contains("(WWW-Authenticate: insufficient_scope)", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GivenNoKey_WhenSandboxFireCallsAServiceWithAuthentication_ThenTheServicesReasonIsPrinted()
    {
        // Act: discovery is the first call, and it needs a token when authentication is on.
        var (exit, _, stderr) = await CliRunner.RunAsync("sandbox", "fire", "--service", ServiceUrl, "--fhir", _fhir.BaseUrl, "--patient", Patient1);

        // Assert
        Assert.Equal(2, exit);
        Assert.Contains("GET /cds-services answered 401: No bearer token", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GivenAnIssuerWithoutKey_WhenAskingForTheSummary_ThenExit2BeforeAnyCall()
    {
        var (exit, _, stderr) = await CliRunner.RunAsync("feedback", "summary", "--service", ServiceUrl, "--issuer", OpsIssuer);

        Assert.Equal(2, exit);
        Assert.Contains("--issuer and --key go together", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GivenAuthenticationOn_WhenSandboxFireSignsAsTheEhr_ThenTheCardsComeAndWithoutAKeyThe401IsReported()
    {
        await _fhir.EnsureExamplesLoadedAsync();
        string[] args = ["sandbox", "fire", "--service", ServiceUrl, "--fhir", _fhir.BaseUrl, "--patient", Patient1, "--json"];

        var signed = await CliRunner.RunAsync([.. args, "--issuer", EhrIssuer, "--key", Key("ehr")]);
        var unsigned = await CliRunner.RunAsync(args);

        Assert.True(signed.Exit == 0, signed.Stderr);
        Assert.Equal(4m, CliRunner.Findings(signed.Stdout)["crs-grade"]!.GetValue<decimal>());
        Assert.NotEqual(0, unsigned.Exit);
        Assert.Contains("401", unsigned.Stderr, StringComparison.Ordinal);
    }
}

/// <summary><c>cartcds keys create</c>: files that the service accepts, a private file only its owner reads, nothing overwritten.</summary>
public sealed class KeysCreateTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("cartcds-keys-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("ES384")]
    [InlineData("RS384")]
    public async Task GivenAnAlgorithm_WhenCreated_ThenThePrivateFileIsOwnerOnlyAndItsTokensVerifyAgainstThePublicJwks(string alg)
    {
        var (priv, pub) = (Path.Combine(_dir, "k.jwk.json"), Path.Combine(_dir, "k.jwks.json"));

        var (exit, _, stderr) = await CliRunner.RunAsync("keys", "create", "--kid", "k1", "--out", priv, "--jwks", pub, "--alg", alg);

        Assert.True(exit == 0, stderr);
        if (!OperatingSystem.IsWindows()) Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(priv));
        var publicKey = JsonNode.Parse(await File.ReadAllTextAsync(pub))!["keys"]![0]!;
        Assert.Null(publicKey["d"]);
        Assert.Equal(alg, publicKey["alg"]!.GetValue<string>());
        using var key = ClientKey.Load("https://ops.test", await File.ReadAllTextAsync(priv));
        var token = key.Token(new Uri("http://localhost/admin/feedback/summary"), DateTimeOffset.UnixEpoch.AddYears(56));
        var parts = token.Split('.');
        var signed = Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]);
        var signature = System.Buffers.Text.Base64Url.DecodeFromChars(parts[2]);
        Assert.True(Verify(publicKey, signed, signature), "signature does not verify against the public JWKS");
        var payload = JsonNode.Parse(System.Buffers.Text.Base64Url.DecodeFromChars(parts[1]))!;
        Assert.Equal("http://localhost/admin/feedback/summary", payload["aud"]!.GetValue<string>());
        Assert.Equal(300, payload["exp"]!.GetValue<long>() - payload["iat"]!.GetValue<long>());
    }

    [Fact]
    public async Task GivenAnExistingFile_WhenCreating_ThenExit2AndTheFileIsUntouched()
    {
        var (priv, pub) = (Path.Combine(_dir, "k.jwk.json"), Path.Combine(_dir, "k.jwks.json"));
        await File.WriteAllTextAsync(priv, "keep me");

        var (exit, _, stderr) = await CliRunner.RunAsync("keys", "create", "--kid", "k1", "--out", priv, "--jwks", pub);

        Assert.Equal(2, exit);
        Assert.Contains("not overwritten", stderr, StringComparison.Ordinal);
        Assert.Equal("keep me", await File.ReadAllTextAsync(priv));
        Assert.False(File.Exists(pub));
    }

    private static bool Verify(JsonNode jwk, byte[] data, byte[] signature)
    {
        static byte[] B(JsonNode n, string name) => System.Buffers.Text.Base64Url.DecodeFromChars(n[name]!.GetValue<string>());
        if (jwk["kty"]!.GetValue<string>() == "EC")
        {
            using var ec = System.Security.Cryptography.ECDsa.Create(new System.Security.Cryptography.ECParameters
            {
                Curve = System.Security.Cryptography.ECCurve.NamedCurves.nistP384,
                Q = new System.Security.Cryptography.ECPoint { X = B(jwk, "x"), Y = B(jwk, "y") },
            });
            return ec.VerifyData(data, signature, System.Security.Cryptography.HashAlgorithmName.SHA384, System.Security.Cryptography.DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        }
        using var rsa = System.Security.Cryptography.RSA.Create(new System.Security.Cryptography.RSAParameters { Modulus = B(jwk, "n"), Exponent = B(jwk, "e") });
        return rsa.VerifyData(data, signature, System.Security.Cryptography.HashAlgorithmName.SHA384, System.Security.Cryptography.RSASignaturePadding.Pkcs1);
    }
}
