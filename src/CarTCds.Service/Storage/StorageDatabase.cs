using System.Data.Common;

namespace CarTCds.Service.Storage;

/// <summary>The one database of the service (feedback, issued cards, audit trail), reached with
/// plain ADO.NET. Each provider supplies its connections and the few places where the SQL
/// dialects differ (identity columns, timestamps, JSON, the migration lock); every query is
/// otherwise the same text on SQLite and PostgreSQL.</summary>
/// <remarks>The schema is migrated once, before the first connection is handed out: at start-up by
/// <see cref="StorageStartup"/> (so a broken database stops the service), and again lazily if a
/// store is used before the host has started.</remarks>
internal abstract class StorageDatabase : IAsyncDisposable
{
    private readonly SemaphoreSlim _migrateLock = new(1, 1);
    private volatile bool _ready;

    /// <param name="commandTimeout">Longest one operation may take (<see cref="StorageOptions.CommandTimeout"/>; default 5 s).</param>
    /// <param name="migrationTimeout">Longest start-up waits per step (<see cref="StorageOptions.MigrationTimeout"/>; default 5 min).</param>
    protected StorageDatabase(TimeSpan? commandTimeout, TimeSpan? migrationTimeout)
    {
        var defaults = new StorageOptions();
        CommandTimeout = commandTimeout ?? defaults.CommandTimeout;
        MigrationTimeout = migrationTimeout ?? defaults.MigrationTimeout;
    }

    /// <summary>Longest one operation may take: every connection of this database is opened with it
    /// as its command (and connect, busy) timeout; <see cref="RunAsync"/> bounds a whole operation.</summary>
    public TimeSpan CommandTimeout { get; }

    /// <summary><see cref="CommandTimeout"/> in whole seconds, at least 1, as the drivers take it.</summary>
    protected int CommandTimeoutSeconds => Math.Max(1, (int)Math.Ceiling(CommandTimeout.TotalSeconds));

    /// <summary>Longest the schema's set-up and migration wait per step (connect, statement, lock):
    /// <see cref="StorageOptions.MigrationTimeout"/>. Only connections from <see cref="OpenForMigrationAsync"/> have it.</summary>
    public TimeSpan MigrationTimeout { get; }

    /// <summary><see cref="MigrationTimeout"/> in whole seconds, at least 1, as the drivers take it.</summary>
    public int MigrationSeconds => Math.Max(1, (int)Math.Ceiling(MigrationTimeout.TotalSeconds));

    /// <summary>True when the provider's "async" calls run synchronously (SQLite): <see cref="RunAsync"/>
    /// then runs the operation on the thread pool, so that its caller is free at the deadline.</summary>
    protected virtual bool RunsSynchronously => false;

    public abstract StorageProvider Provider { get; }

    /// <summary>Where the data is, for logs: a file path, or host/port/database/user. Never a password.</summary>
    public abstract string Location { get; }

    /// <summary>The schema version this build writes after migrating.</summary>
    public int SchemaVersion => StorageMigrations.Latest;

    /// <summary>Column type of an auto-numbered primary key.</summary>
    public abstract string IdentityColumn { get; }

    /// <summary>Column type of an instant (UTC).</summary>
    public abstract string TimestampColumn { get; }

    /// <summary>Column type of a JSON document.</summary>
    public abstract string JsonColumn { get; }

    /// <summary>Column type of a flag.</summary>
    public abstract string BooleanColumn { get; }

    /// <summary>Column type of a floating-point number.</summary>
    public abstract string RealColumn { get; }

    /// <summary>A connection ready for use, after the schema is current.</summary>
    public async ValueTask<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        if (!_ready) await MigrateAsync(cancellationToken).ConfigureAwait(false);
        return await OpenRawAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs <paramref name="work"/> on a connection of its own and returns its result, or
    /// throws <see cref="StorageUnavailableException"/> when the database fails or has not answered
    /// within <paramref name="timeout"/> — whatever the driver does: a frozen server or a held lock
    /// cannot keep the caller past the deadline (the abandoned call is cancelled and ends in the
    /// background). Cancellation by <paramref name="cancellationToken"/> is thrown as such.</summary>
    /// <param name="work">Database commands only; the connection is disposed afterwards.</param>
    /// <param name="timeout">The deadline, from now: opening the connection included.</param>
    /// <param name="cancellationToken">The caller's own cancellation (a client gone).</param>
    public async Task<T> RunAsync<T>(Func<DbConnection, CancellationToken, Task<T>> work, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        var token = deadline.Token;
        var task = RunsSynchronously ? Task.Run(() => OnConnectionAsync(work, timeout, token), token) : OnConnectionAsync(work, timeout, token);
        try
        {
            return await task.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested && ex is not StorageUnavailableException)
        {
            // Still running (SQLite waiting on a lock, a server that does not answer): observe its end.
            if (!task.IsCompleted) _ = task.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            throw ex is TimeoutException or OperationCanceledException
                ? new StorageUnavailableException($"The {Provider} database did not answer within {timeout.TotalMilliseconds:0} ms.", ex)
                : new StorageUnavailableException($"The {Provider} database failed: {ex.GetType().Name}.", ex);
        }
    }

    private async Task<T> OnConnectionAsync<T>(Func<DbConnection, CancellationToken, Task<T>> work, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            await LimitWaitsAsync(connection, timeout, cancellationToken).ConfigureAwait(false);
            return await work(connection, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Sets how long commands on <paramref name="connection"/> wait for a lock before failing
    /// (SQLite's busy timeout; PostgreSQL commands are cancelled by the token instead).</summary>
    public virtual Task LimitWaitsAsync(DbConnection connection, TimeSpan wait, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>A transaction that holds the write lock from its start (SQLite: <c>BEGIN IMMEDIATE</c>),
    /// so concurrent writers queue instead of failing on lock upgrade.</summary>
    public virtual ValueTask<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken) =>
        connection.BeginTransactionAsync(cancellationToken);

    /// <summary>Creates or migrates the schema; idempotent and safe against other processes doing the same.</summary>
    /// <returns>The versions applied now (empty when the schema was already current).</returns>
    public async Task<IReadOnlyList<int>> MigrateAsync(CancellationToken cancellationToken)
    {
        await _migrateLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_ready) return [];
            await PrepareAsync(cancellationToken).ConfigureAwait(false);
            var applied = await StorageMigrations.ApplyAsync(this, cancellationToken).ConfigureAwait(false);
            _ready = true;
            return applied;
        }
        finally
        {
            _migrateLock.Release();
        }
    }

    /// <summary>After the migrations at start-up: leaves one hook-path connection open in the pool (PostgreSQL;
    /// the migrations' own connection is not pooled), so that the first call after start-up does not pay a
    /// fresh connect on a server still busy with the start-up. One try, bounded by <see cref="CommandTimeout"/>.</summary>
    /// <returns>False when it could not (not fatal: the hook path has its own outage handling).</returns>
    public virtual Task<bool> WarmUpAsync(CancellationToken cancellationToken) => Task.FromResult(true);

    /// <summary>Provider set-up before migrating (SQLite: the file, its mode, WAL).</summary>
    protected virtual Task PrepareAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Serialises migrations across processes, inside <paramref name="transaction"/>.</summary>
    public abstract Task LockForMigrationAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken);

    /// <summary>A connection with the provider's per-connection settings, without waiting for the schema.
    /// Its connect and lock waits are bounded by <see cref="CommandTimeout"/>: the hook path's.</summary>
    public abstract ValueTask<DbConnection> OpenRawAsync(CancellationToken cancellationToken);

    /// <summary>A connection for the provider's set-up and the migrations (at start-up, or before a store's
    /// first use): connecting and waiting for locks bounded by <see cref="MigrationTimeout"/>, not
    /// <see cref="CommandTimeout"/> (a loaded server's first connection may take longer than a hook may wait).</summary>
    public virtual async ValueTask<DbConnection> OpenForMigrationAsync(CancellationToken cancellationToken)
    {
        var connection = await OpenRawAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await LimitWaitsAsync(connection, MigrationTimeout, cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public abstract void AddTimestamp(DbCommand command, string name, DateTimeOffset value);

    /// <summary>An instant as a parameter declared by <see cref="AddTimestamp"/> takes it (for a reused command).</summary>
    public abstract object TimestampValue(DateTimeOffset value);

    public abstract DateTimeOffset ReadTimestamp(DbDataReader reader, int ordinal);

    public abstract void AddJson(DbCommand command, string name, string? json);

    public static void Add(DbCommand command, string name, object? value)
    {
        var p = command.CreateParameter();
        p.ParameterName = name;
        p.Value = value ?? DBNull.Value;
        command.Parameters.Add(p);
    }

    public static string? ReadString(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    public virtual async ValueTask DisposeAsync()
    {
        _migrateLock.Dispose();
        await ReleaseAsync().ConfigureAwait(false);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases the provider's connections.</summary>
    protected abstract ValueTask ReleaseAsync();
}

/// <summary>The database failed an operation or did not answer in time (<see cref="StorageDatabase.RunAsync"/>):
/// nothing of the operation can be assumed done. The message names the provider, never the
/// connection string.</summary>
public sealed class StorageUnavailableException(string message, Exception inner) : DbException(message, inner);
