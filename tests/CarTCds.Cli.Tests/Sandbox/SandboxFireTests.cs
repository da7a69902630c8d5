using CarTCds.Cli.Tests.Evaluate;
using Microsoft.AspNetCore.Mvc.Testing;

namespace CarTCds.Cli.Tests.Sandbox;

/// <summary><c>cartcds sandbox fire</c> against the real service on Kestrel and a real FHIR server.</summary>
[Collection(FhirServerCollection.Name)]
public sealed class SandboxFireTests(FhirServerFixture server) : IDisposable
{
    private const string Patient1 = "cart-p1-post-sct-relapse";
    private readonly WebApplicationFactory<Program> _service = StartService("2013-05-12T23:00:00Z");

    private static WebApplicationFactory<Program> StartService(string now)
    {
        var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b => b.UseSetting("CarTCds:Now", now).UseGenerousFhirTimeouts().UseTempSqlite());
        factory.UseKestrel(0);
        factory.StartServer();
        return factory;
    }

    private string ServiceUrl => _service.ClientOptions.BaseAddress.ToString().TrimEnd('/');

    public void Dispose() => _service.Dispose();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task GivenPatient1OnDay5_WhenFiredWithOrWithoutPrefetch_ThenTheJsonCarriesCrsGrade4(bool prefetch)
    {
        await server.EnsureExamplesLoadedAsync();
        string[] args = ["sandbox", "fire", "--service", ServiceUrl, "--fhir", server.BaseUrl, "--patient", Patient1, "--json"];

        var (exit, stdout, stderr) = await CliRunner.RunAsync(prefetch ? [.. args, "--prefetch"] : args);

        Assert.True(exit == 0, stderr);
        var findings = CliRunner.Findings(stdout);
        Assert.Equal(4m, findings["crs-grade"]!.GetValue<decimal>());
        Assert.Equal(0m, findings["icans-grade"]!.GetValue<decimal>());
    }

    [Fact]
    public async Task GivenPatient1OnDay5_WhenFiredForReading_ThenEachCardIsABlockWithItsIndicator()
    {
        await server.EnsureExamplesLoadedAsync();

        var (exit, stdout, stderr) = await CliRunner.RunAsync("sandbox", "fire", "--service", ServiceUrl, "--fhir", server.BaseUrl, "--patient", Patient1);

        Assert.True(exit == 0, stderr);
        Assert.StartsWith("cart-toxicity: ", stdout, StringComparison.Ordinal);
        Assert.Contains("[CRITICAL] CRS grade 4 (ASTCT), day 5: BiPAP", stdout, StringComparison.Ordinal);
        Assert.Contains("    source: ASTCT consensus grading", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("\u001b[", stdout, StringComparison.Ordinal); // not a terminal: no colour codes
    }

    [Fact]
    public async Task GivenATisagenlecleucelDraft_WhenOrderSelectIsFired_ThenTheEligibilityCardComes()
    {
        await server.EnsureExamplesLoadedAsync();

        var (exit, stdout, stderr) = await CliRunner.RunAsync("sandbox", "fire", "--service", ServiceUrl, "--fhir", server.BaseUrl, "--patient", Patient1,
            "--hook", "order-select", "--draft-orders", CliRunner.Example(Path.Combine("draft-orders", "tisagenlecleucel.json")), "--json");

        Assert.True(exit == 0, stderr);
        Assert.True(CliRunner.Findings(stdout).ContainsKey("eligibility"), stdout);
    }

    [Theory]
    [InlineData("--hook", "encounter-start", "--hook 'encounter-start'")]
    [InlineData("--hook", "order-sign", "--draft-orders is required for order-sign")]
    [InlineData("--service", "ftp://x", "--service 'ftp://x'")]
    public async Task GivenBadOptions_WhenFired_ThenExit2WithTheReason(string option, string value, string fragment)
    {
        var args = new Dictionary<string, string> { ["--service"] = ServiceUrl, ["--fhir"] = server.BaseUrl, ["--patient"] = Patient1, [option] = value };

        var (exit, stdout, stderr) = await CliRunner.RunAsync(["sandbox", "fire", .. args.SelectMany(a => new[] { a.Key, a.Value })]);

        Assert.Equal(2, exit);
        Assert.Equal("", stdout);
        Assert.Contains(fragment, stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GivenNoServiceListening_WhenFired_ThenExit1WithOneLine()
    {
        var (exit, _, stderr) = await CliRunner.RunAsync("sandbox", "fire", "--service", $"http://127.0.0.1:{SandboxExamples.ClosedPort()}", "--fhir", server.BaseUrl, "--patient", Patient1);

        Assert.Equal(1, exit);
        Assert.StartsWith("cartcds: sandbox fire: cannot reach", stderr, StringComparison.Ordinal);
        Assert.Single(stderr.TrimEnd('\n').Split('\n'));
    }
}
