using CarTCds.Service.Tests.TestSupport;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace CarTCds.Service.Tests.Sandbox;

/// <summary>The suite's host (<see cref="CarTCdsWebApplicationFactory"/>) with the sandbox on and
/// the evaluation clock at 23:00Z, the end of a story day, so a day moves by whole days.</summary>
public sealed class SandboxApiHost : IDisposable
{
    public const string Now = "2026-06-15T23:00:00Z";

    private readonly CarTCdsWebApplicationFactory _suiteHost = new();

    public SandboxApiHost() =>
        Factory = _suiteHost.WithWebHostBuilder(b =>
        {
            b.UseSetting("CarTCds:Sandbox:Enabled", "true");
            b.UseSetting("CarTCds:Now", Now);
        });

    public WebApplicationFactory<Program> Factory { get; }

    /// <summary>profiles/examples as the build copied it beside the binary.</summary>
    public static string ExamplesFolder => Path.Combine(AppContext.BaseDirectory, "sandbox-examples");

    public void Dispose()
    {
        Factory.Dispose();
        _suiteHost.Dispose();
    }
}
