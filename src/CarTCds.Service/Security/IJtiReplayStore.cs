using System.Collections.Concurrent;

namespace CarTCds.Service.Security;

/// <summary>Remembers the <c>jti</c> of every accepted CDS Hooks token so that a token is
/// accepted once (CDS Hooks 2.0: the service SHOULD refuse a replayed <c>jti</c>).</summary>
/// <remarks>The service registers <see cref="DbJtiReplayStore"/> (its database: shared by every
/// replica on one PostgreSQL, kept across restarts on SQLite; per replica in memory while the
/// database does not answer, unless <c>CarTCds:Storage:ReplayStoreUnavailable=fail-closed</c>).
/// <see cref="InMemoryJtiReplayStore"/> is what <c>AddCdsHooksSecurity()</c> alone registers (a
/// host without storage): per process only.</remarks>
public interface IJtiReplayStore
{
    /// <summary>Records (<paramref name="issuer"/>, <paramref name="jti"/>) until
    /// <paramref name="keepUntil"/>. Returns <c>false</c> when it was already recorded and has not
    /// expired: the token is a replay. Must be atomic across concurrent callers.</summary>
    ValueTask<bool> TryMarkUsedAsync(string issuer, string jti, DateTimeOffset keepUntil, CancellationToken cancellationToken);
}

/// <summary>A process-local <see cref="IJtiReplayStore"/>: fine for one replica; see the remarks
/// on <see cref="IJtiReplayStore"/> for more. Expired entries are purged as new ones arrive; at
/// most <see cref="MaxEntries"/> are kept (beyond that new tokens are refused rather than
/// remembered badly).</summary>
public sealed class InMemoryJtiReplayStore(TimeProvider time) : IJtiReplayStore
{
    public const int MaxEntries = 1_000_000;
    private static readonly TimeSpan PurgeEvery = TimeSpan.FromMinutes(1);
    private readonly ConcurrentDictionary<(string Issuer, string Jti), DateTimeOffset> _seen = new();
    private readonly Lock _purgeLock = new();
    private DateTimeOffset _lastPurge = DateTimeOffset.MinValue;

    public int Count => _seen.Count;

    public ValueTask<bool> TryMarkUsedAsync(string issuer, string jti, DateTimeOffset keepUntil, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        PurgeIfDue(now);
        var key = (issuer, jti);
        while (true)
        {
            if (_seen.TryGetValue(key, out var until))
            {
                if (until > now) return ValueTask.FromResult(false);
                // Expired: take it over, unless another caller just did.
                if (_seen.TryUpdate(key, keepUntil, until)) return ValueTask.FromResult(true);
                continue;
            }
            if (_seen.Count >= MaxEntries) return ValueTask.FromResult(false);
            if (_seen.TryAdd(key, keepUntil)) return ValueTask.FromResult(true);
        }
    }

    /// <summary>True when (<paramref name="issuer"/>, <paramref name="jti"/>) is recorded and has not
    /// expired; records nothing.</summary>
    public bool IsRecorded(string issuer, string jti)
    {
        var now = time.GetUtcNow();
        PurgeIfDue(now);
        return _seen.TryGetValue((issuer, jti), out var until) && until > now;
    }

    private void PurgeIfDue(DateTimeOffset now)
    {
        if (now - _lastPurge < PurgeEvery) return;
        lock (_purgeLock)
        {
            if (now - _lastPurge < PurgeEvery) return;
            _lastPurge = now;
            foreach (var entry in _seen)
            {
                if (entry.Value <= now) _seen.TryRemove(entry);
            }
        }
    }
}
