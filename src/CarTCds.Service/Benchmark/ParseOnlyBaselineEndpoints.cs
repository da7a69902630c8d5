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

    /// <summary>Maps <c>POST /benchmark/parse-only/{id}</c>, the load run's ceiling. Default false
    /// (the route does not exist, 404). True in the Production environment stops the start-up.</summary>
    public bool ParseOnlyEndpoint { get; set; }
}

/// <summary>The parse-only baseline of the load run (tests/load/README.md): a hook call's request
/// handling up to the engine — same route shape, same authorization, same body reading and parsing
/// (<see cref="CdsServicesEndpoints.ReadHookRequestAsync"/>) — answered with a fixed empty card list.
/// Hook throughput is reported as a share of this endpoint's, measured in the same run.</summary>
public static class ParseOnlyBaselineEndpoints
{
    /// <summary>The configuration key that enables the endpoint.</summary>
    public const string FlagKey = BenchmarkOptions.Section + ":" + nameof(BenchmarkOptions.ParseOnlyEndpoint);

    private static readonly CdsResponse Empty = new();

    /// <summary>Maps the endpoint when <see cref="BenchmarkOptions.ParseOnlyEndpoint"/> is true; does
    /// nothing otherwise. Throws (the service does not start) when it is true in Production.</summary>
    public static WebApplication MapParseOnlyBaseline(this WebApplication app)
    {
        var options = app.Configuration.GetSection(BenchmarkOptions.Section).Get<BenchmarkOptions>() ?? new BenchmarkOptions();
        if (!options.ParseOnlyEndpoint) return app;
        if (app.Environment.IsProduction())
        {
            throw new InvalidOperationException(
                $"{FlagKey}=true is for load runs only and is refused in the Production environment; the service will not start.");
        }
        app.Logger.LogWarning("{Flag}=true: POST /benchmark/parse-only/{{id}} is mapped (load-run baseline; never in production).", FlagKey);

        app.MapPost("/benchmark/parse-only/{id}", ParseOnlyAsync)
            .RequireAuthorization(CdsHooksSecurity.ClientPolicy)
            .ExcludeFromDescription();
        return app;
    }

    public static async Task<IResult> ParseOnlyAsync(string id, HttpRequest request, CdsServiceEvaluator evaluator, IOptions<CarTCdsOptions> options)
    {
        var (_, error) = await CdsServicesEndpoints.ReadHookRequestAsync(id, request, evaluator, options).ConfigureAwait(false);
        return error ?? TypedResults.Json(Empty, CdsJson.Response);
    }
}
