using System.Net;
using System.Text.Json;
using CarTCds.Service.Security;
using CarTCds.Service.Storage;
using CarTCds.Service.Tests.Storage;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace CarTCds.Service.Tests.Security;

/// <summary>The database-backed <c>jti</c> store: one answer per token id across concurrent callers,
/// across replicas on one PostgreSQL, and across a SQLite restart; expired ids are reusable; with
/// fail-closed, a database that is down makes the hook answer 503, neither accepted nor called a
/// replay (the default fallback to memory: Storage/DatabaseOutageTests).</summary>
public sealed class DbJtiReplayStoreTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    public static TheoryData<string> Providers => new() { "Sqlite", "PostgreSql" };

    /// <summary>These tests are about the database's own answers: a slow one (a loaded machine) must
    /// fail the test, never be replaced by the in-memory fallback.</summary>
    private static readonly StorageOptions Strict = new() { ReplayCheckTimeout = TimeSpan.FromSeconds(5), ReplayStoreUnavailable = StorageOptions.FailClosed };

    /// <summary>Two independent databases on the same storage: two replicas, or one before and after a restart.</summary>
    private sealed class SharedStorage : IAsyncDisposable
    {
        private readonly TempSqliteFile? _sqlite;
        private readonly TempPostgresSchema? _postgres;
        private readonly List<StorageDatabase> _opened = [];

        private SharedStorage(TempSqliteFile? sqlite, TempPostgresSchema? postgres)
        {
            _sqlite = sqlite;
            _postgres = postgres;
        }

        public static async Task<SharedStorage> CreateAsync(string provider) => provider == "Sqlite"
            ? new SharedStorage(new TempSqliteFile(), null)
            : new SharedStorage(null, await TempPostgresSchema.CreateAsync());

        public StorageDatabase Open()
        {
            StorageDatabase db = _sqlite is not null
                ? new SqliteStorageDatabase(_sqlite.Path)
                : new PostgreSqlStorageDatabase(_postgres!.ConnectionString);
            _opened.Add(db);
            return db;
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var db in _opened) await db.DisposeAsync();
            if (_sqlite is not null) await _sqlite.DisposeAsync();
            if (_postgres is not null) await _postgres.DisposeAsync();
        }
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task GivenAFreshJti_WhenMarkedTwice_ThenOnlyTheFirstIsAccepted(string provider)
    {
        await using var storage = await SharedStorage.CreateAsync(provider);
        var store = new DbJtiReplayStore(storage.Open(), new ManualClock(Start), Strict);

        var first = await store.TryMarkUsedAsync("https://ehr.test", "jti-1", Start.AddHours(1), default);
        var second = await store.TryMarkUsedAsync("https://ehr.test", "jti-1", Start.AddHours(1), default);
        var otherIssuer = await store.TryMarkUsedAsync("https://other.test", "jti-1", Start.AddHours(1), default);

        Assert.True(first);
        Assert.False(second);
        Assert.True(otherIssuer);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task GivenARecordedJti_WhenItsKeepUntilHasPassed_ThenItIsAcceptedAgainAndHeldAnew(string provider)
    {
        await using var storage = await SharedStorage.CreateAsync(provider);
        var clock = new ManualClock(Start);
        var store = new DbJtiReplayStore(storage.Open(), clock, Strict);
        Assert.True(await store.TryMarkUsedAsync("https://ehr.test", "jti-2", Start.AddHours(1), default));

        clock.Advance(TimeSpan.FromMinutes(59));
        var justBefore = await store.TryMarkUsedAsync("https://ehr.test", "jti-2", clock.GetUtcNow().AddHours(1), default);
        clock.Advance(TimeSpan.FromMinutes(1));
        var atExpiry = await store.TryMarkUsedAsync("https://ehr.test", "jti-2", clock.GetUtcNow().AddHours(1), default);
        var againAfterTakeOver = await store.TryMarkUsedAsync("https://ehr.test", "jti-2", clock.GetUtcNow().AddHours(1), default);

        Assert.False(justBefore);
        Assert.True(atExpiry);
        Assert.False(againAfterTakeOver);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task GivenTwoReplicasOnOneDatabase_WhenTheSameJtiReachesBoth_ThenTheSecondReplicaRefusesIt(string provider)
    {
        await using var storage = await SharedStorage.CreateAsync(provider);
        var replicaA = new DbJtiReplayStore(storage.Open(), new ManualClock(Start), Strict);
        var replicaB = new DbJtiReplayStore(storage.Open(), new ManualClock(Start), Strict);

        var onA = await replicaA.TryMarkUsedAsync("https://ehr.test", "jti-3", Start.AddHours(1), default);
        var onB = await replicaB.TryMarkUsedAsync("https://ehr.test", "jti-3", Start.AddHours(1), default);

        Assert.True(onA);
        Assert.False(onB);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task GivenManyConcurrentCallers_WhenTheyMarkTheSameJti_ThenExactlyOneIsAccepted(string provider)
    {
        await using var storage = await SharedStorage.CreateAsync(provider);
        var replicas = Enumerable.Range(0, 4).Select(_ => new DbJtiReplayStore(storage.Open(), new ManualClock(Start), Strict)).ToArray();
        await replicas[0].TryMarkUsedAsync("https://ehr.test", "warm-up", Start.AddHours(1), default);

        var results = await Task.WhenAll(Enumerable.Range(0, 24).Select(i =>
            replicas[i % replicas.Length].TryMarkUsedAsync("https://ehr.test", "jti-race", Start.AddHours(1), default).AsTask()));

        Assert.Equal(1, results.Count(accepted => accepted));
    }

    [Fact]
    public async Task GivenExpiredRows_WhenThePurgeIsDue_ThenTheyAreDeletedAndLiveOnesKept()
    {
        await using var storage = await SharedStorage.CreateAsync("Sqlite");
        var db = storage.Open();
        var clock = new ManualClock(Start);
        var store = new DbJtiReplayStore(db, clock, Strict);
        await store.TryMarkUsedAsync("https://ehr.test", "short", Start.AddMinutes(1), default);
        await store.TryMarkUsedAsync("https://ehr.test", "long", Start.AddHours(2), default);

        clock.Advance(DbJtiReplayStore.PurgeEvery + TimeSpan.FromSeconds(1));
        await store.TryMarkUsedAsync("https://ehr.test", "trigger", clock.GetUtcNow().AddHours(1), default);

        Assert.Equal(["long", "trigger"], await JtisAsync(db));
    }

    [Fact]
    public async Task GivenFailClosedAndAnUnreachableDatabase_WhenMarking_ThenTheStoreSaysUnavailableNotReplay()
    {
        var closed = "Host=127.0.0.1;Port=9;Username=x;Password=y;Database=z;Timeout=2";
        await using var db = new PostgreSqlStorageDatabase(closed);
        var store = new DbJtiReplayStore(db, new ManualClock(Start), new StorageOptions { ReplayStoreUnavailable = StorageOptions.FailClosed });

        var ex = await Assert.ThrowsAsync<JtiStoreUnavailableException>(() =>
            store.TryMarkUsedAsync("https://ehr.test", "jti-4", Start.AddHours(1), default).AsTask());

        Assert.Contains("PostgreSql", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Password", ex.Message, StringComparison.OrdinalIgnoreCase);
    }

    private static async Task<List<string>> JtisAsync(StorageDatabase db)
    {
        var connection = await db.OpenAsync(default);
        await using (connection)
        {
            using var read = connection.CreateCommand();
            read.CommandText = "SELECT jti FROM used_jti ORDER BY jti";
            var list = new List<string>();
            using var reader = await read.ExecuteReaderAsync();
            while (await reader.ReadAsync()) list.Add(reader.GetString(0));
            return list;
        }
    }
}

/// <summary>The wiring: the service uses the database store, and a store that cannot answer makes the
/// request 503 with an OperationOutcome and Retry-After (fault injection: the real store's failure
/// path is covered above).</summary>
[Collection(SecureServiceCollection.Name)]
public sealed class JtiStoreWiringTests(SecureWebApplicationFactory factory)
{
    [Fact]
    public void GivenTheServiceWithStorage_WhenResolvingTheReplayStore_ThenItIsTheDatabaseOne()
    {
        var store = factory.Services.GetRequiredService<IJtiReplayStore>();

        Assert.IsType<DbJtiReplayStore>(store);
    }

    [Fact]
    public async Task GivenTheReplayStoreIsDown_WhenAValidTokenArrives_Then503WithAnOperationOutcomeAndRetryAfter()
    {
        using var down = factory.WithWebHostBuilder(b => b.ConfigureTestServices(s => s.AddSingleton<IJtiReplayStore, UnavailableStore>()));
        using var client = down.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/cds-services");
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + factory.Ehr.Token(SecureWebApplicationFactory.Aud("/cds-services"), factory.Clock.GetUtcNow()));

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("5", response.Headers.RetryAfter?.ToString());
        using var outcome = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("OperationOutcome", outcome.RootElement.GetProperty("resourceType").GetString());
        Assert.Contains("replay", outcome.RootElement.GetProperty("issue")[0].GetProperty("diagnostics").GetString(), StringComparison.Ordinal);
    }

    private sealed class UnavailableStore : IJtiReplayStore
    {
        public ValueTask<bool> TryMarkUsedAsync(string issuer, string jti, DateTimeOffset keepUntil, CancellationToken cancellationToken) =>
            throw new JtiStoreUnavailableException("The jti replay store (Sqlite) could not be reached: SqliteException", new InvalidOperationException());
    }
}
