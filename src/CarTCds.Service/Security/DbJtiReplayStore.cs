using System.Data.Common;
using CarTCds.Service.Storage;

namespace CarTCds.Service.Security;

/// <summary>An <see cref="IJtiReplayStore"/> in the service's database (table <c>used_jti</c>):
/// with PostgreSQL every replica sees every accepted token id, and with SQLite the record
/// survives a restart. Registered by <c>AddCarTCdsStorage</c> in place of the in-memory store.</summary>
/// <remarks>One atomic statement per token: insert (issuer, jti), or take over a row whose
/// <c>keep_until</c> has passed; a live row means a replay. Expired rows are deleted at most once per
/// <see cref="PurgeEvery"/>. When the database cannot be reached the token is neither accepted nor
/// called a replay: <see cref="JtiStoreUnavailableException"/> lets the caller answer 503.</remarks>
internal sealed class DbJtiReplayStore(StorageDatabase db, TimeProvider time) : IJtiReplayStore
{
    /// <summary>How often expired rows are deleted (default 5 minutes).</summary>
    public static readonly TimeSpan PurgeEvery = TimeSpan.FromMinutes(5);

    private long _lastPurgeTicks = long.MinValue;

    public async ValueTask<bool> TryMarkUsedAsync(string issuer, string jti, DateTimeOffset keepUntil, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        try
        {
            var connection = await db.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using (connection.ConfigureAwait(false))
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
                db.AddTimestamp(mark, "keepUntil", keepUntil);
                db.AddTimestamp(mark, "now", now);
                return await mark.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
            }
        }
        catch (DbException ex)
        {
            throw new JtiStoreUnavailableException($"The jti replay store ({db.Provider}) could not be reached: {ex.GetType().Name}", ex);
        }
    }

    private async Task PurgeIfDueAsync(DbConnection connection, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var last = Interlocked.Read(ref _lastPurgeTicks);
        if (last != long.MinValue && now.UtcTicks - last < PurgeEvery.Ticks) return;
        // One caller purges; the others go on.
        if (Interlocked.CompareExchange(ref _lastPurgeTicks, now.UtcTicks, last) != last) return;
        using var purge = connection.CreateCommand();
        purge.CommandText = "DELETE FROM used_jti WHERE keep_until <= @now";
        db.AddTimestamp(purge, "now", now);
        await purge.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}

/// <summary>The <c>jti</c> store could not say whether a token was used before: the request is
/// answered 503 (neither accepted nor refused as a replay).</summary>
public sealed class JtiStoreUnavailableException(string message, Exception inner) : Exception(message, inner);
