using CarTCds.Service.Security;

namespace CarTCds.Service.Tests.Security;

public sealed class InMemoryJtiReplayStoreTests
{
    [Fact]
    public async Task GivenAJti_WhenSeenAgainBeforeItExpires_ThenRefused_AndAfterItExpires_ThenAcceptedAgain()
    {
        var clock = new ManualClock(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var store = new InMemoryJtiReplayStore(clock);
        var until = clock.GetUtcNow().AddHours(1);

        Assert.True(await store.TryMarkUsedAsync("iss", "jti-1", until, default));
        Assert.False(await store.TryMarkUsedAsync("iss", "jti-1", until, default));
        Assert.True(await store.TryMarkUsedAsync("other-iss", "jti-1", until, default));

        clock.Advance(TimeSpan.FromMinutes(59));
        Assert.False(await store.TryMarkUsedAsync("iss", "jti-1", until, default));

        clock.Advance(TimeSpan.FromMinutes(2));
        Assert.True(await store.TryMarkUsedAsync("iss", "jti-1", clock.GetUtcNow().AddHours(1), default));
    }

    [Fact]
    public async Task GivenManyCallersWithTheSameJti_WhenConcurrent_ThenExactlyOneIsAccepted()
    {
        var clock = new ManualClock(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var store = new InMemoryJtiReplayStore(clock);
        var until = clock.GetUtcNow().AddHours(1);

        var results = await Task.WhenAll(Enumerable.Range(0, 64).Select(_ => Task.Run(() => store.TryMarkUsedAsync("iss", "same", until, default).AsTask())));

        Assert.Equal(1, results.Count(r => r));
    }

    [Fact]
    public async Task GivenExpiredEntries_WhenTimePasses_ThenThey_ArePurged()
    {
        var clock = new ManualClock(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var store = new InMemoryJtiReplayStore(clock);
        for (var i = 0; i < 100; i++) await store.TryMarkUsedAsync("iss", $"jti-{i}", clock.GetUtcNow().AddMinutes(5), default);

        clock.Advance(TimeSpan.FromMinutes(10));
        await store.TryMarkUsedAsync("iss", "fresh", clock.GetUtcNow().AddMinutes(5), default);

        Assert.Equal(1, store.Count);
    }
}
