using CarTCds.Fhir.Client;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Polly.CircuitBreaker;

namespace CarTCds.Service.Health;

/// <summary>Readiness reports the circuit breakers of the EHR FHIR servers. An open breaker is
/// Degraded, not Unhealthy: the replica still answers every hook that brings its prefetch.</summary>
public sealed class FhirBreakerHealthCheck(FhirResiliencePipelines pipelines) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var open = pipelines.BreakerStates.Where(s => s.Value is CircuitState.Open or CircuitState.Isolated).Select(s => s.Key).ToList();
        var data = pipelines.BreakerStates.ToDictionary(s => s.Key, s => (object)s.Value.ToString());
        return Task.FromResult(open.Count == 0
            ? HealthCheckResult.Healthy($"{data.Count} FHIR server(s) seen; no breaker open", data)
            : HealthCheckResult.Degraded($"circuit open for {string.Join(", ", open)}: hooks without prefetch from there get 412 until it closes", data: data));
    }
}
