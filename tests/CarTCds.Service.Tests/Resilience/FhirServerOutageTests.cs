using System.Diagnostics;
using System.Net;
using CarTCds.Service.Tests.TestSupport;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;

namespace CarTCds.Service.Tests.Resilience;

/// <summary>The EHR's FHIR server answers, then stops, or hangs: the service keeps answering within
/// its fetch budget — cards while the server answers, a 412 that says why once it does not.</summary>
public sealed class FhirServerOutageTests : IAsyncLifetime
{
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(3);

    // Generous: the machine is shared and noisy (other suites run beside this one); this bounds a
    // hang, it does not time our speed.
    private static readonly TimeSpan Margin = TimeSpan.FromSeconds(2);

    private WebApplication? _fhir;
    private string _fhirBase = "";
    private volatile bool _hang;
    private readonly WebApplicationFactory<Program> _service = new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
    {
        b.UseEnvironment("Testing");
        b.UseTempSqlite();
        b.UseSetting("CarTCds:Now", CarTCdsWebApplicationFactory.FixedNow);
        b.UseSetting("CarTCds:FetchBudget", "00:00:03");
        b.UseSetting("CarTCds:Fhir:TotalDeadline", "00:00:02.500");
        b.UseSetting("CarTCds:Fhir:AttemptTimeout", "00:00:01");
    });

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _fhir = builder.Build();
        _fhir.Use(async (ctx, next) =>
        {
            if (_hang) await Task.Delay(Timeout.Infinite, ctx.RequestAborted);
            await next(ctx);
        });
        _fhir.MapGet("/fhir/Patient/pat-1", () => Fhir(HookJson.Patient));
        _fhir.MapGet("/fhir/Observation", () => Fhir(HookJson.Observations));
        _fhir.MapGet("/fhir/Procedure", () => Fhir(HookJson.Searchset(HookJson.Infusion)));
        _fhir.MapGet("/fhir/{type}", (string type) => Fhir(HookJson.Searchset()));
        await _fhir.StartAsync();
        _fhirBase = _fhir.Urls.First() + "/fhir";
    }

    private static IResult Fhir(string json) => Results.Text(json, "application/fhir+json");

    public async Task DisposeAsync()
    {
        await _service.DisposeAsync();
        if (_fhir is not null) await _fhir.DisposeAsync();
    }

    private Task<HttpResponseMessage> CallWithoutPrefetchAsync(HttpClient client) =>
        client.PostJsonAsync(HookJson.ToxicityPath, $$"""
            {"hook":"patient-view","hookInstance":"{{HookJson.HookInstance}}","context":{"userId":"Practitioner/prac-1","patientId":"pat-1"},
             "fhirServer":"{{_fhirBase}}"}
            """);

    [Fact]
    public async Task GivenTheFhirServerStopsMidRun_WhenHooksKeepComing_ThenEachIsAnsweredWithinTheBudget()
    {
        using var client = _service.CreateClient();

        var before = await CallWithoutPrefetchAsync(client);
        Assert.True(before.StatusCode == HttpStatusCode.OK, await before.Content.ReadAsStringAsync());
        Assert.Contains("CRS grade 4", await before.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        await _fhir!.StopAsync();
        for (var i = 0; i < 4; i++)
        {
            var clock = Stopwatch.StartNew();
            var after = await CallWithoutPrefetchAsync(client);
            clock.Stop();

            await after.AssertOperationOutcomeAsync(HttpStatusCode.PreconditionFailed, "incomplete", null, "could not be obtained", "reading it from the FHIR server failed");
            Assert.True(clock.Elapsed < Budget + Margin, $"call {i} took {clock.Elapsed}");
        }
    }

    [Fact]
    public async Task GivenAFhirServerThatNeverAnswers_WhenAHookNeedsIt_ThenA412ArrivesWithinTheBudget()
    {
        using var client = _service.CreateClient();
        _hang = true;

        var clock = Stopwatch.StartNew();
        var response = await CallWithoutPrefetchAsync(client);
        clock.Stop();

        await response.AssertOperationOutcomeAsync(HttpStatusCode.PreconditionFailed, "incomplete", null, "reading it from the FHIR server failed");
        Assert.True(clock.Elapsed < Budget + Margin, $"took {clock.Elapsed}");
    }
}
