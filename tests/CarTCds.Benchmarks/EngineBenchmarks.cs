using BenchmarkDotNet.Attributes;
using CarTCds.Hooks.Catalog;
using CarTCds.Hooks.Contract;
using CarTCds.Hooks.Evaluation;

namespace CarTCds.Benchmarks;

/// <summary>The whole hook pipeline for cart-toxicity on an already-parsed request: request checks,
/// prefetch resolution, facts, every rule, the cards and the response validator (issue 3's
/// "10,000 Observations < 20 ms in-process"; issue 8's scaling curve and 20 MB budget).</summary>
[MemoryDiagnoser]
public class EngineBenchmarks
{
    private CdsServiceEvaluator _evaluator = null!;
    private CdsHookRequest _request = null!;

    [Params(10, 100, 1_000, 10_000)]
    public int Observations { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _request = Scenario.Create(Observations).Request;
        _evaluator = CdsEngine.Create(new FixedTimeProvider(SyntheticPatient.Now));

        // Measure the real path, not an error: the request must give cards.
        var result = _evaluator.EvaluateAsync(CdsServiceCatalog.ToxicityId, _request, CancellationToken.None).GetAwaiter().GetResult();
        if (result.Error is { } error) throw new InvalidOperationException($"Evaluation failed ({error.StatusCode}): {error.Outcome.Summary}");
        if (result.Response?.Cards is not { Count: > 0 }) throw new InvalidOperationException("Evaluation gave no card.");
    }

    [Benchmark]
    public Task<HookResult> Evaluate() => _evaluator.EvaluateAsync(CdsServiceCatalog.ToxicityId, _request, CancellationToken.None);
}
