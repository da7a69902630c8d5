using System.Globalization;
using CarTCds.Hooks.Evaluation;

namespace CarTCds.Benchmarks;

/// <summary><c>-- --repeat read|read-whole CHART N</c>: builds the chart's request body, reads it once (so the JIT and
/// start-up are paid), then N more times (read-whole: every resource materialised, no relevance peek, as
/// <see cref="CdsRequestReader.Read"/> with readWhole). Timings mean nothing on a shared machine, but instructions do:
/// run it under callgrind with N and with 0 and divide the difference by N for the instructions per read
/// (tests/load/README.md "Run O").</summary>
public static class RepeatCommand
{
    public static int Run(string[] args)
    {
        if (args is not [var stage and ("read" or "read-whole"), var chart, var count] || !int.TryParse(count, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
        {
            Console.Error.WriteLine("usage: --repeat read|read-whole CHART N   (CHART as 200, 1000 or 5000/200)");
            return 2;
        }
        var body = Scenario.ForChart(chart).RequestUtf8();
        var resources = 0;
        for (var i = 0; i <= n; i++)
        {
            var request = CdsRequestReader.Read(body, readWhole: stage == "read-whole").Request ?? throw new InvalidOperationException("The chart's request did not read.");
            resources += request.Prefetch?.Count ?? 0;
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{stage} {chart} ({body.Length:N0} bytes) {n + 1} times ({resources} prefetch entries)"));
        return 0;
    }
}
