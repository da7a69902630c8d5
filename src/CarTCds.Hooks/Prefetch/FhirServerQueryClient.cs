using CarTCds.Fhir.Client;

namespace CarTCds.Hooks.Prefetch;

/// <summary>The <see cref="IFhirQueryClient"/> that reads the EHR's FHIR server through
/// <see cref="FhirServerClient"/> (Polly: deadline, retry, breaker per server; size cap; token
/// kept to its own server). Every fault becomes <see cref="FhirQueryResult.Failed"/> with a
/// readable reason that never holds the access token.</summary>
public sealed class FhirServerQueryClient(FhirServerClient client) : IFhirQueryClient
{
    public async Task<FhirQueryResult> GetAsync(FhirServerAccess server, string relativeUrl, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(server);
        var result = await client.GetAsync(server.BaseUrl, relativeUrl, server.BearerToken, cancellationToken).ConfigureAwait(false);
        return result.Resource is { } resource
            ? FhirQueryResult.Ok(resource)
            : FhirQueryResult.Failed(result.Failure?.Message ?? "the FHIR server gave no resource");
    }
}
