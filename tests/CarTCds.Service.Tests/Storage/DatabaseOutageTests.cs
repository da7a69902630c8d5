using System.Diagnostics;
using System.Net;
using System.Text.Json;
using CarTCds.Service.Audit;
using CarTCds.Service.Security;
using CarTCds.Service.Storage;
using CarTCds.Service.Telemetry;
using CarTCds.Service.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;

namespace CarTCds.Service.Tests.Storage;

/// <summary>Issue 18 item 5: a database that is stopped or frozen does not stop decision support.
/// Replay checks fall back to this replica's memory (replays to it still refused), readiness is
/// Degraded, the fallback is counted and warned once; hook answers do not wait past
/// <c>HookWriteWait</c> for their audit writes; feedback is answered 503 with an OperationOutcome,
/// never acknowledged and lost; <c>fail-closed</c> answers 503 instead. Each case on SQLite and on
/// PostgreSQL, with the faults of <see cref="FaultyDatabase"/> (real locks, a real closed path).</summary>
public sealed class DatabaseOutageTests
{
    private const string Issuer = "https://ehr.test";

    /// <summary>Short timeouts, so a frozen database shows in a second.</summary>
    private static Dictionary<string, string?> Fast(FaultyDatabase db, string fallback = StorageOptions.FailOpenToMemory) => new(db.Settings)
    {
        ["CarTCds:Storage:CommandTimeout"] = "00:00:01",
        ["CarTCds:Storage:ReplayCheckTimeout"] = "00:00:00.5",
        ["CarTCds:Storage:HookWriteWait"] = "00:00:00.5",
        ["CarTCds:Storage:OutageRetryAfter"] = "00:00:01",
        ["CarTCds:Storage:ReplayStoreUnavailable"] = fallback,
    };

    /// <summary>What a frozen database may add to a call here: the timeout under test (0.5–1 s) and a
    /// loaded 2-core machine's scheduling. A call held by the database waits 1 s per command at least.</summary>
    private static readonly TimeSpan Prompt = TimeSpan.FromSeconds(6);

    public static TheoryData<string, string> ProvidersAndFaults => new()
    {
        { "Sqlite", "stopped" }, { "Sqlite", "frozen" }, { "PostgreSql", "stopped" }, { "PostgreSql", "frozen" },
    };

    private static Task<IAsyncDisposable> Fault(FaultyDatabase db, string fault) => fault == "stopped" ? db.StopAsync() : db.FreezeAsync();

    private static DateTimeOffset KeepUntil(StorageHost host) =>
        (host.Services.GetKeyedService<TimeProvider>(CdsHooksSecurity.ClockKey) ?? TimeProvider.System).GetUtcNow().AddHours(1);

    private static async Task<HealthReportEntry> ReadinessAsync(StorageHost host) =>
        (await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(c => c.Tags.Contains("ready"))).Entries["storage"];

    [Theory]
    [MemberData(nameof(ProvidersAndFaults))]
    public async Task GivenTheDatabaseDown_WhenATokenArrivesAndIsReplayed_ThenItIsAcceptedOnceFromMemoryPromptlyCountedAndWarnedOnce(string provider, string fault)
    {
        // Arrange
        await using var db = await FaultyDatabase.CreateAsync(provider);
        await using var host = await StorageHost.StartAsync(Fast(db));
        var store = host.Services.GetRequiredService<IJtiReplayStore>();
        using var metrics = new MeasurementsOf(host.Services, "cartcds.replay.fallback");
        var keepUntil = KeepUntil(host);

        // Act
        bool first, replay, other;
        TimeSpan elapsed;
        HealthReportEntry readiness;
        await using (await Fault(db, fault))
        {
            var clock = Stopwatch.StartNew();
            first = await store.TryMarkUsedAsync(Issuer, "jti-during-outage", keepUntil, default);
            replay = await store.TryMarkUsedAsync(Issuer, "jti-during-outage", keepUntil, default);
            other = await store.TryMarkUsedAsync(Issuer, "jti-other", keepUntil, default);
            elapsed = clock.Elapsed;
            readiness = await ReadinessAsync(host);
        }

        // Assert
        Assert.True(first, "a fresh token is accepted while the database is down");
        Assert.False(replay, "a replay to the same replica is refused from memory");
        Assert.True(other);
        Assert.True(elapsed < Prompt, $"three checks took {elapsed}");
        Assert.Equal(2, metrics.Count); // the two tokens accepted from memory; the replay was refused there
        Assert.Equal(HealthStatus.Degraded, readiness.Status);
        Assert.Contains("jti replay checks", readiness.Description, StringComparison.Ordinal);
        var warnings = host.Logs.Lines.Where(l => l.Level == LogLevel.Warning && l.Category == "CarTCds.Service.Storage.ReplayChecks").ToList();
        Assert.Contains("jti replay checks", Assert.Single(warnings).Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(ProvidersAndFaults))]
    public async Task GivenATokenAcceptedFromMemoryDuringAnOutage_WhenTheDatabaseAnswersAgain_ThenItsReplayIsStillRefusedAndNewTokensGoToTheDatabase(string provider, string fault)
    {
        // Arrange
        await using var db = await FaultyDatabase.CreateAsync(provider);
        await using var host = await StorageHost.StartAsync(Fast(db));
        var store = host.Services.GetRequiredService<IJtiReplayStore>();
        var keepUntil = KeepUntil(host);
        await using (await Fault(db, fault))
        {
            Assert.True(await store.TryMarkUsedAsync(Issuer, "jti-in-memory", keepUntil, default));
        }
        await Task.Delay(TimeSpan.FromSeconds(1.2)); // OutageRetryAfter: the database is asked again

        // Act
        var replay = await store.TryMarkUsedAsync(Issuer, "jti-in-memory", keepUntil, default);
        var fresh = await store.TryMarkUsedAsync(Issuer, "jti-after-outage", keepUntil, default);
        var readiness = await ReadinessAsync(host);

        // Assert
        Assert.False(replay);
        Assert.True(fresh);
        Assert.Contains("jti-after-outage", await JtisAsync(host));
        Assert.Equal(HealthStatus.Healthy, readiness.Status);
        Assert.Contains(host.Logs.Lines, l => l.Level == LogLevel.Information && l.Message.Contains("answers jti replay checks again", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(ProvidersAndFaults))]
    public async Task GivenFailClosed_WhenTheDatabaseIsDown_ThenTheStoreSaysUnavailablePromptlyAndReadinessIsUnhealthy(string provider, string fault)
    {
        // Arrange
        await using var db = await FaultyDatabase.CreateAsync(provider);
        await using var host = await StorageHost.StartAsync(Fast(db, StorageOptions.FailClosed));
        var store = host.Services.GetRequiredService<IJtiReplayStore>();
        var keepUntil = KeepUntil(host);

        // Act
        Exception? error;
        TimeSpan elapsed;
        HealthReportEntry readiness;
        await using (await Fault(db, fault))
        {
            var clock = Stopwatch.StartNew();
            error = await Record.ExceptionAsync(() => store.TryMarkUsedAsync(Issuer, "jti-closed", keepUntil, default).AsTask());
            elapsed = clock.Elapsed;
            readiness = await ReadinessAsync(host);
        }

        // Assert
        var unavailable = Assert.IsType<JtiStoreUnavailableException>(error);
        Assert.Contains(provider, unavailable.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Password", unavailable.Message, StringComparison.OrdinalIgnoreCase);
        Assert.True(elapsed < Prompt, $"the check took {elapsed}");
        Assert.Equal(HealthStatus.Unhealthy, readiness.Status);
    }

    [Theory]
    [MemberData(nameof(ProvidersAndFaults))]
    public async Task GivenTheDatabaseDown_WhenAHookIsCalled_ThenItsCardsComePromptlyAndItsAuditRecordIsStoredOrCountedLost(string provider, string fault)
    {
        // Arrange
        await using var db = await FaultyDatabase.CreateAsync(provider);
        await using var host = await StorageHost.StartAsync(Fast(db));
        using var lost = new MeasurementsOf(host.Services, "cartcds.storage.hook_writes.lost", ("kind", "audit"));

        // Act
        HttpResponseMessage response;
        TimeSpan elapsed;
        await using (await Fault(db, fault))
        {
            var clock = Stopwatch.StartNew();
            response = await host.Client.PostJsonAsync(HookJson.ToxicityPath, HookJson.Toxicity());
            elapsed = clock.Elapsed;
            // The writes the answer did not wait for end within CommandTimeout (1 s per command);
            // held under the fault that long so the write meets it, whatever the machine's load.
            await Task.Delay(TimeSpan.FromSeconds(3));
        }

        // Assert
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.NotEmpty(body.RootElement.GetProperty("cards").EnumerateArray());
        Assert.True(elapsed < Prompt, $"the hook took {elapsed}");
        // Nothing vanishes silently: the record is in the trail (SQLite's write connection, open
        // before the file went, or the write after the fault ended, may still store it) or counted
        // lost. On a loaded machine the write may end after the fault does: wait for one outcome.
        var stored = 0;
        var settle = Stopwatch.StartNew();
        while (true)
        {
            stored = (await host.Services.GetRequiredService<IAuditLog>().ListAsync(null, 10, CancellationToken.None)).Count;
            if (stored + lost.Count >= 1 || settle.Elapsed > TimeSpan.FromSeconds(30)) break;
            await Task.Delay(TimeSpan.FromMilliseconds(100));
        }
        Assert.Equal(1, stored + lost.Count);
    }

    [Theory]
    [MemberData(nameof(ProvidersAndFaults))]
    public async Task GivenTheDatabaseDown_WhenFeedbackIsPosted_Then503WithAnOperationOutcomeAndTheRetryAfterwardsIsStoredOnce(string provider, string fault)
    {
        // Arrange
        await using var db = await FaultyDatabase.CreateAsync(provider);
        await using var host = await StorageHost.StartAsync(Fast(db));
        var card = Guid.NewGuid().ToString();
        var body = FeedbackJson.Body(FeedbackJson.Overridden(card, "already-managed"));
        const string path = "/cds-services/cart-toxicity/feedback";

        // Act
        HttpResponseMessage during;
        TimeSpan elapsed;
        await using (await Fault(db, fault))
        {
            var clock = Stopwatch.StartNew();
            during = await host.Client.PostJsonAsync(path, body);
            elapsed = clock.Elapsed;
        }
        var retried = await host.Client.PostJsonAsync(path, body);

        // Assert
        await during.AssertOperationOutcomeAsync(HttpStatusCode.ServiceUnavailable, "transient", null, "could not be stored");
        Assert.True(elapsed < Prompt, $"the feedback call took {elapsed}");
        Assert.Equal(HttpStatusCode.OK, retried.StatusCode);
        Assert.Single(await host.Feedback.ListForCardAsync("cart-toxicity", card, CancellationToken.None));
    }

    [Fact]
    public async Task GivenAFullWriteQueue_WhenAnotherAuditRecordComes_ThenItIsRefusedAtOnceNotQueued()
    {
        // Arrange: the writer loop held by a write that waits, and the queue filled behind it.
        await using var db = await FaultyDatabase.CreateAsync("Sqlite");
        await using var host = await StorageHost.StartAsync(new Dictionary<string, string?>(db.Settings) { ["CarTCds:Storage:MaxQueuedHookWrites"] = "100" });
        var group = host.Services.GetRequiredService<GroupCommit>();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var holding = group.WriteAsync(async (_, _) => await gate.Task);
        await Task.Delay(200); // the loop has taken the holding write out of the queue
        var queued = Enumerable.Range(0, 100).Select(_ => group.WriteAsync((_, _) => Task.CompletedTask)).ToList();

        // Act
        var refused = await Record.ExceptionAsync(() => host.Services.GetRequiredService<IAuditLog>().RecordAsync(new HookAuditRecord
        {
            OccurredAt = CarTCdsWebApplicationFactory.FixedInstant, ServiceId = "cart-toxicity", RuleSet = "cartcds@1.0.0", LatencyMs = 1, StatusCode = 200,
        }, CancellationToken.None));
        gate.SetResult();
        await holding;
        await Task.WhenAll(queued);

        // Assert
        Assert.IsType<StorageUnavailableException>(refused);
    }

    [Fact]
    public async Task GivenAFullWriteQueue_WhenAHookAnswersWithCards_ThenItsCardsGoOutAndItsAuditRecordAndCardRegistrationAreCountedLostAndWarned()
    {
        // Arrange: the writer loop held by a write that waits, and the queue filled behind it.
        await using var db = await FaultyDatabase.CreateAsync("Sqlite");
        await using var host = await StorageHost.StartAsync(new Dictionary<string, string?>(db.Settings) { ["CarTCds:Storage:MaxQueuedHookWrites"] = "100" });
        using var lostAudit = new MeasurementsOf(host.Services, "cartcds.storage.hook_writes.lost", ("kind", "audit"));
        using var lostCards = new MeasurementsOf(host.Services, "cartcds.storage.hook_writes.lost", ("kind", "card"));
        var group = host.Services.GetRequiredService<GroupCommit>();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var holding = group.WriteAsync(async (_, _) => await gate.Task);
        await Task.Delay(200); // the loop has taken the holding write out of the queue
        var queued = Enumerable.Range(0, 100).Select(_ => group.WriteAsync((_, _) => Task.CompletedTask)).ToList();

        // Act
        var response = await host.Client.PostJsonAsync(HookJson.ToxicityPath, HookJson.Toxicity());
        gate.SetResult();
        await holding;
        await Task.WhenAll(queued);

        // Assert
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var uuid = body.RootElement.GetProperty("cards")[0].GetProperty("uuid").GetString()!;
        Assert.Equal(1, lostAudit.Count);
        Assert.Equal(1, lostCards.Count);
        Assert.Null(await host.Cards.FindAsync("cart-toxicity", uuid, CancellationToken.None));
        Assert.Empty(await host.Services.GetRequiredService<IAuditLog>().ListAsync(null, 10, CancellationToken.None));
        var warning = Assert.Single(host.Logs.Lines, l => l.Level == LogLevel.Warning && l.Message.Contains("The database did not answer", StringComparison.Ordinal));
        Assert.Contains("queue is full", warning.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("CommandTimeout", "00:00:00.5")]
    [InlineData("CommandTimeout", "00:05:01")]
    [InlineData("MigrationTimeout", "00:00:04.9")]
    [InlineData("MigrationTimeout", "00:15:01")]
    [InlineData("ReplayCheckTimeout", "00:00:00.05")]
    [InlineData("ReplayCheckTimeout", "00:00:06")]
    [InlineData("HookWriteWait", "00:00:06")]
    [InlineData("OutageRetryAfter", "00:00:00.5")]
    [InlineData("MaxQueuedHookWrites", "99")]
    [InlineData("ReplayStoreUnavailable", "fail-open")]
    public async Task GivenAStorageSettingOutOfRange_WhenTheServiceStarts_ThenItRefusesNamingTheSetting(string key, string value)
    {
        // Arrange
        await using var file = new TempSqliteFile();
        var settings = new Dictionary<string, string?>(file.Settings) { [$"CarTCds:Storage:{key}"] = value };

        // Act
        var error = await Record.ExceptionAsync(() => StorageHost.StartAsync(settings));

        // Assert
        Assert.Contains($"CarTCds:Storage:{key}", Assert.IsType<InvalidOperationException>(error).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("CommandTimeout", "00:00:01")]
    [InlineData("CommandTimeout", "00:05:00")]
    [InlineData("MigrationTimeout", "00:00:05")]
    [InlineData("MigrationTimeout", "00:15:00")]
    [InlineData("ReplayCheckTimeout", "00:00:00.1")]
    [InlineData("ReplayCheckTimeout", "00:00:05")]
    [InlineData("HookWriteWait", "00:00:00")]
    [InlineData("OutageRetryAfter", "00:00:01")]
    [InlineData("MaxQueuedHookWrites", "100")]
    [InlineData("ReplayStoreUnavailable", "fail-closed")]
    public async Task GivenAStorageSettingAtTheEdgeOfItsRange_WhenTheServiceStarts_ThenItStarts(string key, string value)
    {
        // Arrange
        await using var file = new TempSqliteFile();
        var settings = new Dictionary<string, string?>(file.Settings) { [$"CarTCds:Storage:{key}"] = value };

        // Act
        await using var host = await StorageHost.StartAsync(settings);

        // Assert
        Assert.Equal(HealthStatus.Healthy, (await ReadinessAsync(host)).Status);
    }

    private static async Task<List<string>> JtisAsync(StorageHost host)
    {
        var db = host.Services.GetRequiredService<StorageDatabase>();
        return await db.RunAsync(async (connection, ct) =>
        {
            using var read = connection.CreateCommand();
            read.CommandText = "SELECT jti FROM used_jti ORDER BY jti";
            var list = new List<string>();
            using var reader = await read.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct)) list.Add(reader.GetString(0));
            return list;
        }, TimeSpan.FromSeconds(10), CancellationToken.None);
    }
}
