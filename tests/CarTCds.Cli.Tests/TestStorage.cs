using Microsoft.AspNetCore.Hosting;

namespace CarTCds.Cli.Tests;

/// <summary>Each test host gets its own SQLite file (feedback, card registry, audit), so hosts never
/// share or race on a database and nothing is written into the source tree.</summary>
public static class TestStorage
{
    public static IWebHostBuilder UseTempSqlite(this IWebHostBuilder builder) =>
        builder.UseSetting("CarTCds:Storage:Sqlite:Path", Path.Combine(Path.GetTempPath(), $"cartcds-test-{Guid.NewGuid():N}.db"));
}
