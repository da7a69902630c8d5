using CarTCds.Fhir.Model;

namespace CarTCds.Hooks.Prefetch;

/// <summary>Where and how to read the EHR's FHIR server for one hook call.</summary>
/// <param name="BaseUrl">The request's <c>fhirServer</c>.</param>
/// <param name="BearerToken">fhirAuthorization.access_token; never log it.</param>
public sealed record FhirServerAccess(Uri BaseUrl, string? BearerToken)
{
    public override string ToString() => $"FhirServerAccess({BaseUrl}, token={(BearerToken is null ? "none" : "***")})";
}

/// <summary>The result of one FHIR query: the resource, or why there is none.</summary>
public sealed record FhirQueryResult(Resource? Resource, string? Failure)
{
    public static FhirQueryResult Ok(Resource resource) => new(resource, null);

    public static FhirQueryResult Failed(string reason) => new(null, reason);
}

/// <summary>The seam to the EHR's FHIR server: the prefetch resolver calls it for every key the
/// EHR did not prefetch (absent) or could not (an OperationOutcome). Implementations must finish
/// or fail within the call's cancellation token, never throw for a server fault, and never put
/// the bearer token in a failure message.</summary>
public interface IFhirQueryClient
{
    /// <summary>Reads <paramref name="relativeUrl"/> (a prefetch query with its tokens filled in)
    /// or an absolute <c>next</c>-page URL from the same server.</summary>
    Task<FhirQueryResult> GetAsync(FhirServerAccess server, string relativeUrl, CancellationToken cancellationToken);
}

/// <summary>The client used when no FHIR access is configured: every fetch fails, so a hook
/// without its prefetch answers 412 rather than guessing.</summary>
public sealed class NoFhirQueryClient : IFhirQueryClient
{
    public Task<FhirQueryResult> GetAsync(FhirServerAccess server, string relativeUrl, CancellationToken cancellationToken) =>
        Task.FromResult(FhirQueryResult.Failed("this deployment does not read FHIR servers (no FHIR client configured)"));
}
