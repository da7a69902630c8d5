using System.Data.Common;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using CarTCds.Hooks.Contract;
using CarTCds.Service.Audit;
using CarTCds.Service.Storage;
using CarTCds.Service.Telemetry;
using CarTCds.Service.Tests.Feedback;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CarTCds.Service.Tests.Storage;

/// <summary>The audit trail and the schema, on each database the service supports.</summary>
public abstract class StorageContract
{
    protected const string Salt = "test-salt-0123456789abcdef";

    /// <summary>A fresh, empty database; its settings; disposing it removes it.</summary>
    protected abstract Task<(IReadOnlyDictionary<string, string?> Settings, IAsyncDisposable Cleanup)> NewDatabaseAsync();

    internal static string ExpectedHash(string salt, string patientId) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(salt), Encoding.UTF8.GetBytes(patientId)));

    private static HookAuditRecord Record(string patientId, string hookInstance, params Card[] cards) => new()
    {
        OccurredAt = new DateTimeOffset(2013, 5, 19, 12, 0, 0, 250, TimeSpan.Zero),
        Issuer = "https://ehr.example.org",
        Tenant = "tenant-7",
        ServiceId = "cart-toxicity",
        Hook = "patient-view",
        HookInstance = hookInstance,
        PatientId = patientId,
        Cards = cards,
        RuleSet = "cartcds@1.0.0",
        LatencyMs = 12.3456,
        StatusCode = 200,
    };

    [Fact]
    public async Task GivenAHookCall_WhenItIsRecorded_ThenOneRowHoldsTheHmacOfThePatientIdAndTheFindings()
    {
        // Arrange
        var (settings, cleanup) = await NewDatabaseAsync();
        await using var _ = cleanup;
        await using var host = await StorageHost.StartAsync(settings, Salt);
        var audit = host.Services.GetRequiredService<IAuditLog>();
        var instance = Guid.NewGuid().ToString();
        var crs = FeedbackPersistenceContract.TestCard("crs-grade", ("crs-grade", FindingValue.Of(3)), ("iec-hs", FindingValue.Of("negative")));
        var icans = FeedbackPersistenceContract.TestCard("icans-grade", ("icans-grade", FindingValue.Of(0)));

        // Act
        await audit.RecordAsync(Record("pat-audit-7", instance, crs, icans), CancellationToken.None);
        var rows = await audit.ListAsync(instance, 10, CancellationToken.None);

        // Assert
        var row = Assert.Single(rows);
        Assert.Equal(ExpectedHash(Salt, "pat-audit-7"), row.PatientHash);
        Assert.Equal(64, row.PatientHash!.Length);
        Assert.Equal(host.Services.GetRequiredService<PatientIdHasher>().KeyId, row.PatientHashKeyId);
        Assert.Equal(new DateTimeOffset(2013, 5, 19, 12, 0, 0, 250, TimeSpan.Zero), row.OccurredAt);
        Assert.Equal(("https://ehr.example.org", "tenant-7"), (row.Issuer, row.Tenant));
        Assert.Equal(("cart-toxicity", "patient-view", instance), (row.ServiceId, row.Hook, row.HookInstance));
        Assert.Equal(("cartcds@1.0.0", 200, 2), (row.RuleSet, row.StatusCode, row.CardCount));
        Assert.Equal(12.346, row.LatencyMs, 3);
        using var findings = JsonDocument.Parse(row.FindingsJson);
        Assert.Equal(
            [(crs.Uuid, "crs-grade", "3"), (crs.Uuid, "iec-hs", "negative"), (icans.Uuid, "icans-grade", "0")],
            findings.RootElement.EnumerateArray().Select(f => (f.GetProperty("card").GetString(), f.GetProperty("code").GetString(),
                f.GetProperty("value").ValueKind == JsonValueKind.Number ? f.GetProperty("value").GetDecimal().ToString(CultureInfo.InvariantCulture) : f.GetProperty("value").GetString())));
        Assert.DoesNotContain("pat-audit-7", row.FindingsJson, StringComparison.Ordinal);
        Assert.DoesNotContain("obs-evidence-1", row.FindingsJson, StringComparison.Ordinal);
    }

    public static TheoryData<string, string> CallerTexts => new()
    {
        { "a UUID, as the spec sends", "d1577c69-dfbe-44ad-ba6d-3e05e953b2ea" },
        { "exactly the cap", new string('h', CallerText.MaxChars) },
        { "one character over the cap", new string('h', CallerText.MaxChars + 1) },
        { "9 MB with a forged line break", "x\nFAKE LOG LINE " + new string('9', 9 * 1024 * 1024) },
    };

    [Theory]
    [MemberData(nameof(CallerTexts))]
    public async Task GivenCallerText_WhenAHookCallIsRecorded_ThenHookAndHookInstanceAreStoredCappedAsInTheLog(string caseName, string text)
    {
        // Arrange
        var (settings, cleanup) = await NewDatabaseAsync();
        await using var _ = cleanup;
        await using var host = await StorageHost.StartAsync(settings, Salt);
        var audit = host.Services.GetRequiredService<IAuditLog>();
        var record = new HookAuditRecord
        {
            OccurredAt = new DateTimeOffset(2013, 5, 19, 12, 0, 0, TimeSpan.Zero),
            ServiceId = "cart-toxicity",
            Hook = text,
            HookInstance = text,
            PatientId = "pat-cap-1",
            RuleSet = "cartcds@1.0.0",
            LatencyMs = 1,
            StatusCode = 400,
        };

        // Act
        await audit.RecordAsync(record, CancellationToken.None);
        var rows = await audit.ListAsync(text, 10, CancellationToken.None);

        // Assert: one helper bounds both the log line and the stored row; the caller finds the row by what it sent.
        var row = Assert.Single(rows);
        Assert.Equal(CallerText.Cap(text), row.HookInstance);
        Assert.Equal(CallerText.Cap(text), row.Hook);
        Assert.True(row.HookInstance!.Length <= CallerText.MaxChars + 1, $"{caseName}: {row.HookInstance.Length} characters stored");
        Assert.DoesNotContain('\n', row.HookInstance);
        Assert.Equal(text.Length <= CallerText.MaxChars && !text.Contains('\n', StringComparison.Ordinal), row.HookInstance == text);
    }

    [Fact]
    public async Task GivenACallWithoutABody_WhenItIsRecorded_ThenTheRowHasNoPatientHashAndNoFindings()
    {
        // Arrange
        var (settings, cleanup) = await NewDatabaseAsync();
        await using var _ = cleanup;
        await using var host = await StorageHost.StartAsync(settings, Salt);
        var audit = host.Services.GetRequiredService<IAuditLog>();

        // Act
        await audit.RecordAsync(new HookAuditRecord
        {
            OccurredAt = CarTCds.Service.Tests.TestSupport.CarTCdsWebApplicationFactory.FixedInstant,
            ServiceId = "cart-toxicity",
            RuleSet = "cartcds@1.0.0",
            LatencyMs = 0.4,
            StatusCode = 400,
        }, CancellationToken.None);

        // Assert
        var row = Assert.Single(await audit.ListAsync(null, 10, CancellationToken.None));
        Assert.Equal(400, row.StatusCode);
        Assert.Null(row.PatientHash);
        Assert.Null(row.PatientHashKeyId);
        Assert.Null(row.Hook);
        Assert.Equal("[]", row.FindingsJson.Replace(" ", "", StringComparison.Ordinal));
        Assert.Equal(0, row.CardCount);
    }

    [Fact]
    public async Task GivenTheSameSalt_WhenTheServiceRestarts_ThenOnePatientHasOneHash()
    {
        // Arrange
        var (settings, cleanup) = await NewDatabaseAsync();
        await using var _ = cleanup;
        await using (var first = await StorageHost.StartAsync(settings, Salt))
        {
            await first.Services.GetRequiredService<IAuditLog>().RecordAsync(Record("pat-9", "i-1"), CancellationToken.None);
        }

        // Act
        await using var second = await StorageHost.StartAsync(settings, Salt);
        var audit = second.Services.GetRequiredService<IAuditLog>();
        await audit.RecordAsync(Record("pat-9", "i-2"), CancellationToken.None);

        // Assert
        var rows = await audit.ListAsync(null, 10, CancellationToken.None);
        Assert.Equal(2, rows.Count);
        Assert.Equal(rows[0].PatientHash, rows[1].PatientHash);
        Assert.Equal(rows[0].PatientHashKeyId, rows[1].PatientHashKeyId);
    }

    [Fact]
    public async Task GivenNoSalt_WhenTheServiceStarts_ThenItWarnsAndHashesDoNotCorrelateAcrossRestarts()
    {
        // Arrange
        var (settings, cleanup) = await NewDatabaseAsync();
        await using var _ = cleanup;
        CapturedLogs firstLogs;
        await using (var first = await StorageHost.StartAsync(settings))
        {
            firstLogs = first.Logs;
            await first.Services.GetRequiredService<IAuditLog>().RecordAsync(Record("pat-9", "i-1"), CancellationToken.None);
        }

        // Act
        await using var second = await StorageHost.StartAsync(settings);
        var audit = second.Services.GetRequiredService<IAuditLog>();
        await audit.RecordAsync(Record("pat-9", "i-2"), CancellationToken.None);

        // Assert
        var warning = Assert.Single(firstLogs.Lines, l => l.Level == LogLevel.Warning && l.Message.Contains(PatientIdHasher.SaltKey, StringComparison.Ordinal));
        Assert.Contains("will not correlate across restarts", warning.Message, StringComparison.Ordinal);
        var rows = await audit.ListAsync(null, 10, CancellationToken.None);
        Assert.NotEqual(rows[0].PatientHash, rows[1].PatientHash);
        Assert.NotEqual(rows[0].PatientHashKeyId, rows[1].PatientHashKeyId);
        Assert.DoesNotContain(second.Logs.Lines, l => l.Message.Contains("pat-9", StringComparison.Ordinal));
    }

    [Fact]
    public async Task GivenTwoReplicasStartingTogether_WhenBothMigrate_ThenTheSchemaIsMigratedOnce()
    {
        // Arrange
        var (settings, cleanup) = await NewDatabaseAsync();
        await using var _ = cleanup;

        // Act
        var starts = await Task.WhenAll(StorageHost.StartAsync(settings), StorageHost.StartAsync(settings), StorageHost.StartAsync(settings));

        // Assert
        try
        {
            var db = starts[0].Services.GetRequiredService<StorageDatabase>();
            var connection = await db.OpenAsync(CancellationToken.None);
            await using (connection)
            {
                using var versions = connection.CreateCommand();
                versions.CommandText = "SELECT version FROM schema_migrations ORDER BY version";
                var list = new List<int>();
                await using (var r = await versions.ExecuteReaderAsync())
                {
                    while (await r.ReadAsync()) list.Add(Convert.ToInt32(r.GetValue(0), CultureInfo.InvariantCulture));
                }
                Assert.Equal(Enumerable.Range(1, db.SchemaVersion), list);
            }
            Assert.Equal(1, starts.Sum(h => h.Logs.Lines.Count(l => l.Message.Contains("migrated now", StringComparison.Ordinal))));
        }
        finally
        {
            foreach (var h in starts) await h.DisposeAsync();
        }
    }

    [Fact]
    public async Task GivenADatabaseWrittenByANewerBuild_WhenTheServiceStarts_ThenStartUpFailsNamingTheVersion()
    {
        // Arrange
        var (settings, cleanup) = await NewDatabaseAsync();
        await using var _ = cleanup;
        await using (var first = await StorageHost.StartAsync(settings))
        {
            var db = first.Services.GetRequiredService<StorageDatabase>();
            await using DbConnection connection = await db.OpenAsync(CancellationToken.None);
            using var future = connection.CreateCommand();
            future.CommandText = "INSERT INTO schema_migrations (version, name, applied_at) VALUES (@v, 'from the future', @at)";
            StorageDatabase.Add(future, "v", 9999);
            db.AddTimestamp(future, "at", DateTimeOffset.UnixEpoch);
            await future.ExecuteNonQueryAsync();
        }

        // Act
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => StorageHost.StartAsync(settings));

        // Assert
        Assert.Contains("schema version 9999", ex.Message, StringComparison.Ordinal);
        Assert.Contains("newer than this build knows", ex.Message, StringComparison.Ordinal);
    }
}

public sealed class SqliteStorageContractTests : StorageContract
{
    protected override Task<(IReadOnlyDictionary<string, string?> Settings, IAsyncDisposable Cleanup)> NewDatabaseAsync()
    {
        var file = new TempSqliteFile();
        return Task.FromResult<(IReadOnlyDictionary<string, string?>, IAsyncDisposable)>((file.Settings, file));
    }
}

public sealed class PostgreSqlStorageContractTests : StorageContract
{
    protected override async Task<(IReadOnlyDictionary<string, string?> Settings, IAsyncDisposable Cleanup)> NewDatabaseAsync()
    {
        var schema = await TempPostgresSchema.CreateAsync();
        return (schema.Settings, schema);
    }
}
