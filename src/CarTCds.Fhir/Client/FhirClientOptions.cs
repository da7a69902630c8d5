namespace CarTCds.Fhir.Client;

/// <summary>How <see cref="FhirServerClient"/> talks to a FHIR server: deadline, per-attempt
/// timeout, retry, circuit breaker and response size. Read once when the client is built (the
/// Polly pipelines are built from it, once per server authority); later changes have no effect.</summary>
/// <remarks>
/// The defaults fit a CDS Hooks call ("SHOULD respond on the order of 500 ms"; the hook's whole
/// budget defaults to 2 s): one read gets at most <see cref="TotalDeadline"/>, retries included.
/// Settable properties so that configuration binding (<c>CarTCds:Fhir</c>) can fill them.
/// </remarks>
public sealed class FhirClientOptions
{
    /// <summary>The most one read may take, all attempts, back-off delays and the body included.
    /// Default 2 s, inside the hook's budget. Retries and <c>Retry-After</c> waits never run past it.</summary>
    public TimeSpan TotalDeadline { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The most one attempt (request, headers and body) may take. Default 800 ms.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromMilliseconds(800);

    /// <summary>Retries after the first attempt, on 408/429/5xx and transport errors, for GET
    /// (and <c>POST …/_search</c>) only. Default 2 (three attempts at most). 0 turns retry off.</summary>
    public int MaxRetries { get; set; } = 2;

    /// <summary>Median delay before the first retry; later ones grow exponentially
    /// (decorrelated jitter). Default 100 ms.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Cap on one computed back-off delay (not on a server's <c>Retry-After</c>, which
    /// only the deadline caps). Default 1 s.</summary>
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Jitter on back-off delays, so that many replicas do not retry in step. Default true.</summary>
    public bool RetryUseJitter { get; set; } = true;

    /// <summary>Honour a <c>Retry-After</c> header (delta seconds or HTTP date) on a retryable
    /// answer: wait that long, or give up at once when it would pass the deadline. Default true.</summary>
    public bool HonourRetryAfter { get; set; } = true;

    /// <summary>The breaker opens when at least this share of the attempts in
    /// <see cref="BreakerSamplingDuration"/> failed. Default 0.5.</summary>
    public double BreakerFailureRatio { get; set; } = 0.5;

    /// <summary>Attempts needed within the sampling window before the breaker may open. Default 5,
    /// so by default it opens after 5 failed attempts (with no successes) within 30 s.</summary>
    public int BreakerMinimumThroughput { get; set; } = 5;

    /// <summary>The breaker's sampling window. Default 30 s.</summary>
    public TimeSpan BreakerSamplingDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long an open breaker fails calls at once before it lets one probe through.
    /// Default 15 s.</summary>
    public TimeSpan BreakerBreakDuration { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Largest response body accepted, after decompression. Default 20 MB. Larger
    /// bodies are refused while streaming (a declared <c>Content-Length</c> above it is refused
    /// before reading), so memory stays bounded.</summary>
    public long MaxResponseBytes { get; set; } = 20L * 1024 * 1024;

    /// <summary>Most distinct FHIR server authorities (scheme, host, port) that get a pipeline;
    /// calls to further ones are refused. Bounds memory when requests name many servers. Default 1000.</summary>
    public int MaxServers { get; set; } = 1000;

    /// <summary>FHIR server base URLs this service may call, e.g. <c>https://ehr.example.org/fhir</c>.
    /// A request's <c>fhirServer</c> must equal one of them (scheme and host case-insensitive, a
    /// trailing slash ignored); any other is refused before a byte is sent, so a caller cannot make
    /// the service reach into the network it sits in (SSRF). Empty (default): any http(s) server
    /// the caller names — acceptable only where every caller is trusted.</summary>
    public IList<string> AllowedServers { get; set; } = [];

    /// <summary>Whether <paramref name="baseUrl"/> may be called under <see cref="AllowedServers"/>.</summary>
    public bool IsAllowedServer(Uri baseUrl)
    {
        ArgumentNullException.ThrowIfNull(baseUrl);
        if (AllowedServers.Count == 0) return true;
        var wanted = Normalise(baseUrl);
        foreach (var allowed in AllowedServers)
        {
            if (Uri.TryCreate(allowed, UriKind.Absolute, out var a) && string.Equals(Normalise(a), wanted, StringComparison.Ordinal)) return true;
        }
        return false;

        // Uri lower-cases scheme and host and drops a default port; the path keeps its case.
        static string Normalise(Uri u) => u.GetLeftPart(UriPartial.Path).TrimEnd('/');
    }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        // Polly's own limits: timeouts 10 ms .. 1 day; breaker durations ≥ 0.5 s; throughput ≥ 2.
        Require(TotalDeadline >= TimeSpan.FromMilliseconds(10) && TotalDeadline <= TimeSpan.FromDays(1), nameof(TotalDeadline), "must be between 10 ms and 1 day");
        Require(AttemptTimeout >= TimeSpan.FromMilliseconds(10) && AttemptTimeout <= TotalDeadline, nameof(AttemptTimeout), "must be between 10 ms and TotalDeadline");
        Require(MaxRetries is >= 0 and <= 10, nameof(MaxRetries), "must be between 0 and 10");
        Require(RetryBaseDelay >= TimeSpan.Zero && RetryBaseDelay <= TimeSpan.FromDays(1), nameof(RetryBaseDelay), "must be between 0 and 1 day");
        Require(RetryMaxDelay >= RetryBaseDelay, nameof(RetryMaxDelay), "must be at least RetryBaseDelay");
        Require(BreakerFailureRatio is > 0 and <= 1, nameof(BreakerFailureRatio), "must be above 0 and at most 1");
        Require(BreakerMinimumThroughput >= 2, nameof(BreakerMinimumThroughput), "must be at least 2");
        Require(BreakerSamplingDuration >= TimeSpan.FromMilliseconds(500), nameof(BreakerSamplingDuration), "must be at least 0.5 s");
        Require(BreakerBreakDuration >= TimeSpan.FromMilliseconds(500), nameof(BreakerBreakDuration), "must be at least 0.5 s");
        Require(MaxResponseBytes is > 0 and <= int.MaxValue, nameof(MaxResponseBytes), "must be between 1 byte and 2 GB");
        Require(MaxServers >= 1, nameof(MaxServers), "must be at least 1");
        foreach (var allowed in AllowedServers)
        {
            Require(Uri.TryCreate(allowed, UriKind.Absolute, out var u) && u.Scheme is "http" or "https" && u.Query.Length == 0 && u.Fragment.Length == 0,
                nameof(AllowedServers), $"entry '{allowed}' must be an absolute http(s) base URL without query or fragment");
        }
    }

    /// <summary>A copy, so that the pipelines built from it cannot change under them.</summary>
    internal FhirClientOptions Snapshot()
    {
        var copy = (FhirClientOptions)MemberwiseClone();
        copy.AllowedServers = [.. AllowedServers];
        return copy;
    }

    private static void Require(bool condition, string name, string rule)
    {
        if (!condition) throw new ArgumentException($"FhirClientOptions.{name} {rule}.", name);
    }
}
