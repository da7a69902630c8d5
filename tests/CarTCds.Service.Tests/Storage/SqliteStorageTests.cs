using System.Globalization;
using CarTCds.Service.Audit;
using CarTCds.Service.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;

namespace CarTCds.Service.Tests.Storage;

/// <summary>The default database: an SQLite file created on first run, in WAL mode, with every
/// connection at synchronous=FULL; and the configuration that chooses the database.</summary>
public sealed class SqliteStorageTests
{
    private static Task<string> PragmaAsync(string path, string pragma) => ScalarAsync(path, $"PRAGMA {pragma}");

    private static async Task<string> ScalarAsync(string path, string sql)
    {
        await using var c = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        await c.OpenAsync();
        await using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        return Convert.ToString(await cmd.ExecuteScalarAsync(), CultureInfo.InvariantCulture)!;
    }

    [Fact]
    public async Task GivenNoDatabaseFileNorFolder_WhenTheServiceStarts_ThenTheFileIsCreatedPrivateInWalModeWithItsSchemaVersion()
    {
        // Arrange
        var dir = Directory.CreateTempSubdirectory("cartcds-storage-");
        var path = Path.Combine(dir.FullName, "data", "cartcds.db");
        try
        {
            // Act
            await using (var host = await StorageHost.StartAsync(new Dictionary<string, string?> { ["CarTCds:Storage:Sqlite:Path"] = path }))
            {
                // Assert
                Assert.True(File.Exists(path), $"{path} was not created");
                Assert.Equal("wal", await PragmaAsync(path, "journal_mode"));
                var all = Enumerable.Range(1, StorageMigrations.Latest).ToList();
                Assert.Equal(string.Join(",", all), await ScalarAsync(path, "SELECT group_concat(version) FROM schema_migrations"));
                if (!OperatingSystem.IsWindows())
                {
                    Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
                }
                Assert.Contains(host.Logs.Lines, l => l.Message.Contains($"Sqlite at {path}", StringComparison.Ordinal) && l.Message.Contains("migrated now: " + string.Join(", ", all), StringComparison.Ordinal));
            }
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task GivenTheServiceDatabase_WhenAConnectionIsOpened_ThenSynchronousIsFull()
    {
        // Arrange
        using var file = new TempSqliteFile();
        await using var host = await StorageHost.StartAsync(file.Settings);
        var db = host.Services.GetRequiredService<StorageDatabase>();

        // Act
        await using var connection = await db.OpenAsync(CancellationToken.None);
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = "PRAGMA synchronous";
        var synchronous = Convert.ToInt32(await cmd.ExecuteScalarAsync(), CultureInfo.InvariantCulture);

        // Assert: 2 = FULL (0 OFF, 1 NORMAL, 3 EXTRA).
        Assert.Equal(2, synchronous);
    }

    [Fact]
    public async Task GivenAHookCallRecorded_WhenTheDatabaseFileIsRead_ThenThePatientIdIsNowhereInIt()
    {
        // Arrange
        using var file = new TempSqliteFile();
        const string patient = "pat-never-stored-4711";
        await using (var host = await StorageHost.StartAsync(file.Settings, "test-salt-0123456789abcdef"))
        {
            // Act
            await host.Services.GetRequiredService<IAuditLog>().RecordAsync(new HookAuditRecord
            {
                OccurredAt = DateTimeOffset.UnixEpoch,
                ServiceId = "cart-toxicity",
                Hook = "patient-view",
                HookInstance = Guid.NewGuid().ToString(),
                PatientId = patient,
                RuleSet = "cartcds@1.0.0",
                LatencyMs = 1,
                StatusCode = 200,
            }, CancellationToken.None);
        }
        SqliteConnection.ClearAllPools();

        // Assert
        var bytes = file.RawBytes();
        Assert.True(bytes.Length > 0);
        Assert.Equal(-1, bytes.AsSpan().IndexOf(System.Text.Encoding.UTF8.GetBytes(patient)));
        Assert.NotEqual(-1, bytes.AsSpan().IndexOf(System.Text.Encoding.UTF8.GetBytes(StorageContract.ExpectedHash("test-salt-0123456789abcdef", patient))));
    }

    public static TheoryData<string?, string> Paths => new()
    {
        { null, "cartcds.db" },
        { "", "cartcds.db" },
        { "data/feedback.db", "data/feedback.db" },
    };

    [Theory]
    [MemberData(nameof(Paths))]
    public void GivenASqlitePath_WhenTheDatabaseIsChosen_ThenARelativePathIsTakenFromTheContentRoot(string? configured, string expectedRelative)
    {
        // Arrange
        var root = Path.Combine(Path.GetTempPath(), "content-root-" + Guid.NewGuid().ToString("N"));
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["CarTCds:Storage:Sqlite:Path"] = configured }).Build();

        // Act
        var db = Assert.IsType<SqliteStorageDatabase>(StorageRegistration.CreateDatabase(config, new Env(root)));

        // Assert
        Assert.Equal(Path.Combine(root, expectedRelative), db.FullPath);
        Assert.False(Directory.Exists(root), "choosing the database must not touch the disk");
    }

    [Fact]
    public void GivenAnAbsoluteSqlitePath_WhenTheDatabaseIsChosen_ThenItIsUsedAsIs()
    {
        // Arrange
        var absolute = Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N"), "x.db");
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["CarTCds:Storage:Sqlite:Path"] = absolute }).Build();

        // Act
        var db = Assert.IsType<SqliteStorageDatabase>(StorageRegistration.CreateDatabase(config, new Env("/somewhere/else")));

        // Assert
        Assert.Equal(absolute, db.FullPath);
    }

    public static TheoryData<string, string?, string> BadConfigurations => new()
    {
        { "PostgreSql", null, "CarTCds:Storage:PostgreSql:ConnectionString is required" },
        { "postgresql", "  ", "CarTCds:Storage:PostgreSql:ConnectionString is required" },
        { "Oracle", null, "CarTCds:Storage" },
    };

    [Theory]
    [MemberData(nameof(BadConfigurations))]
    public void GivenAnIncompleteStorageConfiguration_WhenTheDatabaseIsChosen_ThenTheErrorNamesTheKey(string provider, string? connectionString, string expected)
    {
        // Arrange
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["CarTCds:Storage:Provider"] = provider,
            ["CarTCds:Storage:PostgreSql:ConnectionString"] = connectionString,
        }).Build();

        // Act
        var ex = Assert.Throws<InvalidOperationException>(() => StorageRegistration.CreateDatabase(config, new Env("/tmp")));

        // Assert
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GivenAConnectionStringWithAPassword_WhenTheDatabaseIsDescribed_ThenThePasswordIsNotInIt()
    {
        // Arrange
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["CarTCds:Storage:Provider"] = "PostgreSql",
            ["CarTCds:Storage:PostgreSql:ConnectionString"] = "Host=db.internal;Port=5433;Username=svc;Password=hunter2-secret;Database=cartcds",
        }).Build();

        // Act
        var db = StorageRegistration.CreateDatabase(config, new Env("/tmp"));

        // Assert
        Assert.Equal("postgresql://svc@db.internal:5433/cartcds", db.Location);
        Assert.DoesNotContain("hunter2", db.Location, StringComparison.Ordinal);
    }

    [Fact]
    public void GivenASaltShorterThanTheMinimum_WhenTheHasherIsMade_ThenItRefusesWithoutEchoingIt()
    {
        // Act
        var ex = Assert.Throws<InvalidOperationException>(() => new PatientIdHasher("short-salt"));

        // Assert
        Assert.Contains(PatientIdHasher.SaltKey, ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("short-salt", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GivenAnAuditRecord_WhenItIsPrinted_ThenThePatientIdIsLeftOut()
    {
        // Arrange
        var record = new HookAuditRecord
        {
            OccurredAt = DateTimeOffset.UnixEpoch,
            ServiceId = "cart-toxicity",
            Hook = "patient-view",
            HookInstance = "d1577c69-dfbe-44ad-ba6d-3e05e953b2ea",
            PatientId = "pat-secret-1",
            RuleSet = "cartcds@1.0.0",
            LatencyMs = 3,
            StatusCode = 200,
        };

        // Act
        var text = record.ToString();

        // Assert
        Assert.Contains("d1577c69-dfbe-44ad-ba6d-3e05e953b2ea", text, StringComparison.Ordinal);
        Assert.DoesNotContain("pat-secret-1", text, StringComparison.Ordinal);
    }

    private sealed class Env(string root) : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = "Testing";
        public string ApplicationName { get; set; } = "CarTCds.Service";
        public string ContentRootPath { get; set; } = root;
        public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();
    }
}
