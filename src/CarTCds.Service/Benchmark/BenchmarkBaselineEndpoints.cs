using System.Text.Json;
using CarTCds.Hooks.Contract;
using CarTCds.Hooks.Evaluation;
using CarTCds.Service.CdsServices;
using CarTCds.Service.Hosting;
using CarTCds.Service.Security;
using Microsoft.Extensions.Options;

namespace CarTCds.Service.Benchmark;

/// <summary>Configuration section <c>CarTCds:Benchmark</c>: switches for load runs (tests/load), never for production.</summary>
public sealed class BenchmarkOptions
{
    public const string Section = "CarTCds:Benchmark";

    /// <summary>Maps <c>POST /benchmark/parse-only/{id}</c>, the load run's parse-only baseline. Default false
    /// (the route does not exist, 404). True in the Production environment stops the start-up.</summary>
    public bool ParseOnlyEndpoint { get; set; }

    /// <summary>Maps <c>POST /benchmark/tokenise-only</c>, the load run's JSON-tokenising floor. Default
    /// false (the route does not exist, 404). True in the Production environment stops the start-up.</summary>
    public bool TokeniseOnlyEndpoint { get; set; }
}

/// <summary>The load run's baselines (tests/load/README.md), each answered with a fixed empty card list,
/// each mapped only when its switch in <see cref="BenchmarkOptions"/> is on and refused in Production:
/// <list type="bullet">
/// <item><b>parse-only</b> (<c>POST /benchmark/parse-only/{id}</c>): a hook call's request handling up
/// to the engine — same route shape, same authorization, same body reading and parsing
/// (<see cref="CdsServicesEndpoints.ReadHookRequestAsync"/>).</item>
/// <item><b>tokenise-only</b> (<c>POST /benchmark/tokenise-only</c>): the same authorization and body
/// reading (<see cref="JsonBody.ReadAsync"/>: content type, size limit, admission, one pooled buffer),
/// then only a <see cref="Utf8JsonReader"/> over every token of the body — the floor a JSON service
/// cannot go below, materialising nothing.</item>
/// </list>
/// Hook throughput is reported as a share of each, measured in the same run.</summary>
public static class BenchmarkBaselineEndpoints
{
    /// <summary>The configuration key that enables the parse-only endpoint.</summary>
    public const string FlagKey = BenchmarkOptions.Section + ":" + nameof(BenchmarkOptions.ParseOnlyEndpoint);

    /// <summary>The configuration key that enables the tokenise-only endpoint.</summary>
    public const string TokeniseOnlyFlagKey = BenchmarkOptions.Section + ":" + nameof(BenchmarkOptions.TokeniseOnlyEndpoint);

    private static readonly CdsResponse Empty = new();

    /// <summary>Maps each baseline whose switch is on; nothing otherwise. Throws (the service does not
    /// start) when any is on in Production.</summary>
    public static WebApplication MapBenchmarkBaselines(this WebApplication app)
    {
        var options = app.Configuration.GetSection(BenchmarkOptions.Section).Get<BenchmarkOptions>() ?? new BenchmarkOptions();
        if (IsMapped(app, options.ParseOnlyEndpoint, FlagKey, "POST /benchmark/parse-only/{id}"))
        {
            app.MapPost("/benchmark/parse-only/{id}", ParseOnlyAsync)
                .RequireAuthorization(CdsHooksSecurity.ClientPolicy)
                .ExcludeFromDescription();
        }
        if (IsMapped(app, options.TokeniseOnlyEndpoint, TokeniseOnlyFlagKey, "POST /benchmark/tokenise-only"))
        {
            app.MapPost("/benchmark/tokenise-only", TokeniseOnlyAsync)
                .RequireAuthorization(CdsHooksSecurity.ClientPolicy)
                .ExcludeFromDescription();
        }
        return app;
    }

    // The one guard of every baseline: off unless switched on, and never in Production.
    private static bool IsMapped(WebApplication app, bool enabled, string flagKey, string route)
    {
        if (!enabled) return false;
        if (app.Environment.IsProduction())
        {
            throw new InvalidOperationException(
                $"{flagKey}=true is for load runs only and is refused in the Production environment; the service will not start.");
        }
        app.Logger.LogWarning("{Flag}=true: {Route} is mapped (load-run baseline; never in production).", flagKey, route);
        return true;
    }

    public static async Task<IResult> ParseOnlyAsync(string id, HttpRequest request, CdsServiceEvaluator evaluator, IOptions<CarTCdsOptions> options)
    {
        var (_, error) = await CdsServicesEndpoints.ReadHookRequestAsync(id, request, evaluator, options).ConfigureAwait(false);
        return error ?? TypedResults.Json(Empty, CdsJson.Response);
    }

    public static async Task<IResult> TokeniseOnlyAsync(HttpRequest request, IOptions<CarTCdsOptions> options)
    {
        var (body, bodyError) = await JsonBody.ReadAsync(request, options).ConfigureAwait(false);
        if (bodyError is not null) return bodyError;
        using (body)
        {
            return Tokenise(body!.Span) is { } error
                ? OperationOutcomeResults.Error(StatusCodes.Status400BadRequest, "invalid", $"The request body is not JSON: {error}")
                : TypedResults.Json(Empty, CdsJson.Response);
        }
    }

    // Reads every token (strict JSON, one document); the reader's message when it is not JSON, else null.
    private static string? Tokenise(ReadOnlySpan<byte> utf8)
    {
        var reader = new Utf8JsonReader(utf8, isFinalBlock: true, state: default);
        try
        {
            while (reader.Read())
            {
            }
            return null;
        }
        catch (JsonException ex)
        {
            return ex.Message;
        }
    }
}
