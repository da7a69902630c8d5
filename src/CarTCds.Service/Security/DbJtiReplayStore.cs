using System.Data.Common;
using CarTCds.Service.Storage;
using CarTCds.Service.Telemetry;

namespace CarTCds.Service.Security;

/// <summary>An <see cref="IJtiReplayStore"/> in the service's database (table <c>used_jti</c>):
/// with PostgreSQL every replica sees every accepted token id, and with SQLite the record
/// survives a restart. Registered by <c>AddCarTCdsStorage</c> in place of the in-memory store.</summary>
/// <remarks>
/// One atomic statement per token: insert (issuer, jti), or take over a row whose
/// <c>keep_until</c> has passed; a live row means a replay. Expired rows are deleted at most once per
/// <see cref="PurgeEvery"/>.
/// <para>A database that fails or does not answer within <see cref="StorageOptions.ReplayCheckTimeout"/>
/// must not stop decision support (README "Reliability"): with <c>fail-open-to-memory</c> (default) the token is
/// checked in this replica's memory instead, so a replay to the same replica is still refused while
/// a replay to another replica, or of a token first accepted by the database, is not seen; readiness
/// turns Degraded, <c>cartcds.replay.fallback</c> counts each such token and the log warns once.
/// For <see cref="StorageOptions.OutageRetryAfter"/> after a failure the database is not asked (a
/// frozen server costs one timeout, not one per call). Tokens accepted in memory stay refused after
/// the database is back. With <c>fail-closed</c>, <see cref="JtiStoreUnavailableException"/> lets the
/// caller answer 503.</para>
/// </remarks>
internal sealed class DbJtiReplayStore : IJtiReplayStore
{
    /// <summary>How often expired rows are deleted (default 5 minutes).</summary>
    public static readonly TimeSpan PurgeEvery = TimeSpan.FromMinutes(5);

    private readonly StorageDatabase _db;
    private readonly TimeProvider _time;
    private readonly StorageOptions _options;
    private readonly StorageOutages? _outages;
    private readonly StorageMetrics? _metrics;
    private readonly InMemoryJtiReplayStore _memory;
    private long _lastPurgeTicks = long.MinValue;
    private long _skipDatabaseUntilTicks = long.MinValue;

    /// <param name="db">The service's database.</param>
    /// <param name="time">The clock of token validation.</param>
    /// <param name="options">Timeout, fallback and retry settings; defaults when null.</param>
    /// <param name="outages">Where a failing database is reported (readiness, one warning); none when null.</param>
    /// <param name="metrics">Where fallbacks are counted; none when null.</param>
    public DbJtiReplayStore(StorageDatabase db, TimeProvider time, StorageOptions? options = null, StorageOutages? outages = null, StorageMetrics? metrics = null)
    {
        _db = db;
        _time = time;
        _options = options ?? new StorageOptions();
        _outages = outages;
        _metrics = metrics;
        _memory = new InMemoryJtiReplayStore(time);
    }

    public async ValueTask<bool> TryMarkUsedAsync(string issuer, string jti, DateTimeOffset keepUntil, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        // Accepted in memory during an outage: the database never heard of it.
        if (_memory.Count > 0 && _memory.IsRecorded(issuer, jti)) return false;
        if (now.UtcTicks < Interlocked.Read(ref _skipDatabaseUntilTicks)) return await FallBackAsync(issuer, jti, keepUntil, null, cancellationToken).ConfigureAwait(false);
        try
        {
            var marked = await _db.RunAsync((connection, ct) => MarkAsync(connection, issuer, jti, keepUntil, now, ct), _options.ReplayCheckTimeout, cancellationToken)
                .ConfigureAwait(false);
            _outages?.ReplayChecks.Succeeded();
            return marked;
        }
        catch (DbException ex) when (!cancellationToken.IsCancellationRequested)
        {
            Interlocked.Exchange(ref _skipDatabaseUntilTicks, (now + _options.OutageRetryAfter).UtcTicks);
            _metrics?.Unavailable("replay-check");
            _outages?.ReplayChecks.Failed(ex);
            return await FallBackAsync(issuer, jti, keepUntil, ex, cancellationToken).ConfigureAwait(false);
        }
    }

    private async ValueTask<bool> FallBackAsync(string issuer, string jti, DateTimeOffset keepUntil, Exception? error, CancellationToken cancellationToken)
    {
        if (_options.ReplayFailsClosed)
        {
            throw new JtiStoreUnavailableException($"The jti replay store ({_db.Provider}) could not be reached" +
                (error is null ? " (recently failed; retried shortly)" : $": {error.GetType().Name}"), error ?? new TimeoutException());
        }
        _metrics?.ReplayFallback();
        return await _memory.TryMarkUsedAsync(issuer, jti, keepUntil, cancellationToken).ConfigureAwait(false);
    }

    private async Task<bool> MarkAsync(DbConnection connection, string issuer, string jti, DateTimeOffset keepUntil, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await PurgeIfDueAsync(connection, now, cancellationToken).ConfigureAwait(false);
        using var mark = connection.CreateCommand();
        // Both dialects: the row counts as written only when inserted or when an expired one is taken over.
        mark.CommandText = """
            INSERT INTO used_jti (issuer, jti, keep_until) VALUES (@issuer, @jti, @keepUntil)
            ON CONFLICT (issuer, jti) DO UPDATE SET keep_until = excluded.keep_until
            WHERE used_jti.keep_until <= @now
            """;
        StorageDatabase.Add(mark, "issuer", issuer);
        StorageDatabase.Add(mark, "jti", jti);
        _db.AddTimestamp(mark, "keepUntil", keepUntil);
        _db.AddTimestamp(mark, "now", now);
        return await mark.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    private async Task PurgeIfDueAsync(DbConnection connection, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var last = Interlocked.Read(ref _lastPurgeTicks);
        if (last != long.MinValue && now.UtcTicks - last < PurgeEvery.Ticks) return;
        // One caller purges; the others go on.
        if (Interlocked.CompareExchange(ref _lastPurgeTicks, now.UtcTicks, last) != last) return;
        using var purge = connection.CreateCommand();
        purge.CommandText = "DELETE FROM used_jti WHERE keep_until <= @now";
        _db.AddTimestamp(purge, "now", now);
        await purge.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}

/// <summary>The <c>jti</c> store could not say whether a token was used before (and
/// <c>CarTCds:Storage:ReplayStoreUnavailable</c> is <c>fail-closed</c>): the request is answered
/// 503 (neither accepted nor refused as a replay).</summary>
public sealed class JtiStoreUnavailableException(string message, Exception inner) : Exception(message, inner);
