using Microsoft.Extensions.Time.Testing;

namespace CarTCds.Fhir.Tests.Client;

/// <summary>Moves a <see cref="FakeTimeProvider"/> forward while a call on a real socket is in
/// flight, so the call's deadlines, retry waits and Retry-After run on fake time: the test asserts
/// how much fake time passed, which a loaded machine cannot change.</summary>
internal static class FakeClockDriver
{
    /// <summary>Real time a call may take once fake time has stopped at its limit: only a hang reaches it.</summary>
    public static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(30);

    /// <summary>Advances <paramref name="time"/> by <paramref name="step"/> (yielding between steps)
    /// until <paramref name="call"/> ends or <paramref name="limit"/> of fake time has passed, then
    /// waits for the call (at most <see cref="HangGuard"/> real time).</summary>
    /// <param name="startWhen">Fake time stands still until this is true (e.g. the server has seen the
    /// first request), so that the timers under test exist before the clock moves: a timer created
    /// after the clock moved would be due later than the limit.</param>
    public static async Task<T> RunAsync<T>(this FakeTimeProvider time, Task<T> call, TimeSpan step, TimeSpan limit, Func<bool>? startWhen = null)
    {
        while (startWhen is not null && !startWhen() && !call.IsCompleted) await Task.WhenAny(call, Task.Delay(2));
        var advanced = TimeSpan.Zero;
        while (!call.IsCompleted && advanced < limit)
        {
            var next = advanced + step > limit ? limit - advanced : step;
            time.Advance(next);
            advanced += next;
            await Task.WhenAny(call, Task.Delay(2));
        }
        return await call.WaitAsync(HangGuard);
    }
}
