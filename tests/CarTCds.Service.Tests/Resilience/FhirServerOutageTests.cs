using System.Net;
using CarTCds.Fhir.Tests.Client;
using CarTCds.Service.Hosting;
using CarTCds.Service.Tests.TestSupport;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace CarTCds.Service.Tests.Resilience;

/// <summary>The EHR's FHIR server answers, then stops, or hangs: the service keeps answering within
/// its fetch budget — cards while the server answers, a 412 that says why once it does not. The
/// FHIR reads run on a fake transport clock that the test advances, stopped at the budget: a call
/// that would outlast the budget hangs there and fails the test, whatever the machine's load.</summary>
public sealed class FhirServerOutageTests : IAsyncLifetime
{
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(3);

    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(10);

    private WebApplication? _fhir;
    private string _fhirBase = "";
    private volatile bool _hang;
    private int _held;
    private readonly FakeTimeProvider _transport = new();
    private readonly WebApplicationFactory<Program> _service;

    public FhirServerOutageTests()
    {
        _service = new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseEnvironment("Testing");
            b.UseTempSqlite();
            b.UseSetting("CarTCds:Now", CarTCdsWebApplicationFactory.FixedNow);
            b.UseSetting("CarTCds:FetchBudget", "00:00:03");
            b.UseSetting("CarTCds:Fhir:TotalDeadline", "00:00:02.500");
            b.UseSetting("CarTCds:Fhir:AttemptTimeout", "00:00:01");
            b.ConfigureTestServices(s => s.AddKeyedSingleton<TimeProvider>(CarTCdsServiceRegistration.TransportClockKey, _transport));
        });
    }

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _fhir = builder.Build();
        _fhir.Use(async (ctx, next) =>
        {
            if (_hang)
            {
                Interlocked.Increment(ref _held);
                await Task.Delay(Timeout.Infinite, ctx.RequestAborted);
            }
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

    /// <summary>One hook call on the fake transport clock, advanced until it is answered or the
    /// budget has passed; returns the answer and the fake time it took.</summary>
    /// <param name="startWhen">When the clock may start (default at once).</param>
    private async Task<(HttpResponseMessage Response, TimeSpan Took)> CallWithinBudgetAsync(HttpClient client, Func<bool>? startWhen = null)
    {
        var started = _transport.GetTimestamp();
        var response = await _transport.RunAsync(CallWithoutPrefetchAsync(client), Step, Budget, startWhen);
        return (response, _transport.GetElapsedTime(started));
    }

    [Fact]
    public async Task GivenTheFhirServerStopsMidRun_WhenHooksKeepComing_ThenEachIsAnsweredWithinTheBudget()
    {
        using var client = _service.CreateClient();

        var (before, _) = await CallWithinBudgetAsync(client);
        Assert.True(before.StatusCode == HttpStatusCode.OK, await before.Content.ReadAsStringAsync());
        Assert.Contains("CRS grade 4", await before.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        await _fhir!.StopAsync();
        for (var i = 0; i < 4; i++)
        {
            var (after, took) = await CallWithinBudgetAsync(client);

            await after.AssertOperationOutcomeAsync(HttpStatusCode.PreconditionFailed, "incomplete", null, "could not be obtained", "reading it from the FHIR server failed");
            Assert.True(took <= Budget, $"call {i} took {took} of transport time");
        }
    }

    [Fact]
    public async Task GivenAFhirServerThatNeverAnswers_WhenAHookNeedsIt_ThenA412ArrivesWithinTheBudget()
    {
        using var client = _service.CreateClient();
        _hang = true;

        // The clock starts once the FHIR server holds a read: the budget and the deadlines exist by then.
        var (response, took) = await CallWithinBudgetAsync(client, startWhen: () => Volatile.Read(ref _held) > 0);

        await response.AssertOperationOutcomeAsync(HttpStatusCode.PreconditionFailed, "incomplete", null, "reading it from the FHIR server failed");
        Assert.True(took <= Budget, $"took {took} of transport time");
    }
}
