using System.Data.Common;
using System.Threading.Channels;

namespace CarTCds.Service.Storage;

/// <summary>Group commit for the per-hook writes (issued cards, audit record): writes handed in while
/// a commit is under way are collected and committed together in the next transaction, so
/// concurrent hook calls share one durable commit (one fsync on SQLite's <c>synchronous=FULL</c>)
/// instead of queueing for one each. Each caller still returns only once its own rows are
/// committed: durability is unchanged, only the number of commits falls.</summary>
/// <remarks>
/// One writer loop. Every write runs under its own savepoint: a write that throws is rolled back
/// alone and its caller gets the exception, the others commit. When the commit itself fails, every
/// caller of that batch gets the exception. A lone write is committed at once (no waiting for
/// company), so a quiet service pays one commit per write, as before. Measured effect: tests/load.
/// </remarks>
internal sealed class GroupCommit : IAsyncDisposable
{
    /// <summary>Most writes in one transaction; the rest wait for the next one.</summary>
    internal const int MaxBatch = 256;

    private readonly StorageDatabase _db;
    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Thread _loop;

    public GroupCommit(StorageDatabase db)
    {
        _db = db;
        // A thread of its own: SQLite's commands run synchronously (its async API is sync underneath),
        // so a commit's fsync would otherwise hold one of the few thread-pool threads the requests need.
        _loop = new Thread(Run) { IsBackground = true, Name = "CarTCds group commit" };
        _loop.Start();
    }

    /// <summary>Runs <paramref name="write"/> in a transaction shared with concurrent writes and
    /// returns once that transaction is committed.</summary>
    /// <param name="write">Commands on the given connection and transaction; must not commit.</param>
    public Task WriteAsync(Func<DbConnection, DbTransaction, Task> write)
    {
        var pending = new Pending(write, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!_queue.Writer.TryWrite(pending)) throw new ObjectDisposedException(nameof(GroupCommit), "The storage is shutting down.");
        return pending.Done.Task;
    }

    // Blocking waits are deliberate: this is the loop's own thread, not a pool thread.
    private void Run()
    {
        var batch = new List<Pending>(MaxBatch);
        while (_queue.Reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
        {
            batch.Clear();
            while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var next)) batch.Add(next);
            CommitAsync(batch).GetAwaiter().GetResult();
        }
    }

    private async Task CommitAsync(List<Pending> batch)
    {
        var ok = new List<Pending>(batch.Count);
        try
        {
            var connection = await _db.OpenAsync(CancellationToken.None).ConfigureAwait(false);
            await using (connection.ConfigureAwait(false))
            {
                var transaction = await _db.BeginWriteAsync(connection, CancellationToken.None).ConfigureAwait(false);
                await using (transaction.ConfigureAwait(false))
                {
                    foreach (var pending in batch)
                    {
                        await transaction.SaveAsync("w").ConfigureAwait(false);
                        try
                        {
                            await pending.Write(connection, transaction).ConfigureAwait(false);
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
            }
        }
        catch (Exception ex)
        {
            foreach (var pending in batch) pending.Done.TrySetException(ex);
            return;
        }
        foreach (var pending in ok) pending.Done.TrySetResult();
    }

    public ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        // Writes already handed in are committed before the database is closed.
        _loop.Join();
        return ValueTask.CompletedTask;
    }

    private sealed record Pending(Func<DbConnection, DbTransaction, Task> Write, TaskCompletionSource Done);
}
