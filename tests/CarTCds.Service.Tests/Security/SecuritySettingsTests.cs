using System.Text.Json.Nodes;
using CarTCds.Service.Security;
using CarTCds.Service.Tests.TestSupport;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CarTCds.Service.Tests.Security;

/// <summary>Start-up rules: when authentication is on or off, what configuration is refused, and
/// the shipped key of the official Sandbox.</summary>
public sealed class SecuritySettingsTests
{
    private sealed class Env(string name) : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = name;
        public string ApplicationName { get; set; } = "CarTCds.Service";
        public string ContentRootPath { get; set; } = AppContext.BaseDirectory;
        public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();
    }

    private static CdsHooksSecuritySettings Load(string environment, params (string Key, string Value)[] settings) =>
        CdsHooksSecuritySettings.Load(
            new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value))).Build(),
            new Env(environment));

    /// <summary>A file of the repository (the nearest <paramref name="relative"/> above the test binaries).</summary>
    internal static string RepoFile(string relative)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, relative);
            if (File.Exists(candidate)) return candidate;
        }
        throw new FileNotFoundException(relative);
    }

    private static readonly TestIssuer Issuer = new("https://ehr.test");

    [Theory]
    [InlineData("Development", false)]
    [InlineData("Testing", false)]
    [InlineData("Production", true)]
    [InlineData("Staging", true)]
    public void GivenNoDisabledSetting_WhenLoaded_ThenAuthenticationIsOnExceptInDevelopmentAndTesting(string environment, bool on)
    {
        var settings = Load(environment, ("CarTCds:Auth:Issuers:0:Issuer", Issuer.Issuer), ("CarTCds:Auth:Issuers:0:Jwks", Issuer.Jwks()));

        Assert.Equal(on, settings.Enabled);
        Assert.Equal(!on, settings.StartupWarnings.Any(w => w.Contains("authentication is OFF", StringComparison.Ordinal)));
    }

    [Fact]
    public void GivenProductionWithNoIssuer_WhenLoaded_ThenTheServiceRefusesToStart()
    {
        var error = Assert.Throws<InvalidOperationException>(() => Load("Production"));

        Assert.Contains("CarTCds:Auth:Disabled=true", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GivenProductionWithDisabledTrue_WhenLoaded_ThenAuthenticationIsOffAndSaysSo()
    {
        var settings = Load("Production", ("CarTCds:Auth:Disabled", "true"));

        Assert.False(settings.Enabled);
        Assert.Contains(settings.StartupWarnings, w => w.Contains("Disabled=true", StringComparison.Ordinal));
    }

    [Fact]
    public async Task GivenTheHostInProductionWithNoIssuer_WhenStarted_ThenItDoesNotStart()
    {
        using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b => b.UseEnvironment("Production").UseTempSqlite());

        var error = Record.Exception(() => factory.CreateClient());

        Assert.NotNull(error);
        Assert.Contains("no issuer", error.ToString(), StringComparison.Ordinal);
        await Task.CompletedTask;
    }

    [Fact]
    public void GivenTheHostInTestingByDefault_WhenStarted_ThenItWarnsThatAuthenticationIsOff()
    {
        var logs = new CapturingLoggerProvider();
        using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseEnvironment("Testing");
            b.UseTempSqlite();
            b.ConfigureTestServices(s => s.AddSingleton<ILoggerProvider>(logs));
        });

        _ = factory.Server;

        Assert.Contains(logs.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("authentication is OFF", StringComparison.Ordinal));
    }

    [Fact]
    public void GivenTheShippedSandboxJwks_WhenLoadedAsTheSandboxIssuer_ThenItHoldsItsEs384Key()
    {
        var file = RepoFile(Path.Combine("deploy", "config", "sandbox.cds-hooks.org.jwks.json"));

        var settings = Load("Production",
            ("CarTCds:Auth:Issuers:0:Issuer", "https://sandbox.cds-hooks.org"),
            ("CarTCds:Auth:Issuers:0:JwksFile", file),
            ("CarTCds:Auth:Issuers:0:AllowJku", "true"),
            ("CarTCds:Auth:Issuers:0:JkuAllowlist:0", "https://sandbox.cds-hooks.org/.well-known/jwks.json"));

        var key = Assert.Single(settings.Issuers["https://sandbox.cds-hooks.org"].StaticKeys);
        Assert.Equal("44823f3d-0b01-4a6c-a80e-b9d3e8a7226f", key.Kid);
        Assert.Equal("ES384", key.Algorithm);
        Assert.Contains(settings.StartupWarnings, w => w.Contains("publishes its private key", StringComparison.Ordinal));
    }

    [Fact]
    public void GivenTheSampleAppsettings_WhenLoadedWithTheShippedKey_ThenItIsValid()
    {
        var sample = RepoFile(Path.Combine("deploy", "config", "appsettings.auth.sample.json"));
        var opsJwks = Path.GetTempFileName();
        File.WriteAllText(opsJwks, Issuer.Jwks());
        var config = new ConfigurationBuilder().AddJsonFile(sample).AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["CarTCds:Auth:Issuers:1:JwksFile"] = RepoFile(Path.Combine("deploy", "config", "sandbox.cds-hooks.org.jwks.json")),
            ["CarTCds:Auth:Issuers:2:JwksFile"] = opsJwks,
        }).Build();

        var settings = CdsHooksSecuritySettings.Load(config, new Env("Production"));
        File.Delete(opsJwks);

        Assert.True(settings.Enabled);
        Assert.Equal(3, settings.Issuers.Count);
        Assert.Equal(["https://ops.example.org"], settings.Issuers.Values.Where(i => i.Admin).Select(i => i.Issuer));
        Assert.Equal(new Uri("https://cds.example.org"), settings.PublicBaseUrl);
    }

    [Fact]
    public void GivenAJwksWrittenAsAnObjectInAppsettings_WhenLoaded_ThenItsKeysAreRead()
    {
        var jwks = JsonNode.Parse(Issuer.Jwks())!;
        var json = new JsonObject { ["CarTCds"] = new JsonObject { ["Auth"] = new JsonObject { ["Issuers"] = new JsonArray(new JsonObject { ["Issuer"] = Issuer.Issuer, ["Jwks"] = jwks }) } } };
        var config = new ConfigurationBuilder().AddJsonStream(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(json.ToJsonString()))).Build();

        var settings = CdsHooksSecuritySettings.Load(config, new Env("Production"));

        Assert.Equal(2, settings.Issuers[Issuer.Issuer].StaticKeys.Count);
    }

    public static TheoryData<string, string> RefusedKeys => new()
    {
        { """{"keys":[{"kty":"EC","crv":"P-384","kid":"k","x":"dw_JGR8nB2I6XveNxUOl2qk699ZPLM2nYI5STSdiEl9avAkrm3CkfYMbrrjr8laB","y":"Sm3mLE-n1zYNla_aiE3cb3nZsL51RbC7ysw3q8aJLxGm-hx79RPMYpITDjp7kgzy","d":"AAAA"}]}""", "private" },
        { """{"keys":[{"kty":"oct","kid":"k","k":"c2VjcmV0"}]}""", "private or symmetric" },
        { """{"keys":[{"kty":"EC","crv":"P-256","kid":"k","x":"QWI9fI8TcNtdikhVs_M1N_Szb7BOj19etvIKfrQMa9k","y":"jDkhk_Z2RZZ5L5rN4vd1_i-RJLn3EfEhDcy7iFBg--I"}]}""", "P-384" },
        { """{"keys":[{"kty":"EC","crv":"P-384","kid":"k","x":"AAAA","y":"AAAA"}]}""", "48 bytes" },
        { """{"keys":[]}""", "no key" },
        { """{"nokeys":1}""", "not a JWKS" },
    };

    [Theory]
    [MemberData(nameof(RefusedKeys))]
    public void GivenAConfiguredKeySetWeRefuse_WhenLoaded_ThenTheServiceRefusesToStart(string jwks, string expected)
    {
        var error = Assert.Throws<InvalidOperationException>(() =>
            Load("Production", ("CarTCds:Auth:Issuers:0:Issuer", "https://ehr.test"), ("CarTCds:Auth:Issuers:0:Jwks", jwks)));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("CarTCds:Auth:ClockSkew", "60", "ClockSkew")] // 60 DAYS as a TimeSpan: refused
    [InlineData("CarTCds:Auth:PublicBaseUrl", "cds.example.org", "PublicBaseUrl")]
    [InlineData("CarTCds:Auth:Issuers:0:JkuAllowlist:0", "https://ehr.test/jwks.json", "AllowJku is false")]
    [InlineData("CarTCds:Auth:Issuers:1:Issuer", "https://ehr.test", "listed twice")]
    public void GivenAnInvalidSetting_WhenLoaded_ThenTheServiceRefusesToStartNamingIt(string key, string value, string expected)
    {
        var error = Assert.Throws<InvalidOperationException>(() =>
            Load("Production", ("CarTCds:Auth:Issuers:0:Issuer", "https://ehr.test"), ("CarTCds:Auth:Issuers:0:Jwks", Issuer.Jwks()),
                ("CarTCds:Auth:Issuers:1:Jwks", Issuer.Jwks()), (key, value)));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://ehr.test/jwks.json")]
    [InlineData("ftp://ehr.test/jwks.json")]
    [InlineData("/jwks.json")]
    public void GivenAJkuAllowlistEntryThatIsNotHttps_WhenLoaded_ThenRefused(string url)
    {
        var error = Assert.Throws<InvalidOperationException>(() =>
            Load("Production", ("CarTCds:Auth:Issuers:0:Issuer", "https://ehr.test"), ("CarTCds:Auth:Issuers:0:AllowJku", "true"),
                ("CarTCds:Auth:Issuers:0:JkuAllowlist:0", url)));

        Assert.Contains("https", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://ehr.example.org/path")]
    [InlineData("ehr.example.org")]
    public void GivenACorsOriginThatIsNotAnOrigin_WhenLoaded_ThenRefused(string origin)
    {
        var error = Assert.Throws<InvalidOperationException>(() =>
            CdsHooksCors.Origins(new CdsHooksCorsOptions { AllowedOrigins = [origin] }, new Env("Production")));

        Assert.Contains("AllowedOrigins", error.Message, StringComparison.Ordinal);
    }
}
