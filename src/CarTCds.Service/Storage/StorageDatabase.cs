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

    /// <summary>Provider set-up before migrating (SQLite: the file, its mode, WAL).</summary>
    protected virtual Task PrepareAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Serialises migrations across processes, inside <paramref name="transaction"/>.</summary>
    public abstract Task LockForMigrationAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken);

    /// <summary>A connection with the provider's per-connection settings, without waiting for the schema.</summary>
    public abstract ValueTask<DbConnection> OpenRawAsync(CancellationToken cancellationToken);

    public abstract void AddTimestamp(DbCommand command, string name, DateTimeOffset value);

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
