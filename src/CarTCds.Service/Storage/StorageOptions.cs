namespace CarTCds.Service.Storage;

/// <summary>Where feedback, the issued-card registry and the audit trail are kept.</summary>
public enum StorageProvider
{
    /// <summary>An embedded SQLite file (default): created on first run, WAL, <c>synchronous=FULL</c>.</summary>
    Sqlite,

    /// <summary>A PostgreSQL server (Npgsql): for several replicas sharing one registry and trail.</summary>
    PostgreSql,
}

/// <summary>Configuration section <c>CarTCds:Storage</c>.</summary>
/// <remarks>
/// <list type="bullet">
/// <item><c>CarTCds:Storage:Provider</c>: <c>Sqlite</c> (default) or <c>PostgreSql</c>.</item>
/// <item><c>CarTCds:Storage:Sqlite:Path</c>: the database file; default <c>cartcds.db</c>. A
/// relative path is taken from the content root (the working directory of <c>dotnet CarTCds.Service.dll</c>).
/// Its folder is created when missing; the file is created on first run, readable by the service's
/// user only.</item>
/// <item><c>CarTCds:Storage:PostgreSql:ConnectionString</c>: an Npgsql connection string; required
/// with <c>Provider=PostgreSql</c>. Tables go in the first schema of its <c>Search Path</c>.</item>
/// <item><c>CarTCds:Storage:MigrationTimeout</c>: how long start-up waits for the database (below).</item>
/// <item><c>CarTCds:Storage:CommandTimeout</c>, <c>ReplayCheckTimeout</c>, <c>HookWriteWait</c>,
/// <c>ReplayStoreUnavailable</c>, <c>OutageRetryAfter</c>, <c>MaxQueuedHookWrites</c>: what a database that is
/// down or frozen may cost a request (below).</item>
/// </list>
/// The schema is created or migrated at start-up (table <c>schema_migrations</c>); a database
/// written by a newer build stops the service rather than being written by an older one.
/// </remarks>
public sealed class StorageOptions
{
    public const string Section = "CarTCds:Storage";

    /// <summary>Value of <see cref="ReplayStoreUnavailable"/>: check tokens in this replica's memory while the database does not answer (default).</summary>
    public const string FailOpenToMemory = "fail-open-to-memory";

    /// <summary>Value of <see cref="ReplayStoreUnavailable"/>: answer 503 while the database does not answer.</summary>
    public const string FailClosed = "fail-closed";

    public StorageProvider Provider { get; set; } = StorageProvider.Sqlite;

    public SqliteStorageOptions Sqlite { get; set; } = new();

    public PostgreSqlStorageOptions PostgreSql { get; set; } = new();

    /// <summary>Longest any one database operation may take (opening a connection included): a
    /// PostgreSQL command and connect timeout, SQLite's busy timeout. Past it the operation fails
    /// as "database unavailable" (feedback: 503). Default 5 s; 1 s to 5 min (whole seconds are
    /// what the drivers take). Start-up (connect and migrations) is allowed <see cref="MigrationTimeout"/> instead.</summary>
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Longest the CDS Hooks token's <c>jti</c> replay check waits for the database before
    /// <see cref="ReplayStoreUnavailable"/> applies. Default 1 s; 100 ms to <see cref="CommandTimeout"/>.</summary>
    public TimeSpan ReplayCheckTimeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>What a hook call gets when the replay store does not answer:
    /// <c>fail-open-to-memory</c> (default) checks the token in this replica's memory (replays to
    /// this replica still refused; a replay to another replica is not seen), readiness Degraded, a
    /// metric and one warning; <c>fail-closed</c> answers 503 with an OperationOutcome.</summary>
    public string ReplayStoreUnavailable { get; set; } = FailOpenToMemory;

    /// <summary>After the database failed a replay check, how long checks skip it (so a frozen
    /// database costs one <see cref="ReplayCheckTimeout"/>, not one per call). Default 5 s; 1 s to 5 min.</summary>
    public TimeSpan OutageRetryAfter { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Longest a hook answer waits for its audit record and card registration to be
    /// committed; past it the cards go out and the writes go on in the background. Default 1 s;
    /// 0 (never wait) to <see cref="CommandTimeout"/>.</summary>
    public TimeSpan HookWriteWait { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Most hook writes (audit records, card registrations) waiting for the database;
    /// more are dropped and counted (<c>cartcds.storage.hook_writes.lost</c>). Default 10,000; 100 to 1,000,000.</summary>
    public int MaxQueuedHookWrites { get; set; } = 10_000;

    /// <summary>Longest start-up waits for the database, per step: opening the connection (PostgreSQL
    /// connect timeout), each migration statement, the migration lock another replica may hold, and
    /// SQLite's wait for a write lock held by another process. Not <see cref="CommandTimeout"/>: a
    /// loaded server's first connection, or an index built on a large table, may take longer than a
    /// hook may wait. A database that is down (connection refused, file unopenable) fails start-up at
    /// once; one that does not answer fails it after this long. Either way the service logs one
    /// Critical line naming the database and stops. Default 5 min; <see cref="CommandTimeout"/> to 15 min.</summary>
    public TimeSpan MigrationTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>True when <see cref="ReplayStoreUnavailable"/> is <c>fail-closed</c>.</summary>
    public bool ReplayFailsClosed => string.Equals(ReplayStoreUnavailable, FailClosed, StringComparison.OrdinalIgnoreCase);

    /// <summary>Checks every setting; throws naming the first one that is out of range.</summary>
    /// <exception cref="InvalidOperationException">A setting is out of range.</exception>
    public void Validate()
    {
        static void Require(bool ok, string key, string range)
        {
            if (!ok) throw new InvalidOperationException($"{Section}:{key} must be {range}.");
        }
        Require(CommandTimeout >= TimeSpan.FromSeconds(1) && CommandTimeout <= TimeSpan.FromMinutes(5), nameof(CommandTimeout), "between 00:00:01 and 00:05:00");
        Require(MigrationTimeout >= CommandTimeout && MigrationTimeout <= TimeSpan.FromMinutes(15), nameof(MigrationTimeout),
            $"between {Section}:CommandTimeout and 00:15:00");
        Require(ReplayCheckTimeout >= TimeSpan.FromMilliseconds(100) && ReplayCheckTimeout <= CommandTimeout, nameof(ReplayCheckTimeout),
            $"between 00:00:00.1 and {Section}:CommandTimeout");
        Require(HookWriteWait >= TimeSpan.Zero && HookWriteWait <= CommandTimeout, nameof(HookWriteWait), $"between 00:00:00 and {Section}:CommandTimeout");
        Require(OutageRetryAfter >= TimeSpan.FromSeconds(1) && OutageRetryAfter <= TimeSpan.FromMinutes(5), nameof(OutageRetryAfter), "between 00:00:01 and 00:05:00");
        Require(MaxQueuedHookWrites is >= 100 and <= 1_000_000, nameof(MaxQueuedHookWrites), "between 100 and 1000000");
        Require(ReplayFailsClosed || string.Equals(ReplayStoreUnavailable, FailOpenToMemory, StringComparison.OrdinalIgnoreCase), nameof(ReplayStoreUnavailable),
            $"{FailOpenToMemory} or {FailClosed}");
    }
}

/// <summary><c>CarTCds:Storage:Sqlite</c>.</summary>
public sealed class SqliteStorageOptions
{
    public const string DefaultFileName = "cartcds.db";

    /// <summary>The database file; relative paths are taken from the content root. Default <c>cartcds.db</c>.</summary>
    public string Path { get; set; } = DefaultFileName;
}

/// <summary><c>CarTCds:Storage:PostgreSql</c>.</summary>
public sealed class PostgreSqlStorageOptions
{
    /// <summary>Npgsql connection string. Never logged (it may hold a password).</summary>
    public string? ConnectionString { get; set; }
}
