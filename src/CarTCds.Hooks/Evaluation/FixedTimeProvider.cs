namespace CarTCds.Hooks.Evaluation;

/// <summary>A clock stopped at one instant: for <c>--now</c>, <c>CarTCds:Now</c> (tests and the
/// sandbox only) and tests.</summary>
public sealed class FixedTimeProvider(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now.ToUniversalTime();
}
