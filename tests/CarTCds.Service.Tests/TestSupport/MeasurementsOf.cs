using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using CarTCds.Service.Telemetry;
using Microsoft.Extensions.DependencyInjection;

namespace CarTCds.Service.Tests.TestSupport;

/// <summary>Measurements of one instrument of meter <c>CarTCds</c> from this host's meter factory.</summary>
public sealed class MeasurementsOf : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<long> _values = new();

    public MeasurementsOf(IServiceProvider services, string instrument, (string Key, string Value)? tag = null)
    {
        var scope = services.GetRequiredService<IMeterFactory>();
        _listener.InstrumentPublished = (i, l) =>
        {
            if (i.Meter.Name == HookMetrics.MeterName && ReferenceEquals(i.Meter.Scope, scope) && i.Name == instrument) l.EnableMeasurementEvents(i);
        };
        _listener.SetMeasurementEventCallback<long>((_, v, tags, _) =>
        {
            foreach (var t in tags)
            {
                if (tag is { } want && t.Key == want.Key && !Equals(t.Value, want.Value)) return;
            }
            _values.Enqueue(v);
        });
        _listener.Start();
    }

    public long Count => _values.Sum();

    public void Dispose() => _listener.Dispose();
}
