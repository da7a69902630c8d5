using CarTCds.Service.Telemetry;
using Microsoft.Extensions.Options;

namespace CarTCds.Service.Hosting;

/// <summary>Admission control on request bodies (<c>CarTCds:Admission</c>; docs/ARCHITECTURE.md "Memory under load").</summary>
public sealed class RequestBodyAdmissionOptions
{
    public const string Section = "CarTCds:Admission";

    /// <summary>Most bytes of request bodies (hook, feedback) being read, parsed and evaluated at
    /// once, in bytes. Default 16 MiB. A body is counted from its first byte (its Content-Length, or
    /// as it arrives) until its answer is sent, because the parsed request costs memory until then:
    /// one 10 MB hook body (30,000 Observations) took the service to ~220 MB RSS. Over the budget the
    /// call is answered 503 with <c>Retry-After</c>; a body that arrives while no other is in flight is
    /// always admitted (up to <see cref="CarTCdsOptions.MaxRequestBodyBytes"/>), so one large chart is
    /// never refused on an idle replica. Must be at least 1 MiB.</summary>
    public long MaxBufferedBodyBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>What <c>Retry-After</c> tells a refused caller, in whole seconds. Default 1 s (a big
    /// body is read, parsed and answered in well under a second on 2 cores). 1–60.</summary>
    public int RetryAfterSeconds { get; set; } = 1;
}

/// <summary>Counts the bytes of request bodies in flight and refuses one that would take the total
/// over <see cref="RequestBodyAdmissionOptions.MaxBufferedBodyBytes"/>: under concurrent big charts the
/// service answers some calls 503 instead of running out of memory (8 simultaneous 10 MB requests
/// under a 192 MiB heap limit killed it). Every refusal is counted (<see cref="AdmissionMetrics"/>,
/// <c>cartcds.admission.refused</c>); the log warns at most once per 10 s.</summary>
public sealed class RequestBodyAdmission(IOptions<RequestBodyAdmissionOptions> options, TimeProvider time, ILogger<RequestBodyAdmission> log,
    AdmissionMetrics metrics)
{
    private static readonly TimeSpan WarnEvery = TimeSpan.FromSeconds(10);
    private long _inFlight;
    private long _refusedSinceWarning;
    private long _lastWarningTimestamp = long.MinValue;

    /// <summary>Bytes of bodies admitted and not yet answered.</summary>
    public long InFlightBytes => Interlocked.Read(ref _inFlight);

    /// <summary>The configured budget, in bytes.</summary>
    public long Budget => options.Value.MaxBufferedBodyBytes;

    /// <summary>Seconds a refused caller is told to wait.</summary>
    public int RetryAfterSeconds => options.Value.RetryAfterSeconds;

    /// <summary>A lease of <paramref name="bytes"/>, or null when admitting it would exceed the budget
    /// while another body is in flight.</summary>
    public Lease? TryAdmit(long bytes)
    {
        var lease = new Lease(this);
        return lease.TryGrowTo(bytes) ? lease : null;
    }

    private bool TryReserve(long held, long more)
    {
        while (true)
        {
            var current = Interlocked.Read(ref _inFlight);
            // Alone (nothing in flight but this lease's own bytes), a body is always admitted.
            if (current + more > Budget && current != held)
            {
                Refused();
                return false;
            }
            if (Interlocked.CompareExchange(ref _inFlight, current + more, current) == current) return true;
        }
    }

    private void Release(long bytes) => Interlocked.Add(ref _inFlight, -bytes);

    // One Warning line per 10 s at most, with the count: a flood of refusals must not flood the log.
    private void Refused()
    {
        metrics.Refused();
        var refused = Interlocked.Increment(ref _refusedSinceWarning);
        var now = time.GetTimestamp();
        var last = Interlocked.Read(ref _lastWarningTimestamp);
        if (last != long.MinValue && time.GetElapsedTime(last, now) < WarnEvery) return;
        if (Interlocked.CompareExchange(ref _lastWarningTimestamp, now, last) != last) return;
        Interlocked.Add(ref _refusedSinceWarning, -refused);
        log.LogWarning("Request bodies refused with 503: {Refused} since the last warning; {InFlight} bytes in flight, budget {Budget} bytes (CarTCds:Admission:MaxBufferedBodyBytes)",
            refused, InFlightBytes, Budget);
    }

    /// <summary>Bytes held for one request; <see cref="Dispose"/> gives them back (once).</summary>
    public sealed class Lease(RequestBodyAdmission owner) : IDisposable
    {
        private long _held;

        /// <summary>Bytes this lease holds.</summary>
        public long Held => Interlocked.Read(ref _held);

        /// <summary>Holds <paramref name="total"/> bytes in all (no change when it already holds as
        /// many); false, holding what it held, when the budget refuses the rest.</summary>
        public bool TryGrowTo(long total)
        {
            var held = Held;
            if (total <= held) return true;
            if (!owner.TryReserve(held, total - held)) return false;
            Interlocked.Add(ref _held, total - held);
            return true;
        }

        public void Dispose()
        {
            var held = Interlocked.Exchange(ref _held, 0);
            if (held > 0) owner.Release(held);
        }
    }
}
