using System.Data.Common;
using System.Threading.Channels;

namespace CarTCds.Service.Storage;

/// <summary>Group commit for the per-hook writes (issued cards, audit record): writes handed in while
/// a commit is under way are collected and committed together in the next transaction, so
/// concurrent hook calls share one durable commit (one fsync on SQLite's <c>synchronous=FULL</c>)
/// instead of queueing for one each. Each caller still returns only once its own rows are
/// committed: durability is unchanged, only the number of commits falls.</summary>
/// <remarks>
/// One writer loop, on one connection kept open between batches (replaced after a failed batch),
/// with its commands prepared once (<see cref="Command"/>): preparing the SQL and opening a
/// connection per batch cost more CPU than the inserts themselves (tests/load). A batch first runs
/// its writes straight through; only when one throws is the transaction rolled back and the batch
/// run again with a savepoint around each write, so that the failing write is rolled back alone and
/// its caller gets the exception while the others commit. When the commit itself fails, every
/// caller of that batch gets the exception. A lone write is committed at once (no waiting for
/// company), so a quiet service pays one commit per write, as before. Measured effect: tests/load.
/// </remarks>
internal sealed class GroupCommit : IAsyncDisposable
{
    /// <summary>Most writes in one transaction; the rest wait for the next one.</summary>
    internal const int MaxBatch = 256;

    private readonly StorageDatabase _db;
    private readonly Channel<Pending> _queue;
    private readonly Thread _loop;
    private volatile bool _closing;
    private bool _lastBatchFailed; // the writer loop's own

    // Touched only by the writer loop, one batch at a time (on PostgreSQL a batch's awaits may resume
    // on a pool thread while the loop's thread waits for it, never alongside it).
    private DbConnection? _connection;
    private readonly Dictionary<string, DbCommand> _commands = new(StringComparer.Ordinal);

    /// <param name="db">The database.</param>
    /// <param name="options">Its <see cref="StorageOptions.MaxQueuedHookWrites"/> bounds the writes
    /// waiting, so that a database that is down or frozen holds a bounded amount of memory.</param>
    public GroupCommit(StorageDatabase db, StorageOptions options)
    {
        _db = db;
        _queue = Channel.CreateBounded<Pending>(new BoundedChannelOptions(options.MaxQueuedHookWrites) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
        // A thread of its own: SQLite's commands run synchronously (its async API is sync underneath),
        // so a commit's fsync would otherwise hold one of the few thread-pool threads the requests need.
        _loop = new Thread(Run) { IsBackground = true, Name = "CarTCds group commit" };
        _loop.Start();
    }

    /// <summary>Runs <paramref name="write"/> in a transaction shared with concurrent writes and
    /// returns once that transaction is committed. With <see cref="StorageOptions.MaxQueuedHookWrites"/>
    /// writes already waiting (the database down or frozen), fails at once with
    /// <see cref="StorageUnavailableException"/>: the write is dropped.</summary>
    /// <param name="write">Commands on the given connection and transaction; must not commit. May
    /// run twice (rolled back the first time) when another write of its batch fails, so it must do
    /// nothing but database commands.</param>
    public Task WriteAsync(Func<DbConnection, DbTransaction, Task> write)
    {
        var pending = new Pending(write, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        if (_queue.Writer.TryWrite(pending)) return pending.Done.Task;
        if (_closing) throw new ObjectDisposedException(nameof(GroupCommit), "The storage is shutting down.");
        return Task.FromException(new StorageUnavailableException("The database write queue is full: the database is down or not keeping up; this write is dropped.",
            new InvalidOperationException("queue full")));
    }

    /// <summary>Inside a write: the loop connection's command for <paramref name="sql"/>, prepared
    /// once and reused by later batches, with its parameters cleared and <paramref name="transaction"/>
    /// set. Do not dispose it. Only for the connection a write is given.</summary>
    public DbCommand Command(DbConnection connection, DbTransaction transaction, string sql)
    {
        if (!ReferenceEquals(connection, _connection)) throw new InvalidOperationException("GroupCommit.Command is only for the connection a write is given.");
        if (!_commands.TryGetValue(sql, out var command))
        {
            command = connection.CreateCommand();
            command.CommandText = sql;
            _commands.Add(sql, command);
        }
        command.Parameters.Clear();
        command.Transaction = transaction;
        return command;
    }

    // Blocking waits are deliberate: this is the loop's own thread, not a pool thread.
    private void Run()
    {
        var batch = new List<Pending>(MaxBatch);
        try
        {
            while (_queue.Reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
            {
                batch.Clear();
                while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var next)) batch.Add(next);
                CommitAsync(batch).GetAwaiter().GetResult();
            }
        }
        finally
        {
            CloseConnectionAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    private async Task CommitAsync(List<Pending> batch)
    {
        if (_closing && _lastBatchFailed)
        {
            // Shutting down with the database failing: do not spend a timeout per batch on what is left.
            var gone = new StorageUnavailableException("The service stopped while the database was failing: this write is dropped.", new OperationCanceledException());
            foreach (var pending in batch) pending.Done.TrySetException(gone);
            return;
        }
        List<Pending> ok;
        try
        {
            _connection ??= await _db.OpenAsync(CancellationToken.None).ConfigureAwait(false);
            ok = await TryAllAtOnceAsync(batch).ConfigureAwait(false) ?? await EachUnderSavepointAsync(batch).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // The connection may be broken (server restarted, file gone): the next batch opens a new one.
            await CloseConnectionAsync().ConfigureAwait(false);
            _lastBatchFailed = true;
            foreach (var pending in batch) pending.Done.TrySetException(ex);
            return;
        }
        _lastBatchFailed = false;
        foreach (var pending in ok) pending.Done.TrySetResult();
    }

    // Every write, no savepoints; null (rolled back) when one of them throws.
    private async Task<List<Pending>?> TryAllAtOnceAsync(List<Pending> batch)
    {
        var transaction = await _db.BeginWriteAsync(_connection!, CancellationToken.None).ConfigureAwait(false);
        await using (transaction.ConfigureAwait(false))
        {
            foreach (var pending in batch)
            {
                try
                {
                    await pending.Write(_connection!, transaction).ConfigureAwait(false);
                }
                catch (Exception) when (batch.Count > 1)
                {
                    await transaction.RollbackAsync(CancellationToken.None).ConfigureAwait(false);
                    return null;
                }
                catch (Exception ex)
                {
                    // Alone in its batch: its failure is the batch's; nothing else to keep.
                    await transaction.RollbackAsync(CancellationToken.None).ConfigureAwait(false);
                    pending.Done.TrySetException(ex);
                    return [];
                }
            }
            await transaction.CommitAsync(CancellationToken.None).ConfigureAwait(false);
        }
        return batch;
    }

    private async Task<List<Pending>> EachUnderSavepointAsync(List<Pending> batch)
    {
        var ok = new List<Pending>(batch.Count);
        var transaction = await _db.BeginWriteAsync(_connection!, CancellationToken.None).ConfigureAwait(false);
        await using (transaction.ConfigureAwait(false))
        {
            foreach (var pending in batch)
            {
                await transaction.SaveAsync("w").ConfigureAwait(false);
                try
                {
                    await pending.Write(_connection!, transaction).ConfigureAwait(false);
                    await transaction.ReleaseAsync("w").ConfigureAwait(false);
                    ok.Add(pending);
                }
                catch (Exception ex)
                {
                    await transaction.RollbackAsync("w").ConfigureAwait(false);
                    pending.Done.TrySetException(ex);
                }
            }
            await transaction.CommitAsync(CancellationToken.None).ConfigureAwait(false);
        }
        return ok;
    }

    private async ValueTask CloseConnectionAsync()
    {
        foreach (var command in _commands.Values) await command.DisposeAsync().ConfigureAwait(false);
        _commands.Clear();
        if (_connection is { } connection)
        {
            _connection = null;
            await connection.DisposeAsync().ConfigureAwait(false);
        }
    }

    public ValueTask DisposeAsync()
    {
        _closing = true;
        _queue.Writer.TryComplete();
        // Writes already handed in are committed, and the loop's connection closed, before the database is.
        _loop.Join();
        return ValueTask.CompletedTask;
    }

    private sealed record Pending(Func<DbConnection, DbTransaction, Task> Write, TaskCompletionSource Done);
}
