using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace CarTCds.Browser.Tests;

/// <summary>The real Program on a real socket (Kestrel on 127.0.0.1, a free port: Playwright's
/// Chromium needs one, TestServer has none), the sandbox on, authentication off (environment
/// "Testing"), its own SQLite file, and the evaluation clock at 23:00Z so a story day moves by
/// whole days and keeps its calendar day. One Debian Chromium for all tests.</summary>
public sealed class SandboxHost : WebApplicationFactory<Program>, IAsyncLifetime
{
    /// <summary>The engine's "now": 23:00Z, the profiles/examples evaluation instant of a day.</summary>
    public const string Now = "2026-06-15T23:00:00Z";

    /// <summary>Debian's Chromium (apt-get install chromium; .ci/run installs it when missing).</summary>
    public const string ChromiumPath = "/usr/bin/chromium";

    private readonly string _database = Path.Combine(Path.GetTempPath(), $"cartcds-browser-{Guid.NewGuid():N}.db");
    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = null!;

    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>Where screenshots go: the test output folder, kept after the run.</summary>
    public static string ArtifactsFolder { get; } = Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "screenshots")).FullName;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("CarTCds:Now", Now);
        builder.UseSetting("CarTCds:Sandbox:Enabled", "true");
        builder.UseSetting("CarTCds:Storage:Sqlite:Path", _database);
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
    }

    public async Task InitializeAsync()
    {
        UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        StartServer();
        var address = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseAddress = new Uri(address);

        _playwright = await Playwright.CreateAsync();
        // The headless flags of docs/TESTING.md "Browser"; Playwright gives each launch a fresh profile.
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Timeout = 120_000,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
    }

    public new async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.CloseAsync();
        _playwright?.Dispose();
        await base.DisposeAsync();
        File.Delete(_database);
    }
}

/// <summary>All browser tests share one host and one Chromium.</summary>
[CollectionDefinition(Name)]
public sealed class SandboxBrowserCollection : ICollectionFixture<SandboxHost>
{
    public const string Name = "Sandbox page in Chromium";
}
