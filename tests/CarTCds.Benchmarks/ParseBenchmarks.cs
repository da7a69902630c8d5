using BenchmarkDotNet.Attributes;
using CarTCds.Hooks.Contract;
using CarTCds.Hooks.Evaluation;

namespace CarTCds.Benchmarks;

/// <summary><see cref="CdsRequestReader.Read"/> of the cart-toxicity request body (UTF-8 JSON with
/// the prefetch Bundles), the parse that every hook call pays before the engine.</summary>
[MemoryDiagnoser]
public class ParseBenchmarks
{
    private byte[] _body = null!;

    [Params(200, 10_000)]
    public int Observations { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _body = Scenario.Create(Observations).RequestUtf8();
        var (request, error) = CdsRequestReader.Read(_body);
        if (error is not null || request?.Prefetch is not { Count: > 0 }) throw new InvalidOperationException($"The request body does not parse: {error?.Outcome.Summary}");
    }

    [Benchmark]
    public CdsHookRequest? Read() => CdsRequestReader.Read(_body).Request;
}
