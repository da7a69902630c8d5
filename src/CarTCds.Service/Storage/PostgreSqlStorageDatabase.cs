using System.Data.Common;
using Npgsql;
using NpgsqlTypes;

namespace CarTCds.Service.Storage;

/// <summary>A PostgreSQL server through one pooled <see cref="NpgsqlDataSource"/>. Several
/// replicas may share it: migrations take an advisory lock, so only one of them migrates.</summary>
internal sealed class PostgreSqlStorageDatabase : StorageDatabase
{
    /// <summary>Advisory lock key for migrations ("CART" in ASCII).</summary>
    private const long MigrationLockKey = 0x43415254;

    private readonly NpgsqlDataSource _dataSource;

    /// <summary>Connections for start-up (set-up and migrations): connect and command timeout
    /// <see cref="StorageDatabase.MigrationTimeout"/>; not pooled (used once).</summary>
    private readonly NpgsqlDataSource _migrationSource;

    /// <param name="connectionString">Npgsql connection string; never logged.</param>
    /// <param name="commandTimeout">Connect and command timeout (default 5 s); overrides the string's own.</param>
    /// <param name="migrationTimeout">Connect and command timeout of the migrations at start-up (default 5 min).</param>
    public PostgreSqlStorageDatabase(string connectionString, TimeSpan? commandTimeout = null, TimeSpan? migrationTimeout = null)
        : base(commandTimeout, migrationTimeout)
    {
        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (ArgumentException ex)
        {
            // The message of a parse failure never repeats the string (it may hold a password).
            throw new InvalidOperationException($"{StorageOptions.Section}:PostgreSql:ConnectionString cannot be parsed: {ex.GetType().Name}.", ex);
        }
        Location = $"postgresql://{builder.Username}@{builder.Host}:{builder.Port}/{builder.Database}"
            + (string.IsNullOrEmpty(builder.SearchPath) ? "" : $" (search path {builder.SearchPath})");
        // A server that is down or frozen fails each connect and command within the timeout, not Npgsql's 15 s / 30 s.
        builder.Timeout = CommandTimeoutSeconds;
        builder.CommandTimeout = CommandTimeoutSeconds;
        _dataSource = NpgsqlDataSource.Create(builder.ConnectionString);
        // Start-up is not a hook: a loaded server's first connection may take longer than CommandTimeout
        // (a test's 1 s once failed start-up this way), and it is bounded by MigrationTimeout instead.
        builder.Timeout = MigrationSeconds;
        builder.CommandTimeout = MigrationSeconds;
        builder.Pooling = false;
        _migrationSource = NpgsqlDataSource.Create(builder.ConnectionString);
    }

    public override StorageProvider Provider => StorageProvider.PostgreSql;

    public override string Location { get; }

    public override string IdentityColumn => "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY";

    public override string TimestampColumn => "TIMESTAMPTZ";

    public override string JsonColumn => "JSONB";

    public override string BooleanColumn => "BOOLEAN";

    public override string RealColumn => "DOUBLE PRECISION";

    public override async ValueTask<DbConnection> OpenRawAsync(CancellationToken cancellationToken) =>
        await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);

    public override async ValueTask<DbConnection> OpenForMigrationAsync(CancellationToken cancellationToken) =>
        await _migrationSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);

    public override async Task<bool> WarmUpAsync(CancellationToken cancellationToken)
    {
        try
        {
            var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await connection.DisposeAsync().ConfigureAwait(false); // back to the pool, open
            return true;
        }
        catch (NpgsqlException)
        {
            return false;
        }
    }

    public override async Task LockForMigrationAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT pg_advisory_xact_lock(@key)";
        command.CommandTimeout = MigrationSeconds;
        Add(command, "key", MigrationLockKey);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public override void AddTimestamp(DbCommand command, string name, DateTimeOffset value) =>
        command.Parameters.Add(new NpgsqlParameter(name, NpgsqlDbType.TimestampTz) { Value = TimestampValue(value) });

    public override object TimestampValue(DateTimeOffset value) => value.ToUniversalTime();

    public override DateTimeOffset ReadTimestamp(DbDataReader reader, int ordinal) => reader.GetFieldValue<DateTimeOffset>(ordinal);

    public override void AddJson(DbCommand command, string name, string? json) =>
        command.Parameters.Add(new NpgsqlParameter(name, NpgsqlDbType.Jsonb) { Value = (object?)json ?? DBNull.Value });

    protected override async ValueTask ReleaseAsync()
    {
        await _migrationSource.DisposeAsync().ConfigureAwait(false);
        await _dataSource.DisposeAsync().ConfigureAwait(false);
    }
}
