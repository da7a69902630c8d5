using Microsoft.AspNetCore.Hosting;

namespace CarTCds.Cli.Tests.Sandbox;

/// <summary>For tests of what the service reads from the Medplum FHIR server, not how fast: on a
/// loaded 2-core machine (load average 15 seen) Medplum can miss the 800 ms attempt timeout often
/// enough to open the circuit breaker, and a hook then answers 412. Speed is measured in the
/// benchmarks and load runs only.</summary>
public static class GenerousFhirTimeouts
{
    public static IWebHostBuilder UseGenerousFhirTimeouts(this IWebHostBuilder builder) => builder
        .UseSetting("CarTCds:FetchBudget", "00:00:30")
        .UseSetting("CarTCds:RequestTimeout", "00:01:00")
        .UseSetting("CarTCds:Fhir:TotalDeadline", "00:00:30")
        .UseSetting("CarTCds:Fhir:AttemptTimeout", "00:00:15");
}
