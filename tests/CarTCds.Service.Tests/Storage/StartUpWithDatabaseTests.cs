using System.Data.Common;
using CarTCds.Service.Audit;
using CarTCds.Service.Storage;
using CarTCds.Service.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace CarTCds.Service.Tests.Storage;

/// <summary>Start-up against a database that is slow, frozen or down. Start-up (connect, WAL, the
/// migrations) waits up to <c>MigrationTimeout</c>, never the hook path's <c>CommandTimeout</c>: CI
/// once failed to start a host because the first connection through a test passage took more than the
/// 1 s CommandTimeout the test had set. A database that is down stops start-up at once, one that does
/// not answer after MigrationTimeout; either way with one Critical line naming the database.</summary>
public sealed class StartUpWithDatabaseTests
{
    /// <summary>Hook-path limits short, as in the outage tests.</summary>
    private static Dictionary<string, string?> Fast(IReadOnlyDictionary<string, string?> database, string? migrationTimeout = null, string commandTimeout = "00:00:01")
    {
        var settings = new Dictionary<string, string?>(database)
        {
            ["CarTCds:Storage:CommandTimeout"] = commandTimeout,
            ["CarTCds:Storage:ReplayCheckTimeout"] = "00:00:00.5",
            ["CarTCds:Storage:HookWriteWait"] = "00:00:00.5",
        };
        if (migrationTimeout is not null) settings["CarTCds:Storage:MigrationTimeout"] = migrationTimeout;
        return settings;
    }

    /// <summary>Far beyond any start-up that does not wait for its timeout, far below the default
    /// MigrationTimeout (5 min): a start-up that waits for the wrong timeout fails the test, not hangs it.</summary>
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(90);

    [Theory]
    [InlineData("Sqlite")]
    [InlineData("PostgreSql")]
    public async Task GivenADatabaseAnsweringStartUpOnlyAfterMoreThanCommandTimeout_WhenTheServiceStarts_ThenItMigratesAndIsReady(string provider)
    {
        // Arrange: 2.5 s > CommandTimeout (1 s), ≪ MigrationTimeout (default 5 min).
        await using var db = await FaultyDatabase.CreateAsync(provider);
        var slow = await db.AnswerStartUpAfterAsync(TimeSpan.FromSeconds(2.5));

        // Act
        StorageHost host;
        await using (slow)
        {
            host = await StorageHost.StartAsync(Fast(db.Settings)).WaitAsync(Bound);
        }
        await using var started = host;

        // Assert
        var readiness = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(c => c.Tags.Contains("ready"));
        Assert.Equal(HealthStatus.Healthy, readiness.Entries["storage"].Status);
        Assert.Contains(host.Logs.Lines, l => l.Level == LogLevel.Information && l.Message.Contains("(migrated now: 1, 2, 3, 4, 5)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task GivenAStartedService_WhenAHookWriteMeetsAServerAnsweringNewConnectionsAfterMoreThanCommandTimeout_ThenItFailsAsUnavailableNotWaits()
    {
        // Arrange: start-up through an open passage; then new connections answer only after 12 s.
        // CommandTimeout 3 s, not 1 s: the connection held below is opened on the hook path too, and on a
        // loaded machine a fresh connect (TCP passage + authentication) has taken more than 1 s.
        await using var schema = await TempPostgresSchema.CreateAsync();
        var target = new NpgsqlConnectionStringBuilder(schema.ConnectionString);
        using var passage = new TcpPassage(target.Host!, target.Port);
        var settings = new Dictionary<string, string?>(schema.Settings)
        {
            ["CarTCds:Storage:PostgreSql:ConnectionString"] = new NpgsqlConnectionStringBuilder(schema.ConnectionString) { Host = "127.0.0.1", Port = passage.Port }.ConnectionString,
        };
        await using var host = await StorageHost.StartAsync(Fast(settings, commandTimeout: "00:00:03"));
        // The connection start-up left open in the pool, held here: the write needs a new one.
        await using var held = await host.Services.GetRequiredService<StorageDatabase>().OpenAsync(CancellationToken.None);
        passage.AnswerNewConnectionsAfter(TimeSpan.FromSeconds(12));

        // Act: the group commit's first write opens its first hook-path connection.
        var error = await Record.ExceptionAsync(() => host.Services.GetRequiredService<IAuditLog>().RecordAsync(new HookAuditRecord
        {
            OccurredAt = CarTCdsWebApplicationFactory.FixedInstant, ServiceId = "cart-toxicity", RuleSet = "cartcds@1.0.0", LatencyMs = 1, StatusCode = 200,
        }, CancellationToken.None).WaitAsync(Bound));

        // Assert: the hook path connects within CommandTimeout (3 s), not start-up's MigrationTimeout.
        Assert.IsAssignableFrom<DbException>(error);
        passage.AnswerNewConnectionsAfter(TimeSpan.Zero);
        Assert.Empty(await host.Services.GetRequiredService<IAuditLog>().ListAsync(null, 10, CancellationToken.None));
    }

    [Theory]
    [InlineData("Sqlite")]
    [InlineData("PostgreSql")]
    public async Task GivenTheDatabaseDownAtStartUp_WhenTheServiceStarts_ThenItStopsAtOnceWithOneCriticalLineNamingTheDatabase(string provider)
    {
        // Arrange: MigrationTimeout left at its 5 min: "down" must not wait for it.
        await using var db = await FaultyDatabase.CreateAsync(provider);
        var logs = new CapturedLogs();

        // Act
        Exception? error;
        await using (await db.StopAsync())
        {
            error = await Record.ExceptionAsync(() => StorageHost.StartAsync(Fast(db.Settings), logs: logs).WaitAsync(Bound));
        }

        // Assert
        Assert.NotNull(error);
        Assert.IsNotType<TimeoutException>(error);
        AssertOneCriticalLine(logs, provider, "00:05:00");
    }

    [Theory]
    [InlineData("Sqlite")]
    [InlineData("PostgreSql")]
    public async Task GivenTheDatabaseFrozenAtStartUp_WhenTheServiceStarts_ThenItStopsAfterMigrationTimeoutWithOneCriticalLine(string provider)
    {
        // Arrange: SQLite's write lock held by another connection; PostgreSQL that never answers a connection.
        await using var db = await FaultyDatabase.CreateAsync(provider);
        var logs = new CapturedLogs();

        // Act
        Exception? error;
        await using (await db.AnswerStartUpAfterAsync(Timeout.InfiniteTimeSpan))
        {
            error = await Record.ExceptionAsync(() => StorageHost.StartAsync(Fast(db.Settings, migrationTimeout: "00:00:02"), logs: logs).WaitAsync(Bound));
        }

        // Assert
        Assert.NotNull(error);
        Assert.IsNotType<TimeoutException>(error);
        AssertOneCriticalLine(logs, provider, "00:00:02");
    }

    private static void AssertOneCriticalLine(CapturedLogs logs, string provider, string migrationTimeout)
    {
        var critical = Assert.Single(logs.Lines, l => l.Level == LogLevel.Critical && l.Category == typeof(StorageStartup).FullName);
        Assert.StartsWith($"Storage: the {provider} database at ", critical.Message, StringComparison.Ordinal);
        Assert.Contains($"CarTCds:Storage:MigrationTimeout ({migrationTimeout})", critical.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Password=", logs.All, StringComparison.OrdinalIgnoreCase);
        if (provider == "PostgreSql" && new NpgsqlConnectionStringBuilder(TestPostgres.RequireConnectionString()).Password is { Length: > 0 } password)
        {
            Assert.DoesNotContain(password, logs.All, StringComparison.Ordinal);
        }
    }
}
