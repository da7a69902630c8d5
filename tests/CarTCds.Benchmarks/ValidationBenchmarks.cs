using System.Text.Json;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using CarTCds.Fhir.Model;
using CarTCds.Fhir.Validation;
using CarTCds.Hooks.Catalog;
using CarTCds.Hooks.Contract;
using CarTCds.Hooks.Evaluation;
using CarTCds.Hooks.Facts;
using CarTCds.Rules.Facts;

namespace CarTCds.Benchmarks;

/// <summary>What profile validation (issue 6) costs the hook: the whole cart-toxicity evaluation in
/// process with the shipped profiles against the same with none (<see cref="ProfileValidator.Empty"/>,
/// the baseline: the Ratio column is the target "&lt; 5 % at 200 Observations"), and the checks
/// alone over every resource of the request. Category "hook": the hook as the service runs it
/// without HTTP — request body bytes parsed, evaluated, response serialized — with and without the
/// profiles (its own baseline).</summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class ValidationBenchmarks
{
    private byte[] _body = null!;
    private CdsServiceEvaluator _with = null!;
    private CdsServiceEvaluator _without = null!;
    private CdsHookRequest _request = null!;
    private IReadOnlyList<Resource> _resources = null!;
    private readonly ProfileValidator _profiles = ProfileValidator.Default;
    private Patient _patient = null!;

    [Params(200)]
    public int Observations { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var scenario = Scenario.Create(Observations);
        _request = scenario.Request;
        _body = scenario.RequestUtf8();
        _resources = scenario.Resources;
        _patient = scenario.Patient;
        var time = new FixedTimeProvider(SyntheticPatient.Now);
        _with = CdsEngine.Create(time);
        _without = CdsEngine.Create(time, profiles: ProfileValidator.Empty);

        // Both must answer the same cards, or the comparison measures different work.
        var a = _with.EvaluateAsync(CdsServiceCatalog.ToxicityId, _request, CancellationToken.None).GetAwaiter().GetResult();
        var b = _without.EvaluateAsync(CdsServiceCatalog.ToxicityId, _request, CancellationToken.None).GetAwaiter().GetResult();
        if (a.Response?.Cards is not { Count: > 0 } ca || b.Response?.Cards is not { } cb) throw new InvalidOperationException("Evaluation gave no card.");
        if (!ca.Select(c => c.Summary).SequenceEqual(cb.Select(c => c.Summary))) throw new InvalidOperationException("With and without validation answer differently.");
        if (a.ExcludedRecords != 0) throw new InvalidOperationException($"{a.ExcludedRecords} synthetic records fail their profiles.");
    }

    [Benchmark(Baseline = true), BenchmarkCategory("evaluate")]
    public Task<HookResult> EvaluateWithoutValidation() => _without.EvaluateAsync(CdsServiceCatalog.ToxicityId, _request, CancellationToken.None);

    [Benchmark, BenchmarkCategory("evaluate")]
    public Task<HookResult> EvaluateWithValidation() => _with.EvaluateAsync(CdsServiceCatalog.ToxicityId, _request, CancellationToken.None);

    [Benchmark(Baseline = true), BenchmarkCategory("hook")]
    public Task<byte[]> HookFromBodyWithoutValidation() => HookFromBody(_without);

    [Benchmark, BenchmarkCategory("hook")]
    public Task<byte[]> HookFromBodyWithValidation() => HookFromBody(_with);

    // What the endpoint does between the body and the answer: the same reader, the engine, the
    // response serializer (HTTP, authentication and the audit write are left out: they only add
    // to the denominator).
    private async Task<byte[]> HookFromBody(CdsServiceEvaluator engine)
    {
        var (request, error) = CdsRequestReader.Read(_body);
        if (error is not null) throw new InvalidOperationException(error.Outcome.Summary);
        var result = await engine.EvaluateAsync(CdsServiceCatalog.ToxicityId, request!, CancellationToken.None).ConfigureAwait(false);
        return JsonSerializer.SerializeToUtf8Bytes(result.Response!, CdsJson.Response);
    }

    /// <summary>The one stage validation changes (FHIR → facts), without and with the profiles: their
    /// difference is what validation adds inside the hook.</summary>
    [Benchmark(Baseline = true), BenchmarkCategory("facts")]
    public ClinicalFacts MapFactsWithoutValidation() => ClinicalFactsMapper.Map(_patient, _resources, profiles: ProfileValidator.Empty);

    [Benchmark, BenchmarkCategory("facts")]
    public ClinicalFacts MapFactsWithValidation() => ClinicalFactsMapper.Map(_patient, _resources, profiles: _profiles);

    /// <summary>Every resource of the request checked once (those no profile claims included).</summary>
    [Benchmark, BenchmarkCategory("checks")]
    public int ValidateAllResources()
    {
        var valid = 0;
        foreach (var r in _resources)
        {
            if (_profiles.Check(r, recognised: true).Outcome == ProfileOutcome.Valid) valid++;
        }
        return valid;
    }
}
