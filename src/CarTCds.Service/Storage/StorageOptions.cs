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
/// </list>
/// The schema is created or migrated at start-up (table <c>schema_migrations</c>); a database
/// written by a newer build stops the service rather than being written by an older one.
/// </remarks>
public sealed class StorageOptions
{
    public const string Section = "CarTCds:Storage";

    public StorageProvider Provider { get; set; } = StorageProvider.Sqlite;

    public SqliteStorageOptions Sqlite { get; set; } = new();

    public PostgreSqlStorageOptions PostgreSql { get; set; } = new();
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
