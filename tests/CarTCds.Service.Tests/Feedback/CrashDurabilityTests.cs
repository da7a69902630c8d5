using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using CarTCds.Service.Tests.Storage;
using Microsoft.Data.Sqlite;

namespace CarTCds.Service.Tests.Feedback;

/// <summary>A service process killed (SIGKILL) while feedback is streaming in loses none it
/// acknowledged: the real service binary (<c>dotnet CarTCds.Service.dll</c>), on loopback with a
/// port of its choosing, a SQLite file of its own, killed and restarted several times.</summary>
/// <remarks>The kill lands the instant one acknowledgement arrives, while other requests are in
/// flight: a service that answered before its commit loses that entry (checked: answering before a
/// background write fails this test in most rounds, so three rounds make a miss unlikely). A kill
/// tests the order "commit, then 200"; that the commit reached the disk (synchronous=FULL) would
/// need a power cut, which no test here can make.</remarks>
public sealed partial class CrashDurabilityTests
{
    private const int Rounds = 3;
    private const int AcknowledgedRequestsBeforeKill = 60;
    private const int EntriesPerRequest = 5;
    private const int Writers = 4;

    [GeneratedRegex(@"http://127\.0\.0\.1:(\d+)")]
    private static partial Regex ListeningOn();

    [Fact]
    public async Task GivenAServiceAcknowledgingFeedback_WhenItsProcessIsKilledMidStream_ThenEveryAcknowledgedEntryIsThereAfterRestart()
    {
        // Arrange
        using var file = new TempSqliteFile();
        var workDir = Directory.CreateTempSubdirectory("cartcds-crash-");
        var acknowledged = new ConcurrentBag<string>();
        var inFlightAtKills = new List<long>();
        try
        {
            // Act
            for (var round = 0; round < Rounds; round++)
            {
                inFlightAtKills.Add(await StreamAndKillAsync(file.Path, workDir.FullName, acknowledged));
            }
            SqliteConnection.ClearAllPools();
            await using var restarted = await StorageHost.StartAsync(file.Settings);
            var stored = (await restarted.Feedback.ListAsync("cart-toxicity", CancellationToken.None)).Select(f => f.Entry.Card!).ToHashSet();

            // Assert
            var acked = acknowledged.ToList();
            Assert.True(inFlightAtKills.All(n => n > 0), $"a kill did not land mid-stream (requests in flight at each kill: {string.Join(", ", inFlightAtKills)})");
            var lost = acked.Where(c => !stored.Contains(c)).ToList();
            Assert.True(lost.Count == 0,
                $"{lost.Count} of {acked.Count} acknowledged entries are missing after the restart ({stored.Count} stored). " +
                "If none at all were kept, the service binary is not using durable storage: Program must call builder.AddCarTCdsStorage().");
            Assert.Equal("ok", await IntegrityAsync(file.Path));
        }
        finally
        {
            try { workDir.Delete(recursive: true); } catch (IOException) { }
        }
    }

    /// <summary>Starts the service on the database, streams feedback from several writers, kills the
    /// process as the Nth request is acknowledged, and returns how many requests were then in flight.</summary>
    private static async Task<long> StreamAndKillAsync(string databasePath, string workDir, ConcurrentBag<string> acknowledged)
    {
        using var child = StartService(databasePath, workDir);
        var output = new ConcurrentQueue<string>();
        var port = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        void Seen(string? line)
        {
            if (line is null) return;
            output.Enqueue(line);
            if (ListeningOn().Match(line) is { Success: true } m) port.TrySetResult(int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture));
        }
        child.OutputDataReceived += (_, e) => Seen(e.Data);
        child.ErrorDataReceived += (_, e) => Seen(e.Data);
        child.BeginOutputReadLine();
        child.BeginErrorReadLine();

        long started = 0, finished = 0, inFlightAtKill = -1;
        var killed = 0;
        var acknowledgedRequests = 0;
        try
        {
            var listening = await Task.WhenAny(port.Task, Task.Delay(TimeSpan.FromSeconds(60)));
            Assert.True(listening == port.Task, "the service did not start listening within 60 s:\n" + string.Join("\n", output));
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{await port.Task}"), Timeout = TimeSpan.FromSeconds(20) };

            void KillNow()
            {
                if (Interlocked.Exchange(ref killed, 1) == 1) return;
                Interlocked.Exchange(ref inFlightAtKill, Interlocked.Read(ref started) - Interlocked.Read(ref finished));
                child.Kill(entireProcessTree: true);
            }

            var writers = Enumerable.Range(0, Writers).Select(_ => Task.Run(async () =>
            {
                while (Volatile.Read(ref killed) == 0)
                {
                    var cards = Enumerable.Range(0, EntriesPerRequest).Select(_ => Guid.NewGuid().ToString()).ToList();
                    var body = FeedbackJson.Body(cards.Select(c => FeedbackJson.Overridden(c, "already-managed", "crash test")).ToArray());
                    Interlocked.Increment(ref started);
                    var counted = false;
                    try
                    {
                        using var content = new StringContent(body, Encoding.UTF8, "application/json");
                        using var response = await client.PostAsync(new Uri("/cds-services/cart-toxicity/feedback", UriKind.Relative), content);
                        if (response.StatusCode == HttpStatusCode.OK && await response.Content.ReadAsStringAsync() == $$"""{"accepted":{{EntriesPerRequest}}}""")
                        {
                            Interlocked.Increment(ref finished);
                            counted = true;
                            foreach (var c in cards) acknowledged.Add(c);
                            if (Interlocked.Increment(ref acknowledgedRequests) == AcknowledgedRequestsBeforeKill) KillNow();
                        }
                    }
                    catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException)
                    {
                        return; // the process is gone
                    }
                    finally
                    {
                        if (!counted) Interlocked.Increment(ref finished);
                    }
                }
            }));

            var all = Task.WhenAll(writers);
            Assert.True(await Task.WhenAny(all, Task.Delay(TimeSpan.FromSeconds(90))) == all, "the writers did not finish within 90 s");
            await all;
            Assert.True(Volatile.Read(ref killed) == 1,
                $"the service stopped answering after {acknowledgedRequests} acknowledged requests, before the kill:\n" + string.Join("\n", output.TakeLast(40)));
            await child.WaitForExitAsync();
            return Interlocked.Read(ref inFlightAtKill);
        }
        finally
        {
            if (!child.HasExited) child.Kill(entireProcessTree: true);
        }
    }

    private static Process StartService(string databasePath, string workDir)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "CarTCds.Service.dll");
        Assert.True(File.Exists(dll), $"{dll} is missing: the test project must reference CarTCds.Service");
        var psi = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet")
        {
            WorkingDirectory = workDir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(dll);
        psi.Environment["ASPNETCORE_URLS"] = "http://127.0.0.1:0";
        psi.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        psi.Environment["DOTNET_ENVIRONMENT"] = "Development";
        psi.Environment["CarTCds__Auth__Disabled"] = "true";
        psi.Environment["CarTCds__Storage__Provider"] = "Sqlite";
        psi.Environment["CarTCds__Storage__Sqlite__Path"] = databasePath;
        psi.Environment["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information";
        return Process.Start(psi) ?? throw new InvalidOperationException("the service process did not start");
    }

    private static async Task<string> IntegrityAsync(string path)
    {
        await using var c = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        await c.OpenAsync();
        await using var cmd = c.CreateCommand();
        cmd.CommandText = "PRAGMA integrity_check";
        return (string)(await cmd.ExecuteScalarAsync())!;
    }
}
