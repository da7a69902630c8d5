using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using CarTCds.Fhir.Serialization;
using CarTCds.Hooks.Contract;
using CarTCds.Hooks.Prefetch;

namespace CarTCds.Benchmarks;

/// <summary>The inputs and the FHIR-side yardstick of the load run (tests/load/run.sh), from the same
/// <see cref="SyntheticPatient"/> as the benchmarks:
/// <list type="bullet">
/// <item><c>--write-body PATH [--observations N] [--relevant R]</c>: the cart-toxicity request with every prefetch key filled (default N = 200; with R, only R of the N are the storyline and the rest irrelevant to the rules, <see cref="SyntheticPatient.Create"/>).</item>
/// <item><c>--write-body PATH --no-prefetch --fhir-server URL [--observations N]</c>: the same request without prefetch, naming the FHIR server the service must read.</item>
/// <item><c>--write-patient PATH [--observations N]</c>: the patient's transaction Bundle, to load into that FHIR server.</item>
/// <item><c>--time-fhir-queries URL [--rounds R] [--warmup W]</c>: the FHIR server's own query time — every query the
///   service sends for a no-prefetch cart-toxicity call, sent in parallel as the service does, R times in a row (default 200,
///   after W = 20 unrecorded); prints one JSON line with p50/p99/mean in ms.</item>
/// </list></summary>
public static class LoadRunCommands
{
    /// <summary>Observations in the load run's request (issue 8: "200-Observation request body").</summary>
    public const int DefaultObservations = 200;

    /// <summary>Runs the command in <paramref name="args"/>; null when the arguments are not a load-run command.</summary>
    public static async Task<int?> TryRunAsync(string[] args)
    {
        if (args.Length == 0 || args[0] is not ("--write-body" or "--write-patient" or "--time-fhir-queries")) return null;
        if (args.Length < 2) return Usage($"{args[0]} needs a value.");
        var observations = Option(args, "--observations") is { } n ? int.Parse(n, CultureInfo.InvariantCulture) : DefaultObservations;
        switch (args[0])
        {
            case "--write-body":
                var noPrefetch = args.Contains("--no-prefetch");
                var fhirServer = Option(args, "--fhir-server");
                if (noPrefetch && fhirServer is null) return Usage("--no-prefetch needs --fhir-server URL (where the service reads the data).");
                var relevant = Option(args, "--relevant") is { } rel ? int.Parse(rel, CultureInfo.InvariantCulture) : (int?)null;
                await File.WriteAllBytesAsync(args[1], WriteBody(observations, noPrefetch ? fhirServer : null, relevant)).ConfigureAwait(false);
                return 0;
            case "--write-patient":
                await File.WriteAllBytesAsync(args[1], WritePatient(observations)).ConfigureAwait(false);
                return 0;
            default:
                var rounds = Option(args, "--rounds") is { } r ? int.Parse(r, CultureInfo.InvariantCulture) : 200;
                var warmup = Option(args, "--warmup") is { } w ? int.Parse(w, CultureInfo.InvariantCulture) : 20;
                var timing = await TimeFhirQueriesAsync(new Uri(args[1].TrimEnd('/') + "/"), rounds, warmup).ConfigureAwait(false);
                Console.WriteLine(JsonSerializer.Serialize(timing, LoadRunJsonContext.Default.FhirQueryTiming));
                return 0;
        }
    }

    /// <summary>The cart-toxicity request body (UTF-8 JSON). With <paramref name="fhirServer"/>: no prefetch
    /// at all and <c>fhirServer</c> set, so the service reads every key from that server.</summary>
    public static byte[] WriteBody(int observations, string? fhirServer = null, int? relevant = null)
    {
        var request = Scenario.Create(observations, relevant).Request;
        if (fhirServer is not null)
        {
            request.Prefetch = null;
            request.FhirServer = fhirServer;
        }
        return JsonSerializer.SerializeToUtf8Bytes(request, CdsJson.Request);
    }

    /// <summary>The synthetic patient's transaction Bundle (PUT with stable ids) as FHIR JSON.</summary>
    public static byte[] WritePatient(int observations) => FhirJson.SerializeToUtf8Bytes(SyntheticPatient.Create(observations));

    /// <summary>The relative query URLs the service sends for a cart-toxicity call without prefetch.</summary>
    public static IReadOnlyList<string> ToxicityQueries()
    {
        var scenario = Scenario.Create(10);
        var context = new HookContext { PatientId = SyntheticPatient.PatientId };
        return scenario.Service.Prefetch.Select(k => PrefetchTemplate.Render(k.Template, context)
            ?? throw new InvalidOperationException($"Prefetch template {k.Template} does not render.")).ToList();
    }

    private static async Task<FhirQueryTiming> TimeFhirQueriesAsync(Uri baseUrl, int rounds, int warmup)
    {
        using var http = new HttpClient { BaseAddress = baseUrl };
        http.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/fhir+json"));
        var queries = ToxicityQueries();
        var samples = new double[rounds];
        for (var i = -warmup; i < rounds; i++)
        {
            var started = Stopwatch.GetTimestamp();
            await Task.WhenAll(queries.Select(async q =>
            {
                using var response = await http.GetAsync(new Uri(q, UriKind.Relative)).ConfigureAwait(false);
                response.EnsureSuccessStatusCode();
                _ = await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
            })).ConfigureAwait(false);
            if (i >= 0) samples[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        }
        Array.Sort(samples);
        return new FhirQueryTiming(queries.Count, rounds, Percentile(samples, 0.50), Percentile(samples, 0.99), samples.Average());
    }

    /// <summary>Nearest-rank percentile of sorted samples.</summary>
    public static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];

    /// <summary>The value after <paramref name="name"/> in <paramref name="args"/>, or null.</summary>
    internal static string? Option(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    private static int Usage(string message)
    {
        Console.Error.WriteLine($"{message} See tests/CarTCds.Benchmarks/README.md (load-run commands).");
        return 2;
    }
}

/// <summary>What <c>--time-fhir-queries</c> prints: the wall time of one round of parallel queries, in ms.</summary>
public sealed record FhirQueryTiming(int Queries, int Rounds, double P50Ms, double P99Ms, double MeanMs);

[System.Text.Json.Serialization.JsonSourceGenerationOptions(PropertyNamingPolicy = System.Text.Json.Serialization.JsonKnownNamingPolicy.SnakeCaseLower)]
[System.Text.Json.Serialization.JsonSerializable(typeof(FhirQueryTiming))]
internal sealed partial class LoadRunJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
