using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Net;
using CarTCds.Service.Telemetry;
using CarTCds.Service.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace CarTCds.Service.Tests.Telemetry;

[Collection(CarTCdsServiceCollection.Name)]
public sealed class HookMetricsTests(CarTCdsWebApplicationFactory factory)
{
    [Fact]
    public async Task GivenAGoodAndAnUnknownServiceCall_WhenMetricsAreListenedTo_ThenCallsCardsAndLatencyAreCountedWithoutTheCallersText()
    {
        var scope = factory.Services.GetRequiredService<IMeterFactory>();
        var measurements = new ConcurrentBag<(string Instrument, double Value, Dictionary<string, object?> Tags)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == HookMetrics.MeterName && ReferenceEquals(instrument.Meter.Scope, scope)) l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((i, v, tags, _) => measurements.Add((i.Name, v, Tags(tags))));
        listener.SetMeasurementEventCallback<double>((i, v, tags, _) => measurements.Add((i.Name, v, Tags(tags))));
        listener.Start();
        using var client = factory.CreateClient();

        var ok = await client.PostJsonAsync(HookJson.ToxicityPath, HookJson.Toxicity());
        var unknown = await client.PostJsonAsync("/cds-services/pat-1-secret-name", HookJson.Toxicity());

        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Contains(measurements, m => m.Instrument == "cartcds.hook.calls" && Equals(m.Tags["service"], "cart-toxicity") && Equals(m.Tags["status"], 200));
        Assert.Contains(measurements, m => m.Instrument == "cartcds.hook.calls" && Equals(m.Tags["service"], "unknown") && Equals(m.Tags["status"], 404));
        Assert.Contains(measurements, m => m.Instrument == "cartcds.cards" && Equals(m.Tags["indicator"], "critical"));
        Assert.Contains(measurements, m => m.Instrument == "cartcds.hook.duration" && m.Value >= 0);
        Assert.DoesNotContain(measurements, m => m.Tags.Values.Any(v => v is string s && s.Contains("secret", StringComparison.Ordinal)));
    }

    private static Dictionary<string, object?> Tags(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var d = new Dictionary<string, object?>();
        foreach (var t in tags) d[t.Key] = t.Value;
        return d;
    }
}
