using System.Data.Common;
using System.Globalization;
using Microsoft.Data.Sqlite;

namespace CarTCds.Service.Storage;

/// <summary>The embedded SQLite file. Every connection runs <c>synchronous=FULL</c>: in WAL mode
/// that syncs the log at each commit, so a write the service has acknowledged survives a crash
/// of the process and of the machine (NORMAL, SQLite's WAL default, may lose the last commits on
/// power loss). The file is created on first run with mode 0600 on Unix: it holds clinicians'
/// comments, which may name patients.</summary>
internal sealed class SqliteStorageDatabase : StorageDatabase
{
    private const string TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'";
    private readonly string _connectionString;

    /// <param name="fullPath">The database file.</param>
    /// <param name="commandTimeout">How long a command waits for another writer's lock (busy timeout); default 5 s.</param>
    /// <param name="migrationTimeout">The same for the set-up and migrations at start-up; default 5 min.</param>
    public SqliteStorageDatabase(string fullPath, TimeSpan? commandTimeout = null, TimeSpan? migrationTimeout = null) : base(commandTimeout, migrationTimeout)
    {
        FullPath = fullPath;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = fullPath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            DefaultTimeout = CommandTimeoutSeconds,
        }.ToString();
    }

    // Microsoft.Data.Sqlite's async calls run synchronously: a write waiting on another
    // connection's lock holds its thread for the busy timeout.
    protected override bool RunsSynchronously => true;

    /// <summary>The absolute path of the database file.</summary>
    public string FullPath { get; }

    public override StorageProvider Provider => StorageProvider.Sqlite;

    public override string Location => FullPath;

    public override string IdentityColumn => "INTEGER PRIMARY KEY AUTOINCREMENT";

    public override string TimestampColumn => "TEXT";

    public override string JsonColumn => "TEXT";

    public override string BooleanColumn => "INTEGER";

    public override string RealColumn => "REAL";

    protected override async Task PrepareAsync(CancellationToken cancellationToken)
    {
        if (Path.GetDirectoryName(FullPath) is { Length: > 0 } dir) Directory.CreateDirectory(dir);
        if (!File.Exists(FullPath))
        {
            var create = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows()) create.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            try
            {
                await using var _ = new FileStream(FullPath, create);
            }
            catch (IOException) when (File.Exists(FullPath))
            {
                // Another process created it first: fine.
            }
        }

        // Entering WAL waits for the locks of another process (one migrating, one holding a write):
        // a start-up wait, bounded by MigrationTimeout.
        var connection = await OpenForMigrationAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var wal = connection.CreateCommand();
            wal.CommandTimeout = MigrationSeconds;
            wal.CommandText = "PRAGMA journal_mode=WAL;";
            var mode = Convert.ToString(await wal.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
            if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidOperationException($"SQLite database {FullPath} could not be put in WAL mode (journal_mode is '{mode}'); " +
                    "put it on a local file system or use CarTCds:Storage:Provider=PostgreSql.");
            }
        }
    }

    public override async ValueTask<DbConnection> OpenRawAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            using var pragma = connection.CreateCommand();
            pragma.CommandText = $"PRAGMA synchronous=FULL; PRAGMA busy_timeout={(long)CommandTimeout.TotalMilliseconds};";
            await pragma.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public override async Task LimitWaitsAsync(DbConnection connection, TimeSpan wait, CancellationToken cancellationToken)
    {
        using var pragma = connection.CreateCommand();
        pragma.CommandText = $"PRAGMA busy_timeout={(long)wait.TotalMilliseconds};";
        // Microsoft.Data.Sqlite also retries a busy statement until the command's own timeout.
        pragma.CommandTimeout = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
        await pragma.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public override ValueTask<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken) =>
        ValueTask.FromResult<DbTransaction>(((SqliteConnection)connection).BeginTransaction(deferred: false));

    public override Task LockForMigrationAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken) =>
        Task.CompletedTask; // BEGIN IMMEDIATE already holds the database's write lock.

    public override void AddTimestamp(DbCommand command, string name, DateTimeOffset value) => Add(command, name, TimestampValue(value));

    public override object TimestampValue(DateTimeOffset value) => value.UtcDateTime.ToString(TimestampFormat, CultureInfo.InvariantCulture);

    public override DateTimeOffset ReadTimestamp(DbDataReader reader, int ordinal) =>
        DateTimeOffset.ParseExact(reader.GetString(ordinal), TimestampFormat, CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);

    public override void AddJson(DbCommand command, string name, string? json) => Add(command, name, json);

    protected override ValueTask ReleaseAsync()
    {
        // Release this file's pooled connections so it can be moved or deleted after shutdown.
        using var connection = new SqliteConnection(_connectionString);
        SqliteConnection.ClearPool(connection);
        return ValueTask.CompletedTask;
    }
}
