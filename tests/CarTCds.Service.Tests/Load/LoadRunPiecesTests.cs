using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using CarTCds.Benchmarks;
using CarTCds.Fhir.Model;
using CarTCds.Hooks.Catalog;
using CarTCds.Hooks.Contract;
using CarTCds.Hooks.Evaluation;
using CarTCds.Service.Tests.TestSupport;

namespace CarTCds.Service.Tests.Load;

/// <summary>The pieces of the load run (tests/load) that can be checked fast: the budgets file, the
/// summariser against a recorded run (tests/load/sample), and the request and patient the run sends.
/// The load run itself is not part of CI (minutes long, noisy on shared cores).</summary>
[Collection(CarTCdsServiceCollection.Name)]
public sealed partial class LoadRunPiecesTests(CarTCdsWebApplicationFactory factory)
{
    private static readonly string Root = FindRoot();
    private static readonly string LoadDir = Path.Combine(Root, "tests", "load");
    private static readonly string Sample = Path.Combine(LoadDir, "sample");
    private static readonly string Budgets = Path.Combine(LoadDir, "budgets.json");

    [Fact]
    public void GivenBudgetsJson_WhenRead_ThenEveryBudgetHasAMetricAUnitATargetAndExactlyOneBound()
    {
        // Arrange + Act
        using var doc = JsonDocument.Parse(File.ReadAllText(Budgets));
        var budgets = doc.RootElement.GetProperty("budgets").EnumerateObject().ToList();

        // Assert: the issue's eight targets and the 1,000 req/s check are all there.
        Assert.Equal(9, budgets.Count);
        Assert.All(budgets, b =>
        {
            Assert.False(string.IsNullOrWhiteSpace(b.Value.GetProperty("metric").GetString()));
            Assert.False(string.IsNullOrWhiteSpace(b.Value.GetProperty("unit").GetString()));
            Assert.False(string.IsNullOrWhiteSpace(b.Value.GetProperty("target").GetString()));
            Assert.True(b.Value.TryGetProperty("min", out _) ^ b.Value.TryGetProperty("max", out _), $"{b.Name}: exactly one of min/max");
        });
        Assert.Equal(0.60, doc.RootElement.GetProperty("budgets").GetProperty("hook-throughput").GetProperty("min").GetDouble());
    }

    [Fact]
    public async Task GivenTheRecordedSample_WhenSummarised_ThenEveryBudgetIsJudgedAndTheRatioIsTheMedianOfHookOverParseOnly()
    {
        // Arrange
        var summary = Path.Combine(Path.GetTempPath(), $"cartcds-load-summary-{Guid.NewGuid():N}.json");
        try
        {
            // Act
            var (exit, output) = await SummariseAsync(Sample, Budgets, "--engine-csv", Path.Combine(Sample, "engine.csv"), "--json", summary);

            // Assert: a verdict for every budget, none unmeasured, and the exit code says whether one was missed.
            using var budgets = JsonDocument.Parse(File.ReadAllText(Budgets));
            var verdicts = new Dictionary<string, string>();
            foreach (var b in budgets.RootElement.GetProperty("budgets").EnumerateObject())
            {
                var line = Assert.Single(output.Split('\n'), l => l.Contains($" {b.Name}: ", StringComparison.Ordinal));
                verdicts[b.Name] = line.Trim().Split(' ')[0];
                Assert.Contains(verdicts[b.Name], new[] { "met", "MISSED" });
            }
            Assert.Equal(verdicts.ContainsValue("MISSED") ? 1 : 0, exit);

            // The ratio, recomputed here from the recorded wrk outputs (median of the per-round ratios).
            var ratios = Directory.GetFiles(Sample, "hook-*.wrk.txt").Order(StringComparer.Ordinal)
                .Zip(Directory.GetFiles(Sample, "parse-only-*.wrk.txt").Order(StringComparer.Ordinal), (h, p) => Rps(h) / Rps(p))
                .Order().ToList();
            Assert.Equal(3, ratios.Count);
            using var json = JsonDocument.Parse(File.ReadAllText(summary));
            Assert.Equal(ratios[1], json.RootElement.GetProperty("metrics").GetProperty("hook_vs_parse_only_ratio").GetDouble(), 6);
            Assert.Equal(ratios[1] >= 0.60 ? "met" : "MISSED", verdicts["hook-throughput"]);
        }
        finally
        {
            File.Delete(summary);
        }
    }

    [Fact]
    public async Task GivenAStartUpBudgetTheSampleExceeds_WhenSummarised_ThenThatBudgetIsMissedAndTheExitCodeIs1()
    {
        // Arrange: the recorded start-up is far above 1 ms.
        var budgets = Path.Combine(Path.GetTempPath(), $"cartcds-budgets-{Guid.NewGuid():N}.json");
        var summary = budgets + ".summary.json";
        await File.WriteAllTextAsync(budgets, """
            {"budgets":{"startup":{"metric":"startup_ms","max":1,"unit":"ms","target":"start-up within 1 ms"}}}
            """);
        try
        {
            // Act
            var (exit, output) = await SummariseAsync(Sample, budgets, "--json", summary);

            // Assert
            Assert.Equal(1, exit);
            Assert.Contains(output.Split('\n'), l => l.TrimStart().StartsWith("MISSED", StringComparison.Ordinal) && l.Contains(" startup: ", StringComparison.Ordinal));
        }
        finally
        {
            File.Delete(budgets);
            File.Delete(summary);
        }
    }

    /// <summary>A temporary copy of tests/load/sample for a test to alter; the caller deletes it.</summary>
    private static DirectoryInfo CopyOfSample()
    {
        var copy = Directory.CreateTempSubdirectory("cartcds-load-sample-");
        foreach (var file in Directory.GetFiles(Sample)) File.Copy(file, Path.Combine(copy.FullName, Path.GetFileName(file)));
        return copy;
    }

    [Fact]
    public async Task GivenThreeTimedStarts_WhenSummarised_ThenTheStartUpIsTheirMedianAndEachIsKept()
    {
        // Arrange: a copy of the sample with three start-ups, as run.sh writes them (LOAD_STARTS), slowest first.
        var copy = CopyOfSample();
        var summary = Path.Combine(copy.FullName, "summary.json");
        try
        {
            await File.WriteAllTextAsync(Path.Combine(copy.FullName, "startup-ms.txt"), "1540\n1262\n1274\n");

            // Act
            var (_, output) = await SummariseAsync(copy.FullName, Budgets, "--json", summary);

            // Assert: the median, not the first (which follows the builds) nor the mean.
            using var json = JsonDocument.Parse(File.ReadAllText(summary));
            var metrics = json.RootElement.GetProperty("metrics");
            Assert.Equal(1274, metrics.GetProperty("startup_ms").GetDouble());
            Assert.Equal([1540.0, 1262.0, 1274.0], metrics.GetProperty("startup_ms_each").EnumerateArray().Select(e => e.GetDouble()));
            Assert.Contains(output.Split('\n'), l => l.TrimStart().StartsWith("met", StringComparison.Ordinal) && l.Contains(" startup: ", StringComparison.Ordinal));
        }
        finally
        {
            copy.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task GivenTokeniseOnlyHalfRateAndBigBodyRounds_WhenSummarised_ThenTheFloorRatiosAreMediansAndEachFloorBudgetIsJudged()
    {
        // Arrange: a copy of the sample with the files run.sh writes for the tokenise-only floor — its
        // rounds are the recorded parse-only rounds, the half-rate rounds the recorded fixed-rate run
        // (so that p99 ratio is exactly 1), the 5,000/200 rounds hook round 1 against parse-only round 1;
        // a pipeline CSV allocating 3 x the body.
        var copy = CopyOfSample();
        var summary = Path.Combine(copy.FullName, "summary.json");
        try
        {
            foreach (var r in new[] { 1, 2, 3 })
            {
                File.Copy(Path.Combine(Sample, $"parse-only-{r}.wrk.txt"), Path.Combine(copy.FullName, $"tokenise-only-{r}.wrk.txt"));
            }
            File.Copy(Path.Combine(Sample, "fixed-rate.hey.txt"), Path.Combine(copy.FullName, "half-rate-hook-1.hey.txt"));
            File.Copy(Path.Combine(Sample, "fixed-rate.hey.txt"), Path.Combine(copy.FullName, "half-rate-tokenise-only-1.hey.txt"));
            File.Copy(Path.Combine(Sample, "hook-1.wrk.txt"), Path.Combine(copy.FullName, "big-hook-1.wrk.txt"));
            File.Copy(Path.Combine(Sample, "parse-only-1.wrk.txt"), Path.Combine(copy.FullName, "big-tokenise-only-1.wrk.txt"));
            await File.WriteAllBytesAsync(Path.Combine(copy.FullName, "body.json"), new byte[1000]);
            var pipelineCsv = Path.Combine(copy.FullName, "pipeline.csv");
            await File.WriteAllTextAsync(pipelineCsv, "Method,Job,Chart,Mean,Allocated\nCall,Dry,200,1.0 ms,3000 B\nTokenise,Dry,200,0.1 ms,0 B\nCall,Dry,5000/200,9 ms,1 MB\n");

            // Act
            var (_, output) = await SummariseAsync(copy.FullName, Budgets, "--pipeline-csv", pipelineCsv, "--json", summary);

            // Assert
            var ratios = new[] { 1, 2, 3 }
                .Select(r => Rps(Path.Combine(Sample, $"hook-{r}.wrk.txt")) / Rps(Path.Combine(Sample, $"parse-only-{r}.wrk.txt")))
                .Order().ToList();
            using var json = JsonDocument.Parse(File.ReadAllText(summary));
            var metrics = json.RootElement.GetProperty("metrics");
            Assert.Equal(ratios[1], metrics.GetProperty("hook_vs_tokenise_only_ratio").GetDouble(), 6);
            Assert.Equal(1.0, metrics.GetProperty("half_rate_p99_over_tokenise_only").GetDouble(), 6);
            Assert.Equal(Rps(Path.Combine(Sample, "parse-only-1.wrk.txt")) / Rps(Path.Combine(Sample, "hook-1.wrk.txt")),
                metrics.GetProperty("relevant_200_of_5000_cost_vs_tokenise").GetDouble(), 6);
            Assert.Equal(3.0, metrics.GetProperty("alloc_per_hook_over_body").GetDouble(), 6);
            using var budgets = JsonDocument.Parse(File.ReadAllText(Budgets));
            foreach (var b in budgets.RootElement.GetProperty("floor").GetProperty("budgets").EnumerateObject())
            {
                var line = Assert.Single(output.Split('\n'), l => l.Contains($" {b.Name}: ", StringComparison.Ordinal));
                Assert.Contains(line.Trim().Split(' ')[0], new[] { "met", "MISSED" });
            }
            Assert.StartsWith("MISSED", Assert.Single(output.Split('\n'), l => l.Contains(" alloc-per-hook: ", StringComparison.Ordinal)).Trim(), StringComparison.Ordinal);
            Assert.StartsWith("met", Assert.Single(output.Split('\n'), l => l.Contains(" half-rate-p99: ", StringComparison.Ordinal)).Trim(), StringComparison.Ordinal);
        }
        finally
        {
            copy.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task GivenARoundWithNon2xxAnswers_WhenSummarised_ThenTheResultsAreRefusedWithExitCode2()
    {
        // Arrange: a copy of the sample whose first hook round had 4xx answers (their requests/s would mean nothing).
        var copy = CopyOfSample();
        try
        {
            await File.AppendAllTextAsync(Path.Combine(copy.FullName, "hook-1.wrk.txt"), "  Non-2xx or 3xx responses: 12\n");

            // Act
            var (exit, output) = await SummariseAsync(copy.FullName, Budgets);

            // Assert
            Assert.Equal(2, exit);
            Assert.Contains("12 requests failed or were answered non-2xx", output, StringComparison.Ordinal);
        }
        finally
        {
            copy.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task GivenTheLoadRunBody_WhenPostedToTheToxicityHook_Then200WithCardsFromItsPrefetchOf200Observations()
    {
        // Arrange
        var body = LoadRunCommands.WriteBody(LoadRunCommands.DefaultObservations);
        using (var doc = JsonDocument.Parse(body))
        {
            Assert.Equal(200, doc.RootElement.GetProperty("prefetch").GetProperty("observations").GetProperty("entry").GetArrayLength());
        }
        var client = factory.CreateClient();

        // Act
        var response = await client.PostBytesAsync(HookJson.ToxicityPath, body);

        // Assert
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        using var answer = JsonDocument.Parse(text);
        Assert.NotEqual(0, answer.RootElement.GetProperty("cards").GetArrayLength());
    }

    /// <summary>The load run's big body (5,000 Observations, 200 of them the storyline, the rest codes no
    /// rule reads): the hook reader skips exactly those 4,800, and the cards are those of the whole read.</summary>
    [Fact]
    public async Task GivenTheBodyOf5000ObservationsWith200Relevant_WhenReadForTheHookAndReadWhole_ThenTheOthersAreSkippedAndTheCardsAreTheSame()
    {
        // Arrange
        var body = LoadRunCommands.WriteBody(5000, relevant: 200);
        var engine = CdsEngine.Create(new FixedTimeProvider(SyntheticPatient.Now));

        // Act
        var (skipping, skipError) = CdsRequestReader.Read(body);
        var (whole, wholeError) = CdsRequestReader.Read(body, readWhole: true);
        var fromSkipping = await engine.EvaluateAsync(CdsServiceCatalog.ToxicityId, skipping!, CancellationToken.None);
        var fromWhole = await engine.EvaluateAsync(CdsServiceCatalog.ToxicityId, whole!, CancellationToken.None);

        // Assert
        Assert.Null(skipError);
        Assert.Null(wholeError);
        var observations = ((Bundle)skipping!.Prefetch!["observations"]!).Resources().ToList();
        Assert.Equal(5000, observations.Count);
        var others = observations.Where(r => r.Id!.StartsWith("bench-other-", StringComparison.Ordinal)).ToList();
        Assert.Equal(4800, others.Count);
        Assert.All(others, r => Assert.IsType<SkippedResource>(r));
        // Of the storyline, only its SpO2 readings (on room air; no rule reads them) are skipped.
        var wholeById = ((Bundle)whole!.Prefetch!["observations"]!).Resources().OfType<Observation>().ToDictionary(o => o.Id!);
        Assert.All(observations.Except(others).OfType<SkippedResource>(), r => Assert.Equal("59408-5", wholeById[r.Id!].Code!.Coding![0].Code));
        static string Cards(HookResult result) => string.Join("\n", result.Response!.Cards!.Select(c =>
            $"{c.Indicator}|{c.Summary}|{c.Detail}|{JsonSerializer.Serialize(c.Extension, CdsJson.Options)}"));
        Assert.NotEmpty(fromSkipping.Response!.Cards!);
        Assert.Equal(Cards(fromWhole), Cards(fromSkipping));
    }

    [Fact]
    public void GivenTheNoPrefetchBody_WhenWritten_ThenItHasNoPrefetchAndNamesTheFhirServer()
    {
        // Arrange + Act
        using var doc = JsonDocument.Parse(LoadRunCommands.WriteBody(200, "http://127.0.0.1:1234"));

        // Assert
        Assert.False(doc.RootElement.TryGetProperty("prefetch", out _));
        Assert.Equal("http://127.0.0.1:1234", doc.RootElement.GetProperty("fhirServer").GetString());
        Assert.Equal(SyntheticPatient.PatientId, doc.RootElement.GetProperty("context").GetProperty("patientId").GetString());
    }

    [Fact]
    public void GivenThePatientWriter_WhenWritten_ThenATransactionBundleOfPutsWith200ObservationsForThatPatient()
    {
        // Arrange + Act
        using var doc = JsonDocument.Parse(LoadRunCommands.WritePatient(200));

        // Assert
        var root = doc.RootElement;
        Assert.Equal("Bundle", root.GetProperty("resourceType").GetString());
        Assert.Equal("transaction", root.GetProperty("type").GetString());
        var entries = root.GetProperty("entry").EnumerateArray().ToList();
        Assert.Equal(200, entries.Count(e => e.GetProperty("resource").GetProperty("resourceType").GetString() == "Observation"));
        Assert.All(entries, e => Assert.Equal("PUT", e.GetProperty("request").GetProperty("method").GetString()));
        Assert.Single(entries, e => e.GetProperty("request").GetProperty("url").GetString() == $"Patient/{SyntheticPatient.PatientId}");
    }

    [Fact]
    public void GivenTheToxicityQueries_WhenRendered_ThenEachNamesThePatientAndNoTokenIsLeft()
    {
        // Arrange + Act
        var queries = LoadRunCommands.ToxicityQueries();

        // Assert
        Assert.NotEmpty(queries);
        Assert.All(queries, q =>
        {
            Assert.Contains(SyntheticPatient.PatientId, q, StringComparison.Ordinal);
            Assert.DoesNotContain("{{", q, StringComparison.Ordinal);
        });
    }

    [Fact]
    public void GivenTheK8sManifests_WhenRead_ThenTheirMemoryFiguresAreTheOnesTheMemoryRunMeasured()
    {
        // Arrange
        var deployment = File.ReadAllText(Path.Combine(Root, "deploy", "k8s", "deployment.yaml"));
        var configMap = File.ReadAllText(Path.Combine(Root, "deploy", "k8s", "configmap.yaml"));
        var memoryRun = File.ReadAllText(Path.Combine(LoadDir, "memory.sh"));
        using var budgets = JsonDocument.Parse(File.ReadAllText(Budgets));

        // Act
        var resources = ManifestMemory().Match(deployment);
        var limitBytes = Mebibytes(resources, "limits");
        var requestBytes = Mebibytes(resources, "requests");
        var heapPercent = Convert.ToInt64(HeapHardLimitPercent().Match(deployment).Groups[1].Value, 16); // DOTNET_GC* values are hexadecimal
        var measuredHeap = Convert.ToInt64(MemoryRunHeapLimit().Match(memoryRun).Groups[1].Value, 16);
        var admission = long.Parse(AdmissionBudget().Match(configMap).Groups[1].Value, CultureInfo.InvariantCulture);
        var settledRssBudgetMb = budgets.RootElement.GetProperty("memory").GetProperty("budgets").GetProperty("memory-settled-rss").GetProperty("max").GetDouble();

        // Assert: the pod's GC heap is the heap memory.sh ran under; the pod is scheduled with at least the
        // RSS budget; the admission budget is the one memory.sh ran with (it sets none: the default).
        Assert.True(resources.Success, "deployment.yaml: resources.requests/limits.memory in Mi not found");
        Assert.Equal(measuredHeap, limitBytes * heapPercent / 100);
        Assert.True(requestBytes >= settledRssBudgetMb * 1_000_000, $"requests.memory {requestBytes} B < the RSS budget {settledRssBudgetMb} MB");
        Assert.DoesNotContain("MaxBufferedBodyBytes", memoryRun, StringComparison.Ordinal);
        Assert.Equal(new CarTCds.Service.Hosting.RequestBodyAdmissionOptions().MaxBufferedBodyBytes, admission);
    }

    private static long Mebibytes(Match resources, string group) =>
        long.Parse(resources.Groups[group].Value, CultureInfo.InvariantCulture) * 1024 * 1024;

    // resources: requests (cpu, memory) then limits (cpu, memory), comment lines allowed between.
    [GeneratedRegex(@"resources:\s*\n\s*requests:\s*\n(?:\s*(?:#[^\n]*|cpu:[^\n]*)\n)*\s*memory:\s*(?<requests>\d+)Mi[^\n]*\n\s*limits:\s*\n(?:\s*(?:#[^\n]*|cpu:[^\n]*)\n)*\s*memory:\s*(?<limits>\d+)Mi")]
    private static partial Regex ManifestMemory();

    [GeneratedRegex(@"name:\s*DOTNET_GCHeapHardLimitPercent\s*\n\s*value:\s*""0x([0-9A-Fa-f]+)""")]
    private static partial Regex HeapHardLimitPercent();

    [GeneratedRegex(@"MEMORY_HEAP_LIMIT:-0x([0-9A-Fa-f]+)")]
    private static partial Regex MemoryRunHeapLimit();

    [GeneratedRegex(@"CarTCds__Admission__MaxBufferedBodyBytes:\s*""(\d+)""")]
    private static partial Regex AdmissionBudget();

    private static double Rps(string wrkOutput) =>
        double.Parse(RequestsPerSecond().Match(File.ReadAllText(wrkOutput)).Groups[1].Value, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^Requests/sec:\s+([\d.]+)", RegexOptions.Multiline)]
    private static partial Regex RequestsPerSecond();

    private static async Task<(int Exit, string Output)> SummariseAsync(string results, string budgets, params string[] more)
    {
        var start = new ProcessStartInfo("python3") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { Path.Combine(LoadDir, "summarise.py"), results, "--budgets", budgets }.Concat(more)) start.ArgumentList.Add(a);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("python3 did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "CarTCds.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException("CarTCds.sln not found above the test's base directory.");
    }
}
