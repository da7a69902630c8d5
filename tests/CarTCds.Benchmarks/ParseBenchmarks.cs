using BenchmarkDotNet.Attributes;
using CarTCds.Hooks.Contract;
using CarTCds.Hooks.Evaluation;

namespace CarTCds.Benchmarks;

/// <summary><see cref="CdsRequestReader.Read"/> of the cart-toxicity request body (UTF-8 JSON with
/// the prefetch Bundles), the parse that every hook call pays before the engine: as the hook reads it
/// (skipping the Observations no rule reads, issue 21) and read whole (before), at 200, 1,000 and
/// 10,000 Observations and at 5,000 of which 200 are relevant.</summary>
[MemoryDiagnoser]
public class ParseBenchmarks
{
    private byte[] _body = null!;

    /// <summary>Observations in the chart, and after a slash how many of them are relevant (default all).</summary>
    [Params("200", "1000", "10000", "5000/200")]
    public string Chart { get; set; } = "200";

    [GlobalSetup]
    public void Setup()
    {
        _body = Scenario.ForChart(Chart).RequestUtf8();
        var (request, error) = CdsRequestReader.Read(_body);
        if (error is not null || request?.Prefetch is not { Count: > 0 }) throw new InvalidOperationException($"The request body does not parse: {error?.Outcome.Summary}");
    }

    [Benchmark(Baseline = true)]
    public CdsHookRequest? Read() => CdsRequestReader.Read(_body).Request;

    [Benchmark]
    public CdsHookRequest? ReadWhole() => CdsRequestReader.Read(_body, readWhole: true).Request;
}
