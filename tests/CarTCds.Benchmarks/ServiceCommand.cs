using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using CarTCds.Hooks.Catalog;
using CarTCds.Hooks.Contract;
using CarTCds.Hooks.Evaluation;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace CarTCds.Benchmarks;

/// <summary><c>-- --service [N] [--chart C] [--endpoint E] [--warmup W] [--set KEY=VALUE]…</c>: the WHOLE
/// service per hook call, hosted in this process (<see cref="WebApplicationFactory{TEntryPoint}"/>'s test
/// server, the real <c>Program</c>) as the load run starts it: environment <c>LoadTest</c> (JSON console
/// log lines, formatted and then dropped), auth disabled, SQLite storage in a new temporary file, the
/// evaluation instant fixed. Sends W unmeasured then N measured calls (default 20, 200)
/// with the chart's request body (default 200 Observations) to each endpoint E (default all three:
/// <c>hook</c>, <c>parse-only</c>, <c>tokenise-only</c>; <c>--concurrency K</c>: K callers at a time, default 1;
/// <c>--kestrel</c>: Kestrel on a loopback port instead of the test server; <c>--threads</c>: switches by thread;
/// <c>--types</c>: sampled allocation by type; <c>--tids</c>: thread ids and names to stderr, for strace) and prints per call the bytes allocated by every
/// thread (<see cref="GC.GetTotalAllocatedBytes(bool)"/>: the client's side included) and the context
/// switches of the process's threads (/proc/self/task/*/status: thread-pool hops, the group-commit
/// thread's wake-ups). Then what the host adds to the hook: hook − tokenise-only − (read + engine +
/// serialise in process, as <c>--allocation</c> measures them). Allocation is deterministic up to a few
/// hundred bytes per call; for instructions run it under callgrind with N and 2N (tests/CarTCds.Benchmarks/README.md).</summary>
public static class ServiceCommand
{
    private const string ContentRootVariable = "ASPNETCORE_TEST_CONTENTROOT_CARTCDS_SERVICE";

    public static int Run(string[] args)
    {
        var calls = args.Length > 0 && int.TryParse(args[0], CultureInfo.InvariantCulture, out var n) ? n : 200;
        var chart = Option(args, "--chart") ?? "200";
        var warmup = Option(args, "--warmup") is { } w ? int.Parse(w, CultureInfo.InvariantCulture) : 20;
        var concurrency = Option(args, "--concurrency") is { } k ? int.Parse(k, CultureInfo.InvariantCulture) : 1;
        string[] endpoints = Option(args, "--endpoint") is { } e ? [e] : ["hook", "parse-only", "tokenise-only"];
        var settings = new List<KeyValuePair<string, string>>();
        for (var i = 0; i < args.Length - 1; i++)
        {
            if (args[i] != "--set") continue;
            var eq = args[i + 1].IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0) return Usage($"--set needs KEY=VALUE (was '{args[i + 1]}').");
            settings.Add(new(args[i + 1][..eq], args[i + 1][(eq + 1)..]));
        }

        var body = Scenario.ForChart(chart).RequestUtf8();
        var output = Console.Out;
        var database = Path.Combine(Path.GetTempPath(), $"cartcds-bench-{Guid.NewGuid():N}.db");
        // WebApplicationFactory looks for the service's content root (appsettings.json) beside the
        // solution file under the project's name; it is under src/ (a build tree copied elsewhere: set the variable).
        if (Environment.GetEnvironmentVariable(ContentRootVariable) is null && ServiceDirectory() is { } content)
        {
            Environment.SetEnvironmentVariable(ContentRootVariable, content);
        }
        // The service's JSON log lines are formatted as in the load run, then written nowhere.
        Console.SetOut(TextWriter.Null);
        try
        {
            using var factory = new LoadTestHost(database, settings);
            // `--kestrel`: the real server on a loopback port (sockets, HTTP/1.1 framing), as under wrk; else the test server.
            if (args.Contains("--kestrel")) factory.UseKestrel(0);
            using var client = factory.CreateClient();
            // Under callgrind a call can take minutes: no client deadline (the service keeps its own, --set CarTCds:RequestTimeout).
            client.Timeout = Timeout.InfiniteTimeSpan;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"chart {chart}: body {body.Length:N0} bytes, {calls} calls after {warmup} warm-ups, {concurrency} at a time{(settings.Count > 0 ? ", " + string.Join(", ", settings.Select(s => $"{s.Key}={s.Value}")) : "")}"));
            output.WriteLine("endpoint        all threads B/call   context switches/call");
            var perCall = new Dictionary<string, double>();
            foreach (var endpoint in endpoints)
            {
                var path = endpoint switch
                {
                    "hook" => "/cds-services/" + CdsServiceCatalog.ToxicityId,
                    "parse-only" => "/benchmark/parse-only/" + CdsServiceCatalog.ToxicityId,
                    "tokenise-only" => "/benchmark/tokenise-only",
                    _ => null,
                };
                if (path is null) return Usage($"--endpoint must be hook, parse-only or tokenise-only (was '{endpoint}').");
                Calls(client, path, body, warmup, concurrency);
                GC.Collect();
                using var types = args.Contains("--types") ? new AllocationSampler() : null;
                var bytes = GC.GetTotalAllocatedBytes(precise: true);
                var switches = ContextSwitches();
                var byThread = args.Contains("--threads") ? ContextSwitchesByThread() : null;
                Calls(client, path, body, calls, concurrency);
                var allocated = (double)(GC.GetTotalAllocatedBytes(precise: true) - bytes) / Math.Max(calls, 1);
                var switched = (double)(ContextSwitches() - switches) / Math.Max(calls, 1);
                perCall[endpoint] = allocated;
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{endpoint,-14} {allocated,19:N0} {switched,23:F1}"));
                types?.Print(output, calls);
                if (byThread is not null) PrintThreads(output, byThread, calls);
                if (args.Contains("--tids")) foreach (var (tid, thread) in ContextSwitchesByThread()) Console.Error.WriteLine($"tid {tid} {thread.Name}");
            }
            if (perCall.TryGetValue("hook", out var hook) && perCall.TryGetValue("tokenise-only", out var floor))
            {
                var inProcess = ReadEngineSerialise(body);
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"hook − tokenise-only {hook - floor:N0} B = read + engine + serialise in process {inProcess:N0} B + what the service adds {hook - floor - inProcess:N0} B"));
            }
        }
        finally
        {
            Console.SetOut(output);
            foreach (var file in new[] { database, database + "-wal", database + "-shm" }) File.Delete(file);
        }
        return 0;
    }

    // `calls` calls in all, `concurrency` of them in flight at a time (each caller sends its next once answered).
    private static void Calls(HttpClient client, string path, byte[] body, int calls, int concurrency)
    {
        var left = calls;
        Task.WhenAll(Enumerable.Range(0, Math.Max(concurrency, 1)).Select(async _ =>
        {
            while (Interlocked.Decrement(ref left) >= 0) await CallAsync(client, path, body).ConfigureAwait(false);
        })).GetAwaiter().GetResult();
    }

    private static async Task CallAsync(HttpClient client, string path, byte[] body)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await client.PostAsync(new Uri(path, UriKind.Relative), content).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"POST {path} answered {(int)response.StatusCode}.");
        await response.Content.CopyToAsync(Stream.Null).ConfigureAwait(false);
    }

    // The in-process call of --allocation (read, engine, serialise), on this thread: median of 9 after 3.
    private static long ReadEngineSerialise(byte[] body)
    {
        var evaluator = CdsEngine.Create(new FixedTimeProvider(SyntheticPatient.Now));
        var samples = new long[12];
        for (var i = 0; i < samples.Length; i++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            var request = CdsRequestReader.Read(body).Request!;
            var result = evaluator.EvaluateAsync(CdsServiceCatalog.ToxicityId, request, CancellationToken.None).GetAwaiter().GetResult();
            GC.KeepAlive(JsonSerializer.SerializeToUtf8Bytes(result.Response!, CdsJson.Response));
            samples[i] = GC.GetAllocatedBytesForCurrentThread() - before;
        }
        var measured = samples[3..];
        Array.Sort(measured);
        return measured[measured.Length / 2];
    }

    // Voluntary and involuntary context switches of the process's live threads (Linux; 0 elsewhere).
    private static long ContextSwitches() => ContextSwitchesByThread().Values.Sum(t => t.Switches);

    // Per live thread (id → name, switches): where the switches of `--threads` are.
    private static Dictionary<string, (string Name, long Switches)> ContextSwitchesByThread()
    {
        var threads = new Dictionary<string, (string, long)>(StringComparer.Ordinal);
        if (!Directory.Exists("/proc/self/task")) return threads;
        foreach (var task in Directory.EnumerateDirectories("/proc/self/task"))
        {
            try
            {
                long total = 0;
                foreach (var line in File.ReadLines(Path.Combine(task, "status")))
                {
                    if (line.StartsWith("voluntary_ctxt_switches:", StringComparison.Ordinal) || line.StartsWith("nonvoluntary_ctxt_switches:", StringComparison.Ordinal))
                    {
                        total += long.Parse(line.AsSpan(line.IndexOf(':', StringComparison.Ordinal) + 1).Trim(), CultureInfo.InvariantCulture);
                    }
                }
                threads[Path.GetFileName(task)] = (File.ReadAllText(Path.Combine(task, "comm")).Trim(), total);
            }
            catch (IOException)
            {
                // The thread ended meanwhile.
            }
        }
        return threads;
    }

    private static void PrintThreads(TextWriter output, Dictionary<string, (string Name, long Switches)> before, int calls)
    {
        var after = ContextSwitchesByThread();
        foreach (var group in after.Select(t => (t.Value.Name, Delta: t.Value.Switches - (before.TryGetValue(t.Key, out var b) ? b.Switches : 0)))
            .GroupBy(t => t.Name).Select(g => (Name: g.Key, Threads: g.Count(), Delta: g.Sum(t => t.Delta))).Where(g => g.Delta > 0).OrderByDescending(g => g.Delta))
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"    {(double)group.Delta / Math.Max(calls, 1),7:F1}/call  {group.Name} ({group.Threads} threads)"));
        }
    }

    // src/CarTCds.Service of the repository this build tree is in.
    private static string? ServiceDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var service = Path.Combine(dir.FullName, "src", "CarTCds.Service");
            if (File.Exists(Path.Combine(service, "appsettings.json"))) return service;
        }
        return null;
    }

    private static string? Option(string[] args, string name) => LoadRunCommands.Option(args, name);

    private static int Usage(string message)
    {
        Console.Error.WriteLine($"{message} See tests/CarTCds.Benchmarks/README.md (--service).");
        return 2;
    }

    // `--types`: the runtime's allocation sampling (GC AllocationTick, one event per ~100 KB allocated,
    // naming the type that crossed it) summed by type: a statistical picture of what the bytes are.
    private sealed class AllocationSampler : System.Diagnostics.Tracing.EventListener
    {
        private readonly Dictionary<string, long> _bytes = new(StringComparer.Ordinal);

        protected override void OnEventSourceCreated(System.Diagnostics.Tracing.EventSource eventSource)
        {
            if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
            {
                EnableEvents(eventSource, System.Diagnostics.Tracing.EventLevel.Verbose, (System.Diagnostics.Tracing.EventKeywords)0x1);
            }
        }

        protected override void OnEventWritten(System.Diagnostics.Tracing.EventWrittenEventArgs eventData)
        {
            if (eventData.EventName is not { } name || !name.StartsWith("GCAllocationTick", StringComparison.Ordinal) || eventData.PayloadNames is null) return;
            var type = eventData.Payload![eventData.PayloadNames.IndexOf("TypeName")] as string ?? "?";
            var amount = Convert.ToInt64(eventData.Payload[eventData.PayloadNames.IndexOf("AllocationAmount64")], CultureInfo.InvariantCulture);
            lock (_bytes) _bytes[type] = _bytes.GetValueOrDefault(type) + amount;
        }

        public void Print(TextWriter output, int calls)
        {
            lock (_bytes)
            {
                foreach (var (type, bytes) in _bytes.OrderByDescending(t => t.Value).Take(40))
                {
                    output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"    {bytes / Math.Max(calls, 1),9:N0} B/call  {type}"));
                }
            }
        }
    }

    // The load run's service (tests/load/run.sh), in process.
    private sealed class LoadTestHost(string database, IReadOnlyList<KeyValuePair<string, string>> settings) : WebApplicationFactory<global::Program>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment("LoadTest");
            builder.UseSetting("CarTCds:Auth:Disabled", "true");
            builder.UseSetting("CarTCds:Benchmark:ParseOnlyEndpoint", "true");
            builder.UseSetting("CarTCds:Benchmark:TokeniseOnlyEndpoint", "true");
            builder.UseSetting("CarTCds:Now", SyntheticPatient.Now.ToString("O", CultureInfo.InvariantCulture));
            builder.UseSetting("CarTCds:Storage:Sqlite:Path", database);
            foreach (var (key, value) in settings) builder.UseSetting(key, value);
        }
    }
}
