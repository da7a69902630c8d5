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
    private readonly Channel<GroupWrite> _queue;
    private readonly Thread _loop;
    private volatile bool _closing;
    private readonly ManualResetEventSlim _wake = new(false, spinCount: 0);
    private readonly Action _wakeLoop;
    private bool _lastBatchFailed; // the writer loop's own

    // Touched only by the writer loop, one batch at a time (on PostgreSQL a batch's awaits may resume
    // on a pool thread while the loop's thread waits for it, never alongside it).
    private DbConnection? _connection;
    private readonly Dictionary<string, DbCommand> _commands = new(StringComparer.Ordinal);
    private readonly System.Buffers.ArrayBufferWriter<byte> _jsonBuffer = new(1024);
    private readonly System.Text.Json.Utf8JsonWriter _json;

    /// <param name="db">The database.</param>
    /// <param name="options">Its <see cref="StorageOptions.MaxQueuedHookWrites"/> bounds the writes
    /// waiting, so that a database that is down or frozen holds a bounded amount of memory.</param>
    public GroupCommit(StorageDatabase db, StorageOptions options)
    {
        _db = db;
        _json = FindingsJson.NewWriter(_jsonBuffer);
        _wakeLoop = _wake.Set;
        // AllowSynchronousContinuations: the only continuation is the writer loop's blocking wait, so a write
        // handed in wakes the loop's thread directly instead of through a thread-pool work item (one hop less
        // per idle loop; ServiceCommand under strace -f). Writers never wait (TryWrite), so none of their code runs inline.
        _queue = Channel.CreateBounded<GroupWrite>(new BoundedChannelOptions(options.MaxQueuedHookWrites)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
            AllowSynchronousContinuations = true,
        });
        // A thread of its own: SQLite's commands run synchronously (its async API is sync underneath),
        // so a commit's fsync would otherwise hold one of the few thread-pool threads the requests need.
        _loop = new Thread(Run) { IsBackground = true, Name = "CarTCds group commit" };
        _loop.Start();
    }

    /// <summary>Runs <paramref name="write"/> in a transaction shared with concurrent writes; its task
    /// completes once that transaction is committed (one object per write: no closure, no separate
    /// completion source). With <see cref="StorageOptions.MaxQueuedHookWrites"/> writes already waiting
    /// (the database down or frozen), fails at once with <see cref="StorageUnavailableException"/>: the
    /// write is dropped.</summary>
    /// <returns><paramref name="write"/>'s task: done once committed, faulted when dropped or failed.</returns>
    public Task WriteAsync(GroupWrite write)
    {
        ArgumentNullException.ThrowIfNull(write);
        if (_queue.Writer.TryWrite(write)) return write.Task;
        write.Failed(_closing
            ? new ObjectDisposedException(nameof(GroupCommit), "The storage is shutting down.")
            : new StorageUnavailableException("The database write queue is full: the database is down or not keeping up; this write is dropped.",
                new InvalidOperationException("queue full")));
        return write.Task;
    }

    /// <summary>Inside a write: the loop connection's command for <paramref name="sql"/>, prepared
    /// once and reused by later batches with its parameters (declared once by <paramref name="declare"/>,
    /// in the order the caller sets them by index) and <paramref name="transaction"/> set. Do not
    /// dispose it. Only for the connection a write is given.</summary>
    public DbCommand Command(DbConnection connection, DbTransaction transaction, string sql, Action<DbCommand> declare)
    {
        if (!ReferenceEquals(connection, _connection)) throw new InvalidOperationException("GroupCommit.Command is only for the connection a write is given.");
        if (!_commands.TryGetValue(sql, out var command))
        {
            command = connection.CreateCommand();
            command.CommandText = sql;
            declare(command);
            _commands.Add(sql, command);
        }
        command.Transaction = transaction;
        return command;
    }

    /// <summary>Inside a write: a JSON writer over a buffer reused by every write of the loop (writes
    /// run one at a time), reset and empty; read what was written with <see cref="JsonText"/>.</summary>
    public System.Text.Json.Utf8JsonWriter Json()
    {
        _jsonBuffer.ResetWrittenCount();
        _json.Reset(_jsonBuffer);
        return _json;
    }

    /// <summary>What <see cref="Json"/>'s writer wrote, as text (flushed first).</summary>
    public string JsonText()
    {
        _json.Flush();
        return System.Text.Encoding.UTF8.GetString(_jsonBuffer.WrittenSpan);
    }

    // Blocking waits are deliberate: this is the loop's own thread, not a pool thread.
    private void Run()
    {
        var batch = new List<GroupWrite>(MaxBatch);
        try
        {
            while (WaitForWrites())
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

    // True once a write is queued, false once the queue is closed and empty. An idle loop sleeps on an
    // event that does not spin first (a task's blocking wait spins, yielding the CPU again and again, on
    // every wait for the next hook call: ServiceCommand under strace), and is woken by the write itself
    // (AllowSynchronousContinuations above): no thread-pool work item between a hook call and its commit.
    private bool WaitForWrites() => Block(_queue.Reader.WaitToReadAsync());

    // The await pattern by hand (consumed once: OnCompleted, then GetResult), blocking without spinning.
    private bool Block(ValueTask<bool> task)
    {
        var waiting = task.ConfigureAwait(false).GetAwaiter();
        if (!waiting.IsCompleted)
        {
            _wake.Reset();
            waiting.UnsafeOnCompleted(_wakeLoop);
            _wake.Wait();
        }
        return waiting.GetResult();
    }

    private async Task CommitAsync(List<GroupWrite> batch)
    {
        if (_closing && _lastBatchFailed)
        {
            // Shutting down with the database failing: do not spend a timeout per batch on what is left.
            var gone = new StorageUnavailableException("The service stopped while the database was failing: this write is dropped.", new OperationCanceledException());
            foreach (var pending in batch) pending.Failed(gone);
            return;
        }
        List<GroupWrite> ok;
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
            foreach (var pending in batch) pending.Failed(ex);
            return;
        }
        _lastBatchFailed = false;
        foreach (var pending in ok) pending.Committed();
    }

    // Every write, no savepoints; null (rolled back) when one of them throws.
    private async Task<List<GroupWrite>?> TryAllAtOnceAsync(List<GroupWrite> batch)
    {
        var transaction = await _db.BeginWriteAsync(_connection!, CancellationToken.None).ConfigureAwait(false);
        await using (transaction.ConfigureAwait(false))
        {
            foreach (var pending in batch)
            {
                try
                {
                    await pending.RunAsync(this, _connection!, transaction).ConfigureAwait(false);
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
                    pending.Failed(ex);
                    return [];
                }
            }
            await transaction.CommitAsync(CancellationToken.None).ConfigureAwait(false);
        }
        return batch;
    }

    private async Task<List<GroupWrite>> EachUnderSavepointAsync(List<GroupWrite> batch)
    {
        var ok = new List<GroupWrite>(batch.Count);
        var transaction = await _db.BeginWriteAsync(_connection!, CancellationToken.None).ConfigureAwait(false);
        await using (transaction.ConfigureAwait(false))
        {
            foreach (var pending in batch)
            {
                await transaction.SaveAsync("w").ConfigureAwait(false);
                try
                {
                    await pending.RunAsync(this, _connection!, transaction).ConfigureAwait(false);
                    await transaction.ReleaseAsync("w").ConfigureAwait(false);
                    ok.Add(pending);
                }
                catch (Exception ex)
                {
                    await transaction.RollbackAsync("w").ConfigureAwait(false);
                    pending.Failed(ex);
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
        _wake.Dispose();
        return ValueTask.CompletedTask;
    }
}

/// <summary>One write handed to <see cref="GroupCommit"/>, and its completion (committed, or the
/// exception that dropped it); continuations run asynchronously, never on the writer loop.</summary>
internal abstract class GroupWrite() : TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)
{
    /// <summary>Commands on <paramref name="connection"/> in <paramref name="transaction"/>; must not
    /// commit. May run twice (rolled back the first time) when another write of its batch fails, so it
    /// does nothing but database commands. Runs on the writer loop, one write at a time.</summary>
    public abstract Task RunAsync(GroupCommit group, DbConnection connection, DbTransaction transaction);

    private int _ended;

    /// <summary>Its transaction committed: <see cref="OnCommitted"/>, then the task completes. Only the first end counts.</summary>
    public void Committed()
    {
        if (Interlocked.Exchange(ref _ended, 1) != 0) return;
        OnCommitted();
        TrySetResult();
    }

    /// <summary>Dropped, rolled back or its commit failed: <see cref="OnFailed"/>, then the task faults. Only the first end counts
    /// (a write rolled back under its savepoint, then its batch's commit failing, is one failure).</summary>
    public void Failed(Exception error)
    {
        if (Interlocked.Exchange(ref _ended, 1) != 0) return;
        OnFailed(error);
        TrySetException(error);
    }

    /// <summary>On the writer loop (keep it short), before the task completes.</summary>
    protected virtual void OnCommitted()
    {
    }

    /// <summary>On the writer loop, or the caller's thread when the queue is full (keep it short), before the task faults.</summary>
    protected virtual void OnFailed(Exception error)
    {
    }
}
