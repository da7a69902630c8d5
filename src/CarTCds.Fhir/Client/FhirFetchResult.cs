using CarTCds.Fhir.Model;

namespace CarTCds.Fhir.Client;

/// <summary>Why a FHIR read gave no resource.</summary>
public enum FhirFailureKind
{
    /// <summary>The server answered with a non-success status (after any retries).</summary>
    HttpStatus,
    /// <summary>No complete answer within the deadline (or every attempt timed out).</summary>
    Timeout,
    /// <summary>The server's circuit breaker is open: it failed repeatedly, so it was not called.</summary>
    CircuitOpen,
    /// <summary>No connection (refused, unreachable, name not resolved, TLS failed) or it broke mid-answer.</summary>
    ConnectionFailed,
    /// <summary>The body is not well-formed JSON.</summary>
    MalformedJson,
    /// <summary>The body is JSON but not a FHIR resource (no <c>resourceType</c>, ill-typed elements).</summary>
    NotFhir,
    /// <summary>The body is larger than <see cref="FhirClientOptions.MaxResponseBytes"/>.</summary>
    TooLarge,
    /// <summary>The request was refused before sending: a URL on another authority than the base,
    /// not http(s), an unusable access token, or too many distinct servers.</summary>
    Refused,
    /// <summary>The caller cancelled (e.g. the hook's own budget ran out).</summary>
    Cancelled,
    /// <summary>Anything else; the message names only the exception type.</summary>
    Unexpected,
}

/// <summary>Why a FHIR read failed. <see cref="Message"/> is for people and logs; it never holds
/// the access token.</summary>
/// <param name="Kind">The class of failure.</param>
/// <param name="Message">One readable sentence: what failed, on which server (authority only), after how many attempts.</param>
/// <param name="StatusCode">The HTTP status, for <see cref="FhirFailureKind.HttpStatus"/>.</param>
/// <param name="Outcome">The server's OperationOutcome, when a failed answer carried one.</param>
public sealed record FhirFailure(FhirFailureKind Kind, string Message, int? StatusCode = null, OperationOutcome? Outcome = null)
{
    public override string ToString() => Message;
}

/// <summary>The result of one FHIR read: the parsed resource, or why there is none. Never both.</summary>
public sealed record FhirFetchResult
{
    private FhirFetchResult(Resource? resource, FhirFailure? failure, int attempts)
    {
        Resource = resource;
        Failure = failure;
        Attempts = attempts;
    }

    /// <summary>The resource read, or null on failure.</summary>
    public Resource? Resource { get; }

    /// <summary>Why there is no resource, or null on success.</summary>
    public FhirFailure? Failure { get; }

    /// <summary>HTTP attempts made (0 when refused before sending or the breaker was open).</summary>
    public int Attempts { get; }

    /// <summary>True when <see cref="Resource"/> is set.</summary>
    public bool IsSuccess => Resource is not null;

    public static FhirFetchResult Ok(Resource resource, int attempts) => new(resource ?? throw new ArgumentNullException(nameof(resource)), null, attempts);

    public static FhirFetchResult Failed(FhirFailure failure, int attempts) => new(null, failure ?? throw new ArgumentNullException(nameof(failure)), attempts);
}
