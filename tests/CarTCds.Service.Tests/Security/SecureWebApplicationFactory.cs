using System.Globalization;
using CarTCds.Service.Security;
using CarTCds.Service.Tests.TestSupport;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CarTCds.Service.Tests.Security;

/// <summary>The real Program with CDS Hooks authentication ON (environment "Testing",
/// <c>CarTCds:Auth:Disabled=false</c>) and three issuers whose keys are generated per run:
/// <list type="bullet">
/// <item><see cref="Ehr"/> (<c>https://ehr.test</c>): ES384 + RS384 keys inline, no jku allowed.</item>
/// <item><see cref="Sandbox"/> (<c>https://sandbox.cds-hooks.org</c>): configured like the
/// official Sandbox (JwksFile, jku allowlisted), but with a TEST key standing in for the real one
/// (same kid): the real sandbox's private key is not ours to use in tests.</item>
/// <item><see cref="JkuIssuer"/> (<c>https://jku.test</c>): keys only from its allowlisted jku,
/// served by <see cref="Jwks"/> (a stub handler: nothing leaves the process).</item>
/// </list>
/// The token clock is <see cref="Clock"/>; the evaluation clock stays fixed at
/// <see cref="CarTCdsWebApplicationFactory.FixedNow"/>. Every log entry lands in <see cref="Logs"/>.</summary>
public sealed class SecureWebApplicationFactory : WebApplicationFactory<Program>
{
    public const string AllowedOrigin = "https://ehr.example.org";
    public const string SandboxJku = "https://sandbox.cds-hooks.org/.well-known/jwks.json";
    public const string SandboxKid = "44823f3d-0b01-4a6c-a80e-b9d3e8a7226f";
    public const string JkuUrl = "https://jku.test/.well-known/jwks.json";

    private readonly string _sandboxJwksFile;

    public SecureWebApplicationFactory()
    {
        _sandboxJwksFile = Path.Combine(Path.GetTempPath(), $"cartcds-sandbox-standin-{Guid.NewGuid():N}.jwks.json");
        File.WriteAllText(_sandboxJwksFile, Sandbox.Jwks(withRsa: false));
        Jwks.Serve(JkuUrl, JkuIssuer.Jwks(withRsa: false));
    }

    public TestIssuer Ehr { get; } = new("https://ehr.test", "ehr-es384", "ehr-rs384");
    public TestIssuer Sandbox { get; } = new(CdsHooksSecuritySettings.OfficialSandboxIssuer, SandboxKid);
    public TestIssuer JkuIssuer { get; } = new("https://jku.test", "jku-key-a");

    /// <summary>An operations client (<c>Admin: true</c>): may read /admin/….</summary>
    public TestIssuer Ops { get; } = new("https://ops.test", "ops-es384");
    public ManualClock Clock { get; } = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
    public StubJwksHandler Jwks { get; } = new();
    public CapturingLoggerProvider Logs { get; } = new();

    /// <summary>A token exactly as the official Sandbox signs one, for <paramref name="path"/> now
    /// (<see cref="OfficialSandboxToken"/>), with the TEST key standing in for its key.</summary>
    public string SandboxToken(string path) => OfficialSandboxToken(Sandbox, Aud(path), Clock.GetUtcNow());

    /// <summary>A token of the official Sandbox's exact shape (cds-hooks/sandbox,
    /// src/retrieve-data-helpers/jwt-generator.js): header {alg ES384, typ JWT, kid 44823f3d-…,
    /// jku https://sandbox.cds-hooks.org/.well-known/jwks.json}; claims {iss https://sandbox.cds-hooks.org,
    /// aud = the URL called, exp = iat + 300, iat, jti a UUID}; no sub, no tenant. Signed with
    /// <paramref name="key"/>'s EC key.</summary>
    public static string OfficialSandboxToken(TestIssuer key, string aud, DateTimeOffset now)
    {
        var iat = now.ToUnixTimeSeconds();
        var header = new System.Text.Json.Nodes.JsonObject { ["alg"] = "ES384", ["typ"] = "JWT", ["kid"] = SandboxKid, ["jku"] = SandboxJku };
        var payload = new System.Text.Json.Nodes.JsonObject
        {
            ["iss"] = CdsHooksSecuritySettings.OfficialSandboxIssuer,
            ["aud"] = aud,
            ["exp"] = iat + 300,
            ["iat"] = iat,
            ["jti"] = Guid.NewGuid().ToString(),
        };
        return key.Sign(header, payload);
    }

    /// <summary>The URL a test client calls for <paramref name="path"/>: the token's aud.</summary>
    public static string Aud(string path) => "http://localhost" + path;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseTempSqlite();
        builder.UseSetting("CarTCds:Now", CarTCdsWebApplicationFactory.FixedNow);
        builder.UseSetting("CarTCds:MaxRequestBodyBytes", CarTCdsWebApplicationFactory.MaxRequestBodyBytes.ToString(CultureInfo.InvariantCulture));
        builder.UseSetting("Logging:LogLevel:Default", "Trace");
        builder.UseSetting("Logging:LogLevel:Microsoft", "Trace");
        builder.UseSetting("Logging:LogLevel:Microsoft.AspNetCore", "Trace");

        builder.UseSetting("CarTCds:Auth:Disabled", "false");
        builder.UseSetting("CarTCds:Auth:Issuers:0:Issuer", Ehr.Issuer);
        builder.UseSetting("CarTCds:Auth:Issuers:0:Jwks", Ehr.Jwks());
        builder.UseSetting("CarTCds:Auth:Issuers:1:Issuer", Sandbox.Issuer);
        builder.UseSetting("CarTCds:Auth:Issuers:1:JwksFile", _sandboxJwksFile);
        builder.UseSetting("CarTCds:Auth:Issuers:1:AllowJku", "true");
        builder.UseSetting("CarTCds:Auth:Issuers:1:JkuAllowlist:0", SandboxJku);
        builder.UseSetting("CarTCds:Auth:Issuers:2:Issuer", JkuIssuer.Issuer);
        builder.UseSetting("CarTCds:Auth:Issuers:2:AllowJku", "true");
        builder.UseSetting("CarTCds:Auth:Issuers:2:JkuAllowlist:0", JkuUrl);
        builder.UseSetting("CarTCds:Auth:Issuers:3:Issuer", Ops.Issuer);
        builder.UseSetting("CarTCds:Auth:Issuers:3:Jwks", Ops.Jwks(withRsa: false));
        builder.UseSetting("CarTCds:Auth:Issuers:3:Admin", "true");
        builder.UseSetting("CarTCds:Cors:AllowedOrigins:0", AllowedOrigin);

        builder.ConfigureTestServices(services =>
        {
            services.AddKeyedSingleton<TimeProvider>(CdsHooksSecurity.ClockKey, Clock);
            services.AddHttpClient(IssuerKeyResolver.HttpClientName).ConfigurePrimaryHttpMessageHandler(() => Jwks);
            services.AddSingleton<ILoggerProvider>(Logs);
        });
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (!disposing) return;
        Ehr.Dispose();
        Sandbox.Dispose();
        JkuIssuer.Dispose();
        Ops.Dispose();
        File.Delete(_sandboxJwksFile);
    }
}

/// <summary>The security tests share one secured host.</summary>
[CollectionDefinition(Name)]
public sealed class SecureServiceCollection : ICollectionFixture<SecureWebApplicationFactory>
{
    public const string Name = "CarTCds service, authentication on";
}
