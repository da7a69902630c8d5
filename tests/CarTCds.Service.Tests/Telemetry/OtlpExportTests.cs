using System.Collections.Concurrent;
using System.Net;
using System.Text;
using CarTCds.Service.Tests.TestSupport;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace CarTCds.Service.Tests.Telemetry;

/// <summary>Metrics leave the service over OTLP (http/protobuf) when <c>CarTCds:Telemetry:Otlp:Endpoint</c>
/// is set: a stand-in collector on loopback receives the hook and FHIR-failure instruments, and
/// nothing of the patient or the access token.</summary>
[Collection(CarTCdsServiceCollection.Name)]
public sealed class OtlpExportTests(CarTCdsWebApplicationFactory factory)
{
    /// <summary>Receives OTLP/HTTP exports on 127.0.0.1 (the real OpenTelemetry exporter talks to it).</summary>
    private sealed class StandInCollector : IAsyncDisposable
    {
        private readonly WebApplication _app;

        private StandInCollector(WebApplication app) => _app = app;

        public ConcurrentQueue<(string Path, string? ContentType, byte[] Body)> Exports { get; } = new();

        public string BaseUrl => _app.Urls.First();

        public static async Task<StandInCollector> StartAsync()
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            var app = builder.Build();
            var collector = new StandInCollector(app);
            app.MapPost("/{**path}", async (HttpRequest request) =>
            {
                using var body = new MemoryStream();
                await request.Body.CopyToAsync(body);
                collector.Exports.Enqueue((request.Path, request.ContentType, body.ToArray()));
                return Results.Ok();
            });
            await app.StartAsync();
            return collector;
        }

        public string AllText => string.Join("\n", Exports.Select(e => Encoding.UTF8.GetString(e.Body)));

        public async Task<bool> WaitForAsync(Func<string, bool> seen, TimeSpan within)
        {
            var until = DateTime.UtcNow + within;
            while (DateTime.UtcNow < until)
            {
                if (seen(AllText)) return true;
                await Task.Delay(100);
            }
            return seen(AllText);
        }

        public async ValueTask DisposeAsync() => await _app.DisposeAsync();
    }

    [Fact]
    public async Task GivenAnOtlpEndpoint_WhenHooksAreCalled_ThenTheCollectorReceivesHookAndFhirFailureMetricsWithoutPatientOrToken()
    {
        await using var collector = await StandInCollector.StartAsync();
        using var service = factory.WithWebHostBuilder(b => b
            .UseSetting("CarTCds:Telemetry:Otlp:Endpoint", collector.BaseUrl)
            .UseSetting("CarTCds:Telemetry:Otlp:ExportInterval", "00:00:00.2"));
        using var client = service.CreateClient();
        var fetchFails = HookJson.Toxicity(HookJson.ToxicityPrefetch(omitKey: "observations"),
            extraMembers: $$""","fhirServer":"{{HookJson.ClosedFhirServer}}","fhirAuthorization":{"access_token":"{{HookJson.AccessToken}}","token_type":"Bearer","expires_in":300,"scope":"patient/*.read","subject":"cds-service"}""");

        var ok = await client.PostJsonAsync(HookJson.ToxicityPath, HookJson.Toxicity());
        var failed = await client.PostJsonAsync(HookJson.ToxicityPath, fetchFails);
        var arrived = await collector.WaitForAsync(t => t.Contains("cartcds.hook.calls", StringComparison.Ordinal)
            && t.Contains("cartcds.fhir.fetch.failures", StringComparison.Ordinal), TimeSpan.FromSeconds(45));

        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.NotEqual(HttpStatusCode.OK, failed.StatusCode);
        // Generous: the exporter runs on a timer and the machine is shared.
        Assert.True(arrived, $"no OTLP export with the hook and FHIR failure instruments within 45 s; {collector.Exports.Count} exports arrived");
        Assert.All(collector.Exports, e => Assert.Equal("/v1/metrics", e.Path));
        Assert.All(collector.Exports, e => Assert.Equal("application/x-protobuf", e.ContentType));
        var text = collector.AllText;
        Assert.Contains("cartcds.hook.duration", text, StringComparison.Ordinal);
        Assert.Contains(Enum.GetNames<CarTCds.Fhir.Client.FhirFailureKind>(), kind => text.Contains(kind, StringComparison.Ordinal));
        Assert.DoesNotContain("pat-1", text, StringComparison.Ordinal);
        Assert.DoesNotContain(HookJson.AccessToken, text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Endpoint", "ftp://collector:4318", "must be an absolute http(s) URL")]
    [InlineData("Protocol", "udp", "must be http/protobuf or grpc")]
    [InlineData("ExportInterval", "00:00:00.01", "ExportInterval must be between")]
    public void GivenABadOtlpSetting_WhenTheServiceStarts_ThenItRefusesNamingTheSetting(string key, string value, string message)
    {
        using var bad = factory.WithWebHostBuilder(b => b.UseSetting("CarTCds:Telemetry:Otlp:" + key, value));

        var ex = Assert.ThrowsAny<Exception>(() => bad.Services.GetRequiredService<IHost>());

        Assert.Contains("CarTCds:Telemetry:Otlp", ex.ToString(), StringComparison.Ordinal);
        Assert.Contains(message, ex.ToString(), StringComparison.Ordinal);
    }
}
