using System.Net;
using System.Net.Sockets;
using CarTCds.Service.Tests.TestSupport;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;

namespace CarTCds.Service.Tests.Resilience;

/// <summary>With the evaluation time fixed (CarTCds:Now, as in the sandbox), a FHIR server's circuit
/// breaker still closes once the server is back: transport timing runs on real time.</summary>
public sealed class BreakerRecoveryTests
{
    [Fact]
    public async Task GivenAFixedEvaluationClockAndAServerThatComesBack_WhenTheBreakDurationHasPassed_ThenHooksAreAnsweredAgain()
    {
        var port = FreePort();
        var fhirBase = $"http://127.0.0.1:{port}/fhir";
        using var service = new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseEnvironment("Testing");
            b.UseTempSqlite();
            b.UseSetting("CarTCds:Now", CarTCdsWebApplicationFactory.FixedNow);
            b.UseSetting("CarTCds:FetchBudget", "00:00:03");
            b.UseSetting("CarTCds:Fhir:BreakerMinimumThroughput", "2");
            b.UseSetting("CarTCds:Fhir:BreakerBreakDuration", "00:00:01");
        });
        using var client = service.CreateClient();
        var body = HookJson.Toxicity(HookJson.ToxicityPrefetch(omitKey: "observations"), $$""", "fhirServer": "{{fhirBase}}" """);

        // Nothing listens yet: the reads fail and the breaker opens.
        for (var i = 0; i < 2; i++) Assert.Equal(HttpStatusCode.PreconditionFailed, (await client.PostJsonAsync(HookJson.ToxicityPath, body)).StatusCode);
        Assert.Equal("Degraded", await client.GetStringAsync(new Uri("/health/ready", UriKind.Relative)));

        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        await using var fhir = builder.Build();
        fhir.MapGet("/fhir/Observation", () => Results.Text(HookJson.Observations, "application/fhir+json"));
        await fhir.StartAsync();
        await Task.Delay(TimeSpan.FromSeconds(1.5));

        var recovered = await client.PostJsonAsync(HookJson.ToxicityPath, body);

        Assert.True(recovered.StatusCode == HttpStatusCode.OK, await recovered.Content.ReadAsStringAsync());
        Assert.Contains("CRS grade 4", await recovered.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal("Healthy", await client.GetStringAsync(new Uri("/health/ready", UriKind.Relative)));
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
