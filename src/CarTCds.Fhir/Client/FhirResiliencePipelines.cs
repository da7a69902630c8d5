using System.Collections.Concurrent;
using System.Net;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace CarTCds.Fhir.Client;

/// <summary>One Polly <see cref="ResiliencePipeline{T}"/> per FHIR server authority (scheme, host,
/// port), built on first use and kept: the circuit breaker's memory is per server, so one slow EHR
/// server cannot open the breaker of another. Thread-safe; share one instance (a singleton).</summary>
/// <remarks>
/// Strategies, outermost first:
/// <list type="number">
/// <item>total deadline (<see cref="FhirClientOptions.TotalDeadline"/>);</item>
/// <item>retry with exponential back-off and jitter on 408/429/5xx, transport errors and attempt
/// timeouts, honouring <c>Retry-After</c>, for GET and <c>POST …/_search</c> only, and never
/// starting a wait that would end past the deadline;</item>
/// <item>circuit breaker (every attempt is a sample);</item>
/// <item>per-attempt timeout (<see cref="FhirClientOptions.AttemptTimeout"/>).</item>
/// </list>
/// All time comes from the injected <see cref="TimeProvider"/>.
/// <para>Not <c>Microsoft.Extensions.Http.Resilience</c> (served since): its
/// <c>AddResilienceHandler(...).SelectPipelineByAuthority()</c> would replace only the per-authority
/// cache here (a dictionary), while what is ours stays: the body read inside each attempt with its cap
/// (the standard handler's attempt ends at the headers, so a stalled body would escape the attempt
/// timeout), retry only for GET/HEAD/<c>_search</c>, the Retry-After-versus-deadline decision that
/// needs the call's start, <see cref="FhirClientOptions.MaxServers"/>, and the breaker states that
/// readiness reports. It would add a second configuration path and its telemetry enrichers for no
/// behaviour gained. The composition is asserted with Polly.Testing (FhirPipelineCompositionTests).</para>
/// </remarks>
public sealed class FhirResiliencePipelines
{
    internal static readonly ResiliencePropertyKey<FhirCallState> CallStateKey = new("CarTCds.Fhir.CallState");

    private readonly ConcurrentDictionary<string, Lazy<Entry>> _entries = new(StringComparer.Ordinal);
    private readonly FhirClientOptions _options;
    private readonly TimeProvider _timeProvider;

    public FhirResiliencePipelines(FhirClientOptions options, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options.Snapshot();
        _timeProvider = timeProvider ?? throw new ArgumentNullException(nameof(timeProvider));
    }

    /// <summary>The options the pipelines were built from (a copy).</summary>
    public FhirClientOptions Options => _options;

    /// <summary>The time source every pipeline uses.</summary>
    public TimeProvider TimeProvider => _timeProvider;

    /// <summary>The circuit state of every server called so far, keyed by authority
    /// (<c>https://fhir.example.org:443</c>). <see cref="CircuitState.Open"/> stays reported
    /// until the first call after the break duration probes the server (Polly's semantics).
    /// For <c>/health/ready</c> and metrics.</summary>
    public IReadOnlyDictionary<string, CircuitState> BreakerStates =>
        _entries.Where(e => e.Value.IsValueCreated)
            .ToDictionary(e => e.Key, e => e.Value.Value.State.CircuitState, StringComparer.Ordinal);

    /// <summary>The circuit state for one server, or null when it was never called.</summary>
    public CircuitState? BreakerState(Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        return _entries.TryGetValue(AuthorityOf(url), out var e) && e.IsValueCreated ? e.Value.State.CircuitState : null;
    }

    /// <summary>The pipeline for <paramref name="url"/>'s authority, built on first use.</summary>
    /// <exception cref="FhirServerLimitException">More than <see cref="FhirClientOptions.MaxServers"/> distinct servers.</exception>
    public ResiliencePipeline<HttpResponseMessage> For(Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        var key = AuthorityOf(url);
        if (!_entries.TryGetValue(key, out var entry))
        {
            if (_entries.Count >= _options.MaxServers) throw new FhirServerLimitException(_options.MaxServers);
            entry = _entries.GetOrAdd(key, k => new Lazy<Entry>(() => Build(k), LazyThreadSafetyMode.ExecutionAndPublication));
        }
        return entry.Value.Pipeline;
    }

    /// <summary>The key of a server: lower-case <c>scheme://host:port</c>, without user info, path or query.</summary>
    public static string AuthorityOf(Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (!url.IsAbsoluteUri) throw new ArgumentException("An absolute URL is required.", nameof(url));
        return $"{url.Scheme.ToLowerInvariant()}://{url.IdnHost.ToLowerInvariant()}:{url.Port}";
    }

    private sealed record Entry(ResiliencePipeline<HttpResponseMessage> Pipeline, CircuitBreakerStateProvider State);

    private Entry Build(string authority)
    {
        var o = _options;
        var state = new CircuitBreakerStateProvider();
        var builder = new ResiliencePipelineBuilder<HttpResponseMessage>
        {
            Name = "cartcds-fhir",
            InstanceName = authority,
            TimeProvider = _timeProvider,
        };

        builder.AddTimeout(new TimeoutStrategyOptions { Name = "total-deadline", Timeout = o.TotalDeadline });

        if (o.MaxRetries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                Name = "retry",
                MaxRetryAttempts = o.MaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = o.RetryUseJitter,
                Delay = o.RetryBaseDelay,
                MaxDelay = o.RetryMaxDelay,
                ShouldHandle = args => ValueTask.FromResult(ShouldRetry(args)),
                DelayGenerator = args => ValueTask.FromResult(o.HonourRetryAfter && RetryAfter(args.Outcome) is { } wait ? WaitFor(wait) : (TimeSpan?)null),
            });
        }

        builder.AddCircuitBreaker(new CircuitBreakerStrategyOptions<HttpResponseMessage>
        {
            Name = "circuit-breaker",
            FailureRatio = o.BreakerFailureRatio,
            MinimumThroughput = o.BreakerMinimumThroughput,
            SamplingDuration = o.BreakerSamplingDuration,
            BreakDuration = o.BreakerBreakDuration,
            StateProvider = state,
            ShouldHandle = args => ValueTask.FromResult(IsTransient(args.Outcome)),
        });

        builder.AddTimeout(new TimeoutStrategyOptions { Name = "attempt-timeout", Timeout = o.AttemptTimeout });

        return new Entry(builder.Build(), state);
    }

    /// <summary>A failure worth retrying and counting against the server: 408, 429, 5xx, a
    /// transport error, or an attempt that timed out. Not: cancellation by the caller, a body too
    /// large, a 4xx that says the request itself is wrong.</summary>
    internal static bool IsTransient(Outcome<HttpResponseMessage> outcome) => outcome.Exception switch
    {
        null => outcome.Result is { } r && IsTransient(r.StatusCode),
        HttpRequestException or IOException or TimeoutRejectedException => true,
        _ => false,
    };

    internal static bool IsTransient(HttpStatusCode status) =>
        status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests || (int)status >= 500;

    private bool ShouldRetry(RetryPredicateArguments<HttpResponseMessage> args)
    {
        if (!IsTransient(args.Outcome)) return false;
        if (!args.Context.Properties.TryGetValue(CallStateKey, out var call)) return true;
        if (!call.IsRetryable) return false;

        // Never start a wait that ends past the deadline: give the caller the real failure now
        // instead of a timeout later.
        var remaining = _options.TotalDeadline - _timeProvider.GetElapsedTime(call.StartTimestamp);
        var wait = _options.HonourRetryAfter ? RetryAfter(args.Outcome) : null;
        if (wait is { } retryAfter)
        {
            if (WaitFor(retryAfter) >= remaining)
            {
                call.RetryAfterBeyondDeadline = retryAfter;
                return false;
            }
            return true;
        }
        var expected = _options.RetryBaseDelay * Math.Pow(2, Math.Min(args.AttemptNumber, 16));
        if (expected > _options.RetryMaxDelay) expected = _options.RetryMaxDelay;
        return expected < remaining;
    }

    /// <summary>The server's <c>Retry-After</c> (delta seconds or HTTP date, against the injected
    /// clock), or null when it sent none.</summary>
    private TimeSpan? RetryAfter(Outcome<HttpResponseMessage> outcome)
    {
        if (outcome.Result?.Headers.RetryAfter is not { } header) return null;
        TimeSpan wait;
        if (header.Delta is { } delta) wait = delta;
        else if (header.Date is { } date) wait = date - _timeProvider.GetUtcNow();
        else return null;
        return wait <= TimeSpan.Zero ? TimeSpan.Zero : wait;
    }

    /// <summary>The wait before retrying after a <c>Retry-After</c> of <paramref name="retryAfter"/>.</summary>
    private static TimeSpan WaitFor(TimeSpan retryAfter) => retryAfter > TimeSpan.Zero ? retryAfter + RetryAfterMargin : TimeSpan.Zero;

    /// <summary>Added to a server's <c>Retry-After</c>: timers may fire a few milliseconds early
    /// (coarse clocks), and a retry must not arrive before the time the server named.</summary>
    internal static readonly TimeSpan RetryAfterMargin = TimeSpan.FromMilliseconds(25);
}

/// <summary>What the pipeline's predicates need to know about the call they run (kept in the
/// Polly context's properties by <see cref="FhirResilienceHandler"/>).</summary>
internal sealed class FhirCallState(bool isRetryable, long startTimestamp)
{
    private int _attempts;

    /// <summary>GET, HEAD, or POST to <c>…/_search</c>.</summary>
    public bool IsRetryable { get; } = isRetryable;

    /// <summary><see cref="TimeProvider.GetTimestamp"/> when the call started.</summary>
    public long StartTimestamp { get; } = startTimestamp;

    /// <summary>HTTP attempts started.</summary>
    public int Attempts => Volatile.Read(ref _attempts);

    /// <summary>Set when the server asked to wait longer than the deadline allows.</summary>
    public TimeSpan? RetryAfterBeyondDeadline { get; set; }

    public void AttemptStarted() => Interlocked.Increment(ref _attempts);
}

/// <summary>Thrown when a call names more distinct FHIR servers than <see cref="FhirClientOptions.MaxServers"/>.</summary>
public sealed class FhirServerLimitException : Exception
{
    public FhirServerLimitException() : base("Too many distinct FHIR servers.") { }

    public FhirServerLimitException(string message) : base(message) { }

    public FhirServerLimitException(string message, Exception innerException) : base(message, innerException) { }

    internal FhirServerLimitException(int limit) : base($"More than {limit} distinct FHIR servers were called; refusing a new one.") { }
}
