using System.Diagnostics.Metrics;
using CarTCds.Fhir.Client;
using CarTCds.Hooks.Contract;
using Polly.CircuitBreaker;

namespace CarTCds.Service.Telemetry;

/// <summary>The service's metrics (meter <c>CarTCds</c>, System.Diagnostics.Metrics): hook calls by
/// service and status, their latency, cards by indicator, and open FHIR circuit breakers. Any
/// listener (dotnet-counters, an OpenTelemetry MeterProvider) can read them; nothing here holds a
/// patient id or token.</summary>
public sealed class HookMetrics
{
    public const string MeterName = "CarTCds";

    private readonly Counter<long> _calls;
    private readonly Histogram<double> _latency;
    private readonly Counter<long> _cards;

    public HookMetrics(IMeterFactory meters, FhirResiliencePipelines pipelines)
    {
        var meter = meters.Create(MeterName);
        _calls = meter.CreateCounter<long>("cartcds.hook.calls", "{call}", "Hook calls, by service and HTTP status.");
        _latency = meter.CreateHistogram<double>("cartcds.hook.duration", "ms", "Hook call latency, by service.");
        _cards = meter.CreateCounter<long>("cartcds.cards", "{card}", "Cards returned, by service and indicator.");
        meter.CreateObservableGauge("cartcds.fhir.breakers.open",
            () => pipelines.BreakerStates.Count(s => s.Value is CircuitState.Open or CircuitState.Isolated),
            "{server}", "FHIR servers whose circuit breaker is open.");
    }

    public void RecordHookCall(string serviceId, int status, double latencyMs, IReadOnlyList<Card> cards)
    {
        var service = new KeyValuePair<string, object?>("service", serviceId);
        _calls.Add(1, service, new KeyValuePair<string, object?>("status", status));
        _latency.Record(latencyMs, service);
        foreach (var card in cards)
        {
            _cards.Add(1, service, new KeyValuePair<string, object?>("indicator", card.Indicator));
        }
    }
}
