using System.Collections.Concurrent;
using System.Diagnostics;
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
        Assert.Contains(collector.Exports, e => e.Path == "/v1/metrics");
        Assert.All(collector.Exports, e => Assert.Contains(e.Path, new[] { "/v1/metrics", "/v1/traces" }));
        Assert.All(collector.Exports, e => Assert.Equal("application/x-protobuf", e.ContentType));
        var text = collector.AllText;
        Assert.Contains("cartcds.hook.duration", text, StringComparison.Ordinal);
        Assert.Contains(Enum.GetNames<CarTCds.Fhir.Client.FhirFailureKind>(), kind => text.Contains(kind, StringComparison.Ordinal));
        Assert.DoesNotContain("pat-1", text, StringComparison.Ordinal);
        Assert.DoesNotContain(HookJson.AccessToken, text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GivenAnOtlpEndpoint_WhenAHookReadsTheFhirServer_ThenItsSpansArriveAsOneTreeWithoutPatientOrToken()
    {
        // Arrange: the call carries a traceparent, so every span of it has this trace id; a listener
        // in the test sees the same spans the exporter sends, with their parents.
        await using var collector = await StandInCollector.StartAsync();
        var traceId = ActivityTraceId.CreateRandom();
        var spans = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name.StartsWith("CarTCds", StringComparison.Ordinal) || source.Name == "Microsoft.AspNetCore",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity => { if (activity.TraceId == traceId) spans.Enqueue(activity); },
        };
        ActivitySource.AddActivityListener(listener);
        using var service = factory.WithWebHostBuilder(b => b
            .UseSetting("CarTCds:Telemetry:Otlp:Endpoint", collector.BaseUrl)
            .UseSetting("CarTCds:Telemetry:Otlp:ExportInterval", "00:00:00.2"));
        using var client = service.CreateClient();
        // "conditions" is optional for cart-toxicity: it is read from the (closed) FHIR server, fails, and the cards say so.
        var body = HookJson.Toxicity(HookJson.ToxicityPrefetch(omitKey: "conditions"),
            extraMembers: $$""","fhirServer":"{{HookJson.ClosedFhirServer}}","fhirAuthorization":{"access_token":"{{HookJson.AccessToken}}","token_type":"Bearer","expires_in":300,"scope":"patient/*.read","subject":"cds-service"}""");
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(HookJson.ToxicityPath, UriKind.Relative))
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom()}-01");

        // Act
        using var response = await client.SendAsync(request);
        var arrived = await collector.WaitForAsync(t => t.Contains("cds.hook", StringComparison.Ordinal) && t.Contains("fhir.read", StringComparison.Ordinal)
            && t.Contains("storage.hook_write", StringComparison.Ordinal), TimeSpan.FromSeconds(45));

        // Assert: the tree server → cds.hook → {prefetch.resolve → fhir.read…, engine.evaluate, storage.hook_write}.
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var all = spans.ToList();
        var server = Assert.Single(all, a => a.Source.Name == "Microsoft.AspNetCore");
        var hook = Assert.Single(all, a => a.OperationName == "cds.hook");
        var prefetch = Assert.Single(all, a => a.OperationName == "prefetch.resolve");
        var engine = Assert.Single(all, a => a.OperationName == "engine.evaluate");
        var write = Assert.Single(all, a => a.OperationName == "storage.hook_write");
        var reads = all.Where(a => a.OperationName == "fhir.read").ToList();
        Assert.Equal(server.SpanId, hook.ParentSpanId);
        Assert.Equal(hook.SpanId, prefetch.ParentSpanId);
        Assert.Equal(hook.SpanId, engine.ParentSpanId);
        Assert.Equal(hook.SpanId, write.ParentSpanId);
        Assert.NotEmpty(reads);
        Assert.All(reads, r =>
        {
            Assert.Equal(prefetch.SpanId, r.ParentSpanId);
            Assert.Equal("127.0.0.1", r.GetTagItem("server.address"));
            Assert.Equal("Condition", r.GetTagItem("fhir.resource_type"));
            Assert.Equal(nameof(CarTCds.Fhir.Client.FhirFailureKind.ConnectionFailed), r.GetTagItem("error.type"));
            Assert.True(r.GetTagItem("fhir.attempts") is int n && n >= 1);
        });
        Assert.Equal("cart-toxicity", hook.GetTagItem("cds.service"));
        foreach (var span in all)
        {
            var text = span.DisplayName + " " + string.Join(" ", span.TagObjects.Select(t => $"{t.Key}={t.Value}"));
            Assert.DoesNotContain("pat-1", text, StringComparison.Ordinal);
            Assert.DoesNotContain(HookJson.AccessToken, text, StringComparison.Ordinal);
        }
        Assert.True(arrived, $"no OTLP trace export with the hook's spans within 45 s; {collector.Exports.Count} exports arrived");
        Assert.Contains(collector.Exports, e => e.Path == "/v1/traces" && Contains(e.Body, TraceIdBytes(traceId)));
        Assert.DoesNotContain("pat-1", collector.AllText, StringComparison.Ordinal);
        Assert.DoesNotContain(HookJson.AccessToken, collector.AllText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GivenAHookCallInATrace_WhenItIsLogged_ThenTheLogLineCarriesTheTraceId()
    {
        // Arrange
        var traceId = ActivityTraceId.CreateRandom();
        using var client = factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(HookJson.ToxicityPath, UriKind.Relative))
        {
            Content = new StringContent(HookJson.Toxicity(), Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom()}-01");

        // Act
        using var response = await client.SendAsync(request);
        string? line = null;
        for (var i = 0; i < 100 && line is null; i++)
        {
            line = SuiteLogScan.Captured().FirstOrDefault(l => l.Contains("Hook call", StringComparison.Ordinal) && l.Contains(traceId.ToHexString(), StringComparison.Ordinal));
            if (line is null) await Task.Delay(100); // the console logger writes on its own thread
        }

        // Assert
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.NotNull(line);
        Assert.Contains("\"TraceId\":\"" + traceId.ToHexString() + "\"", line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://fhir.test:8080/r4/Patient/pat-1", "http://fhir.test:8080/r4/Patient")]
    [InlineData("https://fhir.test/Observation?patient=Patient/pat-1&code=http://loinc.org|8310-5", "https://fhir.test/Observation")]
    [InlineData("http://fhir.test/fhir/MedicationAdministration/_search", "http://fhir.test/fhir/MedicationAdministration")]
    [InlineData("http://fhir.test/fhir/metadata", "http://fhir.test/fhir/metadata")]
    public void GivenAFhirUrl_WhenRedactedForAClientSpan_ThenOnlyTheServerAndResourceTypeRemain(string url, string expected)
    {
        // Act
        var redacted = CarTCds.Service.Telemetry.OpenTelemetryExport.Redacted(new Uri(url));

        // Assert
        Assert.Equal(expected, redacted);
    }

    private static byte[] TraceIdBytes(ActivityTraceId id) => Convert.FromHexString(id.ToHexString());

    private static bool Contains(byte[] haystack, byte[] needle) => haystack.AsSpan().IndexOf(needle) >= 0;

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
