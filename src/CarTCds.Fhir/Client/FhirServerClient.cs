using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using CarTCds.Fhir.Model;
using CarTCds.Fhir.Serialization;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace CarTCds.Fhir.Client;

/// <summary>Reads FHIR R4 resources from an EHR's FHIR server (REST, <c>application/fhir+json</c>)
/// through <see cref="FhirResilienceHandler"/>: one pipeline per server authority, a total deadline,
/// retries, a circuit breaker and a response-size cap. Thread-safe; share one instance (a singleton).</summary>
/// <remarks>
/// <see cref="GetAsync"/> never throws for anything the server or the network does: every fault
/// becomes a <see cref="FhirFailure"/> whose message names the server's authority but never the
/// access token (it is redacted even if the server echoes it back). It only follows absolute URLs
/// (a Bundle's <c>next</c> link) on the base URL's own scheme, host and port, so a hostile server
/// cannot send the bearer token elsewhere; redirects are not followed at all.
/// </remarks>
public sealed class FhirServerClient : IDisposable
{
    /// <summary>The FHIR JSON media type sent in <c>Accept</c>.</summary>
    public const string FhirJsonMediaType = "application/fhir+json";

    private const int MaxDetailChars = 300;

    private readonly HttpClient _http;
    private readonly FhirResiliencePipelines _pipelines;

    /// <summary>A client over <paramref name="pipelines"/> (share the same instance with whatever
    /// reports breaker state).</summary>
    /// <param name="pipelines">The per-authority pipelines (a singleton).</param>
    /// <param name="primaryHandler">The transport; null for a <see cref="SocketsHttpHandler"/> that
    /// follows no redirects, keeps no cookies, decompresses, and recycles connections every 5 min.
    /// The client owns and disposes it.</param>
    public FhirServerClient(FhirResiliencePipelines pipelines, HttpMessageHandler? primaryHandler = null)
    {
        _pipelines = pipelines ?? throw new ArgumentNullException(nameof(pipelines));
        var handler = new FhirResilienceHandler(pipelines, primaryHandler ?? CreatePrimaryHandler(pipelines.Options));
        _http = new HttpClient(handler, disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <summary>Shorthand: a client with its own pipelines.</summary>
    public static FhirServerClient Create(FhirClientOptions options, TimeProvider timeProvider, HttpMessageHandler? primaryHandler = null) =>
        new(new FhirResiliencePipelines(options, timeProvider), primaryHandler);

    /// <summary>The pipelines this client runs (options, breaker states).</summary>
    public FhirResiliencePipelines Pipelines => _pipelines;

    /// <inheritdoc cref="FhirResiliencePipelines.BreakerStates"/>
    public IReadOnlyDictionary<string, CircuitState> BreakerStates => _pipelines.BreakerStates;

    /// <summary>GETs <c>{baseUrl}/{url}</c> (a relative FHIR query such as
    /// <c>Observation?patient=123&amp;code=…</c>) or <paramref name="url"/> itself when it is an
    /// absolute URL on <paramref name="baseUrl"/>'s authority, and parses the answer.</summary>
    /// <param name="baseUrl">The FHIR server base (the request's <c>fhirServer</c>).</param>
    /// <param name="url">A query relative to the base, or an absolute <c>next</c>-page URL.</param>
    /// <param name="bearerToken">Sent as <c>Authorization: Bearer …</c> when not null; never logged or echoed.</param>
    /// <param name="cancellationToken">The caller's budget; cancelling gives a <see cref="FhirFailureKind.Cancelled"/> result.</param>
    public async Task<FhirFetchResult> GetAsync(Uri baseUrl, string url, string? bearerToken, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(baseUrl);
        // One span per read. Tags: the server's authority, the resource type, the outcome and the
        // attempts; never the URL (its path or query names the patient) nor the token.
        using var activity = ActivitySource.StartActivity("fhir.read", System.Diagnostics.ActivityKind.Client);
        if (activity is not null)
        {
            activity.SetTag("server.address", baseUrl.IsAbsoluteUri ? baseUrl.Host : null);
            activity.SetTag("server.port", baseUrl.IsAbsoluteUri ? baseUrl.Port : null);
            activity.SetTag("fhir.resource_type", ResourceTypeOf(url));
        }
        var result = await FetchAsync(baseUrl, url, bearerToken, cancellationToken).ConfigureAwait(false);
        if (result.Failure is { } failure)
        {
            FetchFailures.Add(1, new KeyValuePair<string, object?>("kind", failure.Kind.ToString()));
        }
        if (activity is not null)
        {
            activity.SetTag("fhir.attempts", result.Attempts);
            activity.SetTag("fhir.retries", Math.Max(0, result.Attempts - 1));
            if (result.Failure is { } f)
            {
                activity.SetTag("error.type", f.Kind.ToString());
                activity.SetStatus(System.Diagnostics.ActivityStatusCode.Error, f.Kind.ToString());
            }
        }
        return result;
    }

    /// <summary>Name of the FHIR client's <see cref="System.Diagnostics.ActivitySource"/>: a <c>fhir.read</c> span per read.</summary>
    public const string ActivitySourceName = "CarTCds.Fhir";

    private static readonly System.Diagnostics.ActivitySource ActivitySource = new(ActivitySourceName);

    /// <summary>The resource type a query or URL reads (its first path segment that starts with a
    /// capital letter, as FHIR types do), or null; never an id or a search value.</summary>
    internal static string? ResourceTypeOf(string? url)
    {
        if (string.IsNullOrEmpty(url)) return null;
        var path = url.Split('?', 2)[0];
        if (Uri.TryCreate(path, UriKind.Absolute, out var absolute)) path = absolute.AbsolutePath;
        foreach (var segment in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (char.IsAsciiLetterUpper(segment[0]) && segment.All(char.IsAsciiLetter)) return segment;
        }
        return null;
    }

    /// <summary>Meter of the FHIR client (<c>CarTCds.Fhir</c>): <c>cartcds.fhir.fetch.failures</c>,
    /// failed reads after retries, by <see cref="FhirFailureKind"/>. No server or patient tag: the
    /// server is whatever the caller named, so it would make the series unbounded.</summary>
    public const string MeterName = "CarTCds.Fhir";

    private static readonly System.Diagnostics.Metrics.Meter Meter = new(MeterName);

    private static readonly System.Diagnostics.Metrics.Counter<long> FetchFailures =
        Meter.CreateCounter<long>("cartcds.fhir.fetch.failures", "{read}", "FHIR reads that failed after retries, by failure kind.");

    private async Task<FhirFetchResult> FetchAsync(Uri baseUrl, string url, string? bearerToken, CancellationToken cancellationToken)
    {
        if (!TryResolve(baseUrl, url, out var target, out var refusal))
        {
            return Failed(FhirFailureKind.Refused, refusal, bearerToken, 0);
        }
        var authority = FhirResiliencePipelines.AuthorityOf(target);
        if (!_pipelines.Options.IsAllowedServer(baseUrl))
        {
            return Failed(FhirFailureKind.Refused, $"the FHIR server {baseUrl.GetLeftPart(UriPartial.Path)} is not on this service's list of allowed servers (CarTCds:Fhir:AllowedServers); it was not called", bearerToken, 0);
        }
        if (bearerToken is not null && !IsUsableBearerToken(bearerToken))
        {
            return Failed(FhirFailureKind.Refused, "the access token contains characters a Bearer token may not have; the request was not sent", bearerToken, 0);
        }

        using var request = new HttpRequestMessage(HttpMethod.Get, target);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(FhirJsonMediaType));
        if (bearerToken is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearerToken);

        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            var attempts = Attempts(request);
            var (kind, message) = Describe(ex, authority, attempts, cancellationToken);
            return Failed(kind, message, bearerToken, attempts);
        }

        using (response)
        {
            System.Diagnostics.Activity.Current?.SetTag("http.response.status_code", (int)response.StatusCode);
            var attempts = Attempts(request);
            var body = response.Content is FhirBufferedContent buffered
                ? buffered.Body
                : await ReadOutsideHandlerAsync(response, cancellationToken).ConfigureAwait(false);
            return response.IsSuccessStatusCode
                ? ParseSuccess(body, response, authority, bearerToken, attempts)
                : StatusFailure(body, response, request, authority, bearerToken, attempts);
        }
    }

    /// <summary>Resolves <paramref name="url"/> against <paramref name="baseUrl"/> and refuses
    /// anything that would leave the base's scheme, host and port.</summary>
    public static bool TryResolve(Uri baseUrl, string? url, out Uri target, out string refusal)
    {
        ArgumentNullException.ThrowIfNull(baseUrl);
        target = baseUrl;
        refusal = "";
        if (!baseUrl.IsAbsoluteUri || (baseUrl.Scheme != Uri.UriSchemeHttp && baseUrl.Scheme != Uri.UriSchemeHttps))
        {
            refusal = "the FHIR server URL must be an absolute http or https URL";
            return false;
        }
        if (string.IsNullOrWhiteSpace(url))
        {
            refusal = "the FHIR query is empty";
            return false;
        }

        Uri candidate;
        if (url.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || url.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out candidate!))
            {
                refusal = "the absolute URL is not valid";
                return false;
            }
        }
        else
        {
            // "//host/x" and "\\host\x" would resolve to another host; any other scheme is not HTTP. A "://" after
            // the '?' is data (a token's system, code=http://loinc.org|8310-5) and cannot change the host.
            var path = url.Split('?', 2)[0];
            if (url.StartsWith("//", StringComparison.Ordinal) || url.Contains('\\', StringComparison.Ordinal)
                || path.Contains("://", StringComparison.Ordinal) || url.Any(char.IsControl))
            {
                refusal = "the FHIR query is neither a relative query nor an absolute http(s) URL on the FHIR server; it is not followed";
                return false;
            }
            var root = baseUrl.AbsoluteUri.EndsWith('/') ? baseUrl : new Uri(baseUrl.AbsoluteUri + "/", UriKind.Absolute);
            if (!Uri.TryCreate(root, url.TrimStart('/'), out candidate!))
            {
                refusal = "the FHIR query is not a valid relative URL";
                return false;
            }
        }

        var baseAuthority = FhirResiliencePipelines.AuthorityOf(baseUrl);
        if ((candidate.Scheme != Uri.UriSchemeHttp && candidate.Scheme != Uri.UriSchemeHttps)
            || !string.Equals(FhirResiliencePipelines.AuthorityOf(candidate), baseAuthority, StringComparison.Ordinal))
        {
            var elsewhere = candidate.Scheme is "http" or "https" ? FhirResiliencePipelines.AuthorityOf(candidate) : candidate.Scheme + ":";
            refusal = $"the URL points to {elsewhere}, not to the FHIR server {baseAuthority}; it is not followed, so the access token stays with its own server";
            return false;
        }
        target = candidate;
        return true;
    }

    public void Dispose() => _http.Dispose();

    private static HttpMessageHandler CreatePrimaryHandler(FhirClientOptions options) => new SocketsHttpHandler
    {
        AllowAutoRedirect = false,
        UseCookies = false,
        AutomaticDecompression = DecompressionMethods.All,
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        ConnectTimeout = options.AttemptTimeout,
    };

    private static int Attempts(HttpRequestMessage request) =>
        request.Options.TryGetValue(FhirResilienceHandler.AttemptsKey, out var n) ? n : 0;

    private async Task<ReadOnlyMemory<byte>> ReadOutsideHandlerAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        // Only when another handler replaced the content after ours; still capped.
        var limit = response.IsSuccessStatusCode ? _pipelines.Options.MaxResponseBytes : FhirResilienceHandler.MaxErrorBodyBytes;
        try
        {
            var body = await FhirResilienceHandler.ReadCappedAsync(response.Content, limit, cancellationToken).ConfigureAwait(false);
            return body.TooLarge ? ReadOnlyMemory<byte>.Empty : body.Buffer.AsMemory(0, body.Length);
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException or OperationCanceledException)
        {
            return ReadOnlyMemory<byte>.Empty;
        }
    }

    private static FhirFetchResult ParseSuccess(ReadOnlyMemory<byte> body, HttpResponseMessage response, string authority, string? token, int attempts)
    {
        var contentType = response.Content.Headers.ContentType?.MediaType ?? "none";
        if (body.IsEmpty)
        {
            return Failed(FhirFailureKind.MalformedJson, $"{authority} answered HTTP {(int)response.StatusCode} with an empty body (Content-Type {contentType})", token, attempts);
        }
        try
        {
            return FhirFetchResult.Ok(FhirJson.Parse(body.Span), attempts);
        }
        catch (JsonException ex)
        {
            return IsWellFormedJson(body.Span)
                ? Failed(FhirFailureKind.NotFhir, $"{authority} answered with JSON that is not a FHIR resource: {FhirJson.Reason(ex)}", token, attempts)
                : Failed(FhirFailureKind.MalformedJson, $"{authority} answered with a body that is not valid JSON (Content-Type {contentType})", token, attempts);
        }
    }

    private static FhirFetchResult StatusFailure(ReadOnlyMemory<byte> body, HttpResponseMessage response, HttpRequestMessage request,
        string authority, string? token, int attempts)
    {
        var status = (int)response.StatusCode;
        var text = new StringBuilder($"{authority} answered HTTP {status}");
        if (Enum.IsDefined(response.StatusCode)) text.Append(" (").Append(response.StatusCode).Append(')');
        if (attempts > 1) text.Append(" after ").Append(attempts).Append(" attempts");
        if (status is >= 300 and < 400) text.Append("; redirects are not followed");
        if (request.Options.TryGetValue(FhirResilienceHandler.RetryAfterBeyondDeadlineKey, out var wait))
        {
            text.Append("; it asked to retry after ").Append(FormatDuration(wait)).Append(", past the deadline, so it was not retried");
        }

        OperationOutcome? outcome = null;
        if (!body.IsEmpty)
        {
            try
            {
                outcome = FhirJson.Parse(body.Span) as OperationOutcome;
            }
            catch (JsonException)
            {
                // An error page that is not FHIR: the status says enough.
            }
        }
        if (outcome?.Summary is { Length: > 0 } summary) text.Append(": ").Append(summary);
        return FhirFetchResult.Failed(new FhirFailure(FhirFailureKind.HttpStatus, Clean(text.ToString(), token), status, outcome), attempts);
    }

    private (FhirFailureKind Kind, string Message) Describe(Exception ex, string authority, int attempts, CancellationToken cancellationToken)
    {
        var options = _pipelines.Options;
        var tries = attempts == 1 ? "1 attempt" : $"{attempts} attempts";
        return ex switch
        {
            FhirResponseTooLargeException tooLarge => (FhirFailureKind.TooLarge, $"{authority}: {tooLarge.Message}"),
            BrokenCircuitException broken => (FhirFailureKind.CircuitOpen,
                $"circuit open for {authority}: it failed repeatedly, so it is not called for now"
                + (broken.RetryAfter is { } after ? $" (next try in about {FormatDuration(after)})" : "")),
            TimeoutRejectedException timeout when timeout.Timeout >= options.TotalDeadline => (FhirFailureKind.Timeout,
                $"timed out: {authority} gave no complete answer within the {FormatDuration(options.TotalDeadline)} deadline ({tries})"),
            TimeoutRejectedException => (FhirFailureKind.Timeout,
                $"timed out: {authority} gave no complete answer; {tries}, each cut at {FormatDuration(options.AttemptTimeout)}"),
            OperationCanceledException when cancellationToken.IsCancellationRequested => (FhirFailureKind.Cancelled,
                $"cancelled before {authority} answered (the caller's time budget ran out)"),
            OperationCanceledException => (FhirFailureKind.Timeout, $"timed out: {authority} gave no complete answer ({tries})"),
            HttpRequestException http => (FhirFailureKind.ConnectionFailed, $"{authority}: {Describe(http)} ({tries})"),
            IOException => (FhirFailureKind.ConnectionFailed, $"{authority}: the connection broke while reading the answer ({tries})"),
            FhirServerLimitException limit => (FhirFailureKind.Refused, limit.Message),
            _ => (FhirFailureKind.Unexpected, $"reading from {authority} failed unexpectedly ({ex.GetType().Name})"),
        };
    }

    private static string Describe(HttpRequestException ex)
    {
        var socket = FindSocketError(ex);
        return ex.HttpRequestError switch
        {
            HttpRequestError.NameResolutionError => "the host name could not be resolved",
            HttpRequestError.SecureConnectionError => "the TLS handshake failed",
            HttpRequestError.ResponseEnded => "the connection closed before the answer was complete",
            HttpRequestError.InvalidResponse => "the answer was not valid HTTP",
            HttpRequestError.ProxyTunnelError => "the proxy refused the connection",
            HttpRequestError.ConnectionError or HttpRequestError.Unknown when socket is { } s => s switch
            {
                SocketError.ConnectionRefused => "connection refused",
                SocketError.TimedOut => "connecting timed out",
                SocketError.HostUnreachable or SocketError.NetworkUnreachable or SocketError.HostNotFound => "the server is unreachable",
                SocketError.ConnectionReset or SocketError.ConnectionAborted => "the connection was reset",
                _ => $"could not connect ({s})",
            },
            HttpRequestError.ConnectionError => "could not connect",
            _ => "the request failed at the transport level",
        };
    }

    private static SocketError? FindSocketError(Exception ex)
    {
        for (Exception? e = ex; e is not null; e = e.InnerException)
        {
            if (e is SocketException s) return s.SocketErrorCode;
        }
        return null;
    }

    private static bool IsWellFormedJson(ReadOnlySpan<byte> utf8)
    {
        try
        {
            var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { MaxDepth = 1024 });
            while (reader.Read())
            {
            }
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>A Bearer token is visible ASCII (RFC 6750 b64token is a subset); anything else
    /// could break the header, so it is refused before it reaches the wire.</summary>
    private static bool IsUsableBearerToken(string token) =>
        token.Length is > 0 and <= 16 * 1024 && token.All(c => c is > ' ' and < (char)127);

    private static FhirFetchResult Failed(FhirFailureKind kind, string message, string? token, int attempts) =>
        FhirFetchResult.Failed(new FhirFailure(kind, Clean(message, token)), attempts);

    /// <summary>No token, no control characters, bounded length: the message may come partly from
    /// the server (an OperationOutcome's diagnostics) and ends up in logs and OperationOutcomes.</summary>
    internal static string Clean(string message, string? token)
    {
        if (!string.IsNullOrEmpty(token)) message = message.Replace(token, "***", StringComparison.Ordinal);
        var builder = new StringBuilder(Math.Min(message.Length, MaxDetailChars * 2));
        foreach (var c in message)
        {
            builder.Append(char.IsControl(c) ? ' ' : c);
            if (builder.Length >= MaxDetailChars * 2)
            {
                builder.Append('…');
                break;
            }
        }
        return builder.ToString();
    }

    private static string FormatDuration(TimeSpan duration) =>
        duration >= TimeSpan.FromSeconds(1) ? $"{duration.TotalSeconds:0.###} s" : $"{duration.TotalMilliseconds:0} ms";
}
