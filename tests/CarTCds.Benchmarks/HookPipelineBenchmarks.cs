using System.Text.Json;
using BenchmarkDotNet.Attributes;
using CarTCds.Hooks.Catalog;
using CarTCds.Hooks.Contract;
using CarTCds.Hooks.Evaluation;

namespace CarTCds.Benchmarks;

/// <summary>What one cart-toxicity call costs in process, body bytes to answer bytes: read the request
/// (<see cref="CdsRequestReader.Read"/>), the engine (<see cref="CdsServiceEvaluator.EvaluateAsync"/>)
/// and serialise the answer — at 200, 1,000 and 10,000 Observations, and at 5,000 of which only 200
/// are relevant to the rules (issue "Performance II": the hook should cost what its relevant facts
/// cost, not what its chart weighs; budget "allocation per hook ≤ 2 × body size"). Time and allocation
/// (MemoryDiagnoser); <see cref="Tokenise"/> is the floor, a <see cref="Utf8JsonReader"/> over the same body;
/// <see cref="CallReadingWhole"/> is the call with every resource materialised, as before the reader skipped
/// the Observations no rule reads (issue 21).</summary>
[MemoryDiagnoser]
public class HookPipelineBenchmarks
{
    private CdsServiceEvaluator _evaluator = null!;
    private byte[] _body = null!;

    /// <summary>Observations in the chart, and after a slash how many of them are relevant (default all).</summary>
    [Params("200", "1000", "10000", "5000/200")]
    public string Chart { get; set; } = "200";

    [GlobalSetup]
    public void Setup()
    {
        var scenario = Scenario.ForChart(Chart);
        _body = scenario.RequestUtf8();
        _evaluator = CdsEngine.Create(new FixedTimeProvider(SyntheticPatient.Now));

        // Measure the real path, not an error: the body must give cards.
        if (Call() is not { Length: > 0 } answer || !JsonDocument.Parse(answer).RootElement.GetProperty("cards").EnumerateArray().Any())
        {
            throw new InvalidOperationException($"The {Chart} chart's body gave no card.");
        }
        Console.WriteLine($"// {Chart}: request body {_body.Length:N0} bytes");
    }

    /// <summary>Read + engine + serialise.</summary>
    [Benchmark]
    public byte[]? Call() => Call(readWhole: false);

    /// <summary>The same with every resource read whole (the reader before issue 21 skipped the
    /// Observations no rule reads): the "before" of the same run.</summary>
    [Benchmark]
    public byte[]? CallReadingWhole() => Call(readWhole: true);

    private byte[]? Call(bool readWhole)
    {
        var (request, error) = CdsRequestReader.Read(_body, readWhole);
        if (error is not null) throw new InvalidOperationException(error.Outcome.Summary);
        var result = _evaluator.EvaluateAsync(CdsServiceCatalog.ToxicityId, request!, CancellationToken.None).GetAwaiter().GetResult();
        return result.Response is { } response ? JsonSerializer.SerializeToUtf8Bytes(response, CdsJson.Response) : null;
    }

    /// <summary>The floor: every token of the same body, nothing materialised.</summary>
    [Benchmark(Baseline = true)]
    public int Tokenise()
    {
        var reader = new Utf8JsonReader(_body);
        var tokens = 0;
        while (reader.Read()) tokens++;
        return tokens;
    }
}
