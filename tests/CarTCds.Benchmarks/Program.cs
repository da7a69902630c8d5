using System.Globalization;
using System.Text.Json;
using BenchmarkDotNet.Running;
using CarTCds.Hooks.Catalog;
using CarTCds.Hooks.Contract;
using CarTCds.Hooks.Evaluation;

namespace CarTCds.Benchmarks;

public static class Program
{
    public static int Main(string[] args)
    {
        // Load-run inputs and the FHIR server's own query time (tests/load/run.sh).
        if (LoadRunCommands.TryRunAsync(args).GetAwaiter().GetResult() is { } exit) return exit;

        // `-- --allocation [CHART…]`: bytes per call of the read, the engine and the whole call (AllocationCommand).
        if (args is ["--allocation", ..]) return AllocationCommand.Run(args[1..]);

        // `-- --service [N] …`: the whole service in process, bytes and context switches per call (ServiceCommand).
        if (args is ["--service", ..]) return ServiceCommand.Run(args[1..]);

        // `-- --repeat STAGE CHART N [DAY]`: the request read or an engine stage N times after one warm-up, for
        // callgrind's instruction counts (RepeatCommand).
        if (args is ["--repeat", ..]) return RepeatCommand.Run(args[1..]);

        // `-- --sizes`: what the benchmarks feed the engine (resources, request body bytes, the cards
        // it answers with), for the README and to check that the scenario is the one described.
        if (args is ["--sizes"])
        {
            var evaluator = CdsEngine.Create(new FixedTimeProvider(SyntheticPatient.Now));
            foreach (var n in new[] { 10, 100, 200, 1_000, 10_000 })
            {
                var scenario = Scenario.Create(n);
                var response = evaluator.EvaluateAsync(CdsServiceCatalog.ToxicityId, scenario.Request, CancellationToken.None).GetAwaiter().GetResult().Response;
                var responseBytes = response is null ? 0 : JsonSerializer.SerializeToUtf8Bytes(response, CdsJson.Response).Length;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{n,6} Observations: {scenario.Resources.Count,6} resources, request body {scenario.RequestUtf8().Length,10:N0} bytes, response {responseBytes,8:N0} bytes"));
                foreach (var card in response?.Cards ?? []) Console.WriteLine($"         [{card.Indicator}] {card.Summary}");
            }
            return 0;
        }
        // Reports go beside this project (git-ignored), not into the directory `dotnet run` was started from.
        if (!args.Contains("--artifacts") && ProjectDirectory() is { } project)
        {
            args = [.. args, "--artifacts", Path.Combine(project, "BenchmarkDotNet.Artifacts")];
        }
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }

    // bin/Release/net10.0/ → the folder holding CarTCds.Benchmarks.csproj, when run from a build tree.
    private static string? ProjectDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "CarTCds.Benchmarks.csproj"))) return dir.FullName;
        }
        return null;
    }
}
