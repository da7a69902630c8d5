using System.Diagnostics;

namespace CarTCds.Fhir.Tests.Client;

/// <summary>A fake clock for the tests: real time flows (Kestrel, sockets and timers need it), and
/// <see cref="Advance"/> jumps the clock forward at once, e.g. past a circuit breaker's break
/// duration. Timers are the system's (the base class's), so a timeout still takes real time.</summary>
internal sealed class ManualTimeProvider : TimeProvider
{
    private long _offsetTicks;

    public TimeSpan Offset => TimeSpan.FromTicks(Interlocked.Read(ref _offsetTicks));

    public override DateTimeOffset GetUtcNow() => TimeProvider.System.GetUtcNow() + Offset;

    public override long TimestampFrequency => Stopwatch.Frequency;

    public override long GetTimestamp() =>
        Stopwatch.GetTimestamp() + (long)(Offset.Ticks * (Stopwatch.Frequency / (double)TimeSpan.TicksPerSecond));

    public void Advance(TimeSpan by)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(by, TimeSpan.Zero);
        Interlocked.Add(ref _offsetTicks, by.Ticks);
    }
}
