using System.Data.Common;
using CarTCds.Service.Audit;
using CarTCds.Service.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace CarTCds.Service.Tests.Storage;

/// <summary><see cref="GroupCommit"/> on each database: concurrent writes all commit and each caller
/// returns only after its own commit; a write that fails is rolled back alone and its caller
/// sees the error, the writes around it still commit.</summary>
public abstract class GroupCommitContract
{
    protected abstract Task<(IReadOnlyDictionary<string, string?> Settings, IAsyncDisposable Cleanup)> NewDatabaseAsync();

    private static HookAuditRecord AuditRecord(string hookInstance) => new()
    {
        OccurredAt = new DateTimeOffset(2013, 5, 19, 12, 0, 0, TimeSpan.Zero),
        ServiceId = "cart-toxicity",
        Hook = "patient-view",
        HookInstance = hookInstance,
        PatientId = "pat-group",
        Cards = [],
        RuleSet = "cartcds@1.0.0",
        LatencyMs = 1,
        StatusCode = 200,
    };

    [Fact]
    public async Task GivenManyConcurrentAuditRecords_WhenEachCallReturns_ThenEveryRecordIsStored()
    {
        // Arrange
        var (settings, cleanup) = await NewDatabaseAsync();
        await using var _ = cleanup;
        await using var host = await StorageHost.StartAsync(settings, "test-salt-0123456789abcdef");
        var audit = host.Services.GetRequiredService<IAuditLog>();
        var instances = Enumerable.Range(0, 64).Select(i => $"group-{i:D2}-{Guid.NewGuid():N}").ToList();

        // Act
        await Task.WhenAll(instances.Select(i => Task.Run(() => audit.RecordAsync(AuditRecord(i), CancellationToken.None))));

        // Assert
        var stored = await audit.ListAsync(null, 1000, CancellationToken.None);
        Assert.Equal(instances.Order(StringComparer.Ordinal), stored.Select(r => r.HookInstance!).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task GivenAFailingWriteAmongOthersInOneBatch_WhenCommitted_ThenOnlyItFailsAndTheOthersAreStored()
    {
        // Arrange: hold the writer loop with a first write that waits, so the next three land in one batch.
        var (settings, cleanup) = await NewDatabaseAsync();
        await using var _ = cleanup;
        await using var host = await StorageHost.StartAsync(settings, "test-salt-0123456789abcdef");
        var group = host.Services.GetRequiredService<GroupCommit>();
        var audit = host.Services.GetRequiredService<IAuditLog>();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var holding = group.WriteAsync(async (_, _) => await gate.Task);
        var before = audit.RecordAsync(AuditRecord("batch-before"), CancellationToken.None);
        var failing = group.WriteAsync(async (connection, transaction) =>
        {
            using var bad = connection.CreateCommand();
            bad.Transaction = transaction;
            bad.CommandText = "INSERT INTO no_such_table (x) VALUES (1)";
            await bad.ExecuteNonQueryAsync();
        });
        var after = audit.RecordAsync(AuditRecord("batch-after"), CancellationToken.None);

        // Act
        gate.SetResult();
        await holding;
        var error = await Record.ExceptionAsync(() => failing);
        await before;
        await after;

        // Assert
        Assert.IsAssignableFrom<DbException>(error);
        var stored = (await audit.ListAsync(null, 10, CancellationToken.None)).Select(r => r.HookInstance).ToList();
        Assert.Contains("batch-before", stored);
        Assert.Contains("batch-after", stored);
        Assert.Equal(2, stored.Count);
    }

    [Fact]
    public async Task GivenABatchThatBreaksItsConnection_WhenTheNextWriteComes_ThenItIsStoredOnAFreshConnection()
    {
        // Arrange: the loop keeps its connection (and prepared commands) between batches; a write
        // that closes it fails its batch, and the loop must not keep using the dead connection.
        var (settings, cleanup) = await NewDatabaseAsync();
        await using var _ = cleanup;
        await using var host = await StorageHost.StartAsync(settings, "test-salt-0123456789abcdef");
        var group = host.Services.GetRequiredService<GroupCommit>();
        var audit = host.Services.GetRequiredService<IAuditLog>();
        await audit.RecordAsync(AuditRecord("before-break"), CancellationToken.None);

        // Act
        var error = await Record.ExceptionAsync(() => group.WriteAsync(async (connection, _) => await connection.CloseAsync()));
        await audit.RecordAsync(AuditRecord("after-break"), CancellationToken.None);

        // Assert
        Assert.NotNull(error);
        var stored = (await audit.ListAsync(null, 10, CancellationToken.None)).Select(r => r.HookInstance).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(["after-break", "before-break"], stored);
    }
}

public sealed class SqliteGroupCommitTests : GroupCommitContract
{
    protected override Task<(IReadOnlyDictionary<string, string?> Settings, IAsyncDisposable Cleanup)> NewDatabaseAsync()
    {
        var file = new TempSqliteFile();
        return Task.FromResult<(IReadOnlyDictionary<string, string?>, IAsyncDisposable)>((file.Settings, file));
    }
}

public sealed class PostgreSqlGroupCommitTests : GroupCommitContract
{
    protected override async Task<(IReadOnlyDictionary<string, string?> Settings, IAsyncDisposable Cleanup)> NewDatabaseAsync()
    {
        var schema = await TempPostgresSchema.CreateAsync();
        return (schema.Settings, schema);
    }
}
