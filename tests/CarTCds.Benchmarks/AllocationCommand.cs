using System.Globalization;
using System.Text.Json;
using CarTCds.Hooks.Catalog;
using CarTCds.Hooks.Contract;
using CarTCds.Hooks.Evaluation;

namespace CarTCds.Benchmarks;

/// <summary><c>-- --allocation [CHART…]</c>: bytes allocated per call on this thread
/// (<see cref="GC.GetAllocatedBytesForCurrentThread"/>) by the request read, the engine and the whole
/// call (<see cref="HookPipelineBenchmarks"/>'s stages), at the benchmarks' charts (default 200, 1000,
/// 10000, 5000/200). Allocation is deterministic, so unlike timings it can be measured on a busy
/// machine; the figure is the median of 9 calls after 3 warm-ups.</summary>
public static class AllocationCommand
{
    public static int Run(string[] charts)
    {
        var evaluator = CdsEngine.Create(new FixedTimeProvider(SyntheticPatient.Now));
        Console.WriteLine("chart      body bytes   read B   (read whole B)   engine B   serialise B   call B   call/body");
        foreach (var chart in charts.Length > 0 ? charts : ["200", "1000", "10000", "5000/200"])
        {
            var body = Scenario.ForChart(chart).RequestUtf8();
            var read = Measure(() => CdsRequestReader.Read(body).Request);
            var readWhole = Measure(() => CdsRequestReader.Read(body, readWhole: true).Request);
            var request = CdsRequestReader.Read(body).Request!;
            var engine = Measure(() => evaluator.EvaluateAsync(CdsServiceCatalog.ToxicityId, request, CancellationToken.None).GetAwaiter().GetResult());
            var response = evaluator.EvaluateAsync(CdsServiceCatalog.ToxicityId, request, CancellationToken.None).GetAwaiter().GetResult().Response!;
            var serialise = Measure(() => JsonSerializer.SerializeToUtf8Bytes(response, CdsJson.Response));
            var call = Measure(() =>
            {
                var r = CdsRequestReader.Read(body).Request!;
                var result = evaluator.EvaluateAsync(CdsServiceCatalog.ToxicityId, r, CancellationToken.None).GetAwaiter().GetResult();
                return JsonSerializer.SerializeToUtf8Bytes(result.Response!, CdsJson.Response);
            });
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{chart,-9} {body.Length,11:N0} {read,10:N0} {readWhole,14:N0} {engine,12:N0} {serialise,11:N0} {call,12:N0} {(double)call / body.Length,8:F2}x"));
        }
        return 0;
    }

    private static long Measure<T>(Func<T> action)
    {
        for (var i = 0; i < 3; i++) GC.KeepAlive(action());
        var samples = new long[9];
        for (var i = 0; i < samples.Length; i++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            var result = action();
            samples[i] = GC.GetAllocatedBytesForCurrentThread() - before;
            GC.KeepAlive(result);
        }
        Array.Sort(samples);
        return samples[samples.Length / 2];
    }
}
