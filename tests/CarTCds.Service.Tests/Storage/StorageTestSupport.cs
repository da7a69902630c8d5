using System.Collections.Concurrent;
using CarTCds.Service.CdsServices;
using CarTCds.Service.Feedback;
using CarTCds.Service.Hosting;
using CarTCds.Service.Security;
using CarTCds.Service.Storage;
using CarTCds.Service.Tests.TestSupport;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace CarTCds.Service.Tests.Storage;

/// <summary>A SQLite file of its own (<see cref="Path.GetTempFileName"/>: unique, never a fixed
/// name), deleted with its WAL and shared-memory files at the end.</summary>
public sealed class TempSqliteFile : IDisposable, IAsyncDisposable
{
    public string Path { get; } = System.IO.Path.GetTempFileName();

    public IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["CarTCds:Storage:Provider"] = "Sqlite",
        ["CarTCds:Storage:Sqlite:Path"] = Path,
    };

    /// <summary>The database file and its WAL, as bytes (to look for what must not be there).</summary>
    public byte[] RawBytes() =>
        [.. File.ReadAllBytes(Path), .. File.Exists(Path + "-wal") ? File.ReadAllBytes(Path + "-wal") : []];

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        foreach (var p in new[] { Path, Path + "-wal", Path + "-shm", Path + "-journal" })
        {
            try { File.Delete(p); } catch (IOException) { }
        }
    }
}

/// <summary>The PostgreSQL server the tests run against: <c>CARTCDS_TEST_POSTGRES</c>, an Npgsql
/// connection string (.ci/run installs Debian's postgresql, starts it on 127.0.0.1 and exports it).
/// Missing → the test fails saying so; it is never skipped.</summary>
public static class TestPostgres
{
    public const string Variable = "CARTCDS_TEST_POSTGRES";

    public static string RequireConnectionString()
    {
        var cs = Environment.GetEnvironmentVariable(Variable);
        var where = Environment.GetEnvironmentVariable("CI") == "true" ? "CI=true: .ci/run must start PostgreSQL and export it" : "not in CI";
        Assert.False(string.IsNullOrWhiteSpace(cs),
            $"{Variable} is not set ({where}). The PostgreSQL tests need a real server: apt-get install -y postgresql; " +
            "pg_ctlcluster <version> main start (listening on 127.0.0.1); create a role and database; then " +
            $"export {Variable}='Host=127.0.0.1;Port=5432;Username=cartcds;Password=…;Database=cartcds_test'.");
        return cs!;
    }
}

/// <summary>A schema of its own on the test PostgreSQL server (tables land in the first schema of
/// the search path), dropped at the end: runs in parallel never see each other's rows.</summary>
public sealed class TempPostgresSchema : IAsyncDisposable
{
    private readonly string _server;

    private TempPostgresSchema(string server, string schema)
    {
        _server = server;
        Schema = schema;
        ConnectionString = new NpgsqlConnectionStringBuilder(server) { SearchPath = schema }.ConnectionString;
    }

    public string Schema { get; }

    public string ConnectionString { get; }

    public IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["CarTCds:Storage:Provider"] = "PostgreSql",
        ["CarTCds:Storage:PostgreSql:ConnectionString"] = ConnectionString,
    };

    public static async Task<TempPostgresSchema> CreateAsync()
    {
        var server = TestPostgres.RequireConnectionString();
        var schema = "cartcds_test_" + Guid.NewGuid().ToString("N");
        await using var connection = new NpgsqlConnection(server);
        await connection.OpenAsync();
        await using var create = new NpgsqlCommand($"CREATE SCHEMA {schema}", connection);
        await create.ExecuteNonQueryAsync();
        return new TempPostgresSchema(server, schema);
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(_server);
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP SCHEMA IF EXISTS {Schema} CASCADE", connection);
        await drop.ExecuteNonQueryAsync();
    }
}

/// <summary>Every log line a host wrote, formatted, with its category and level.</summary>
public sealed class CapturedLogs : ILoggerProvider
{
    public ConcurrentQueue<(string Category, LogLevel Level, string Message)> Lines { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public string All => string.Join("\n", Lines.Select(l => $"{l.Level} {l.Category}: {l.Message}"));

    public void Dispose() { }

    private sealed class Logger(CapturedLogs owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner.Lines.Enqueue((category, logLevel, formatter(state, exception) + (exception is null ? "" : " | " + exception)));
    }
}

/// <summary>A host composed as Program composes it once storage is wired (AddCarTCds +
/// AddCarTCdsStorage; hooks, feedback and the admin summary mapped), on an in-memory test server,
/// with the evaluation time fixed. Disposing it is the "crash-free" half of a restart: a new one
/// on the same settings is the service starting again.</summary>
public sealed class StorageHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private StorageHost(WebApplication app, CapturedLogs logs)
    {
        _app = app;
        Logs = logs;
        Client = app.GetTestClient();
    }

    public HttpClient Client { get; }

    public IServiceProvider Services => _app.Services;

    public CapturedLogs Logs { get; }

    public IFeedbackStore Feedback => Services.GetRequiredService<IFeedbackStore>();

    public ICardRegistry Cards => Services.GetRequiredService<ICardRegistry>();

    /// <param name="settings">Configuration.</param>
    /// <param name="salt">CarTCds:Audit:PatientIdSalt, when set.</param>
    /// <param name="logs">Where the host's log lines go (to read them after a start that failed); a new one when null.</param>
    public static async Task<StorageHost> StartAsync(IReadOnlyDictionary<string, string?> settings, string? salt = null, CapturedLogs? logs = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing", ContentRootPath = AppContext.BaseDirectory });
        builder.WebHost.UseTestServer();
        var all = new Dictionary<string, string?>(settings) { ["CarTCds:Now"] = CarTCdsWebApplicationFactory.FixedNow };
        if (salt is not null) all["CarTCds:Audit:PatientIdSalt"] = salt;
        builder.Configuration.AddInMemoryCollection(all);
        logs ??= new CapturedLogs();
        builder.Logging.ClearProviders().AddProvider(logs).SetMinimumLevel(LogLevel.Information);
        builder.AddCarTCds();
        builder.AddCdsHooksSecurity(); // "Testing": authentication off, as in Development
        builder.AddCarTCdsStorage();

        var app = builder.Build();
        app.UseOperationOutcomeErrors();
        app.UseCdsHooksSecurity();
        app.MapCdsServices();
        app.MapFeedback();
        app.MapFeedbackAdmin();
        try
        {
            await app.StartAsync();
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
        return new StorageHost(app, logs);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>Feedback bodies as an EHR writes them.</summary>
public static class FeedbackJson
{
    public const string ReasonSystem = "http://cartcds.org/fhir/CodeSystem/cartcds-override-reason";

    public static string Accepted(string card, string suggestion = "e56e1945-20b3-4393-8503-a1a20fd73152", string at = "2013-05-19T12:05:00Z") => $$"""
        {"card":"{{card}}","outcome":"accepted","acceptedSuggestions":[{"id":"{{suggestion}}"}],"outcomeTimestamp":"{{at}}"}
        """;

    public static string Overridden(string card, string? reasonCode = null, string? comment = null, string at = "2013-05-19T12:06:00+02:00")
    {
        var parts = new List<string>();
        if (reasonCode is not null) parts.Add("\"reason\":{\"system\":\"" + ReasonSystem + "\",\"code\":\"" + reasonCode + "\",\"display\":\"" + reasonCode + " shown\"}");
        if (comment is not null) parts.Add("\"userComment\":\"" + comment + "\"");
        var overrideReason = parts.Count == 0 ? "" : ",\"overrideReason\":{" + string.Join(",", parts) + "}";
        return "{\"card\":\"" + card + "\",\"outcome\":\"overridden\"" + overrideReason + ",\"outcomeTimestamp\":\"" + at + "\"}";
    }

    public static string Body(params string[] entries) => $$"""{"feedback":[{{string.Join(",", entries)}}]}""";
}
