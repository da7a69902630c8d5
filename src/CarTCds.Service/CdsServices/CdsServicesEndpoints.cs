using CarTCds.Hooks.Contract;
using CarTCds.Hooks.Evaluation;
using CarTCds.Service.Audit;
using CarTCds.Service.Hosting;
using CarTCds.Service.Security;
using Microsoft.Extensions.Options;

namespace CarTCds.Service.CdsServices;

/// <summary>CDS Hooks discovery and service calls (https://cds-hooks.hl7.org/2.0/).</summary>
public static class CdsServicesEndpoints
{
    public static IEndpointRouteBuilder MapCdsServices(this IEndpointRouteBuilder app)
    {
        // CDS Hooks 2.0 §Security: discovery and every service call need the EHR's JWT.
        var group = app.MapGroup("/cds-services").WithTags("CDS Hooks").RequireAuthorization(CdsHooksSecurity.ClientPolicy);

        group.MapGet("/", GetDiscovery)
            .WithName("Discovery")
            .WithSummary("Lists the CDS services (CDS Hooks discovery).")
            .Produces<CdsDiscoveryResponse>(StatusCodes.Status200OK, "application/json");

        group.MapPost("/{id}", CallServiceAsync)
            .WithName("CallService")
            .WithSummary("Calls a CDS service with a hook request; answers with cards.")
            .WithHookAudit()
            .DocumentsJsonBody<CdsHookRequest>("A CDS Hooks request (hook, hookInstance, context, prefetch, fhirServer, fhirAuthorization).")
            .Produces<CdsResponse>(StatusCodes.Status200OK, "application/json")
            .Produces(StatusCodes.Status400BadRequest, contentType: "application/json")
            .Produces(StatusCodes.Status404NotFound, contentType: "application/json")
            .Produces(StatusCodes.Status412PreconditionFailed, contentType: "application/json")
            .Produces(StatusCodes.Status413PayloadTooLarge, contentType: "application/json")
            .Produces(StatusCodes.Status415UnsupportedMediaType, contentType: "application/json");

        return app;
    }

    public static IResult GetDiscovery(CdsServiceEvaluator evaluator) =>
        TypedResults.Json(evaluator.Catalog.ToDiscovery(), CdsJson.Discovery);

    public static async Task<IResult> CallServiceAsync(string id, HttpRequest request, CdsServiceEvaluator evaluator,
        IOptions<CarTCdsOptions> options, CancellationToken cancellationToken)
    {
        var (hookRequest, readError) = await ReadHookRequestAsync(id, request, evaluator, options).ConfigureAwait(false);
        if (readError is not null) return readError;
        request.HttpContext.ObserveHookRequest(hookRequest!);

        var result = await evaluator.EvaluateAsync(id, hookRequest!, cancellationToken).ConfigureAwait(false);
        request.HttpContext.ObserveExcludedRecords(result.ExcludedRecords);
        request.HttpContext.ObserveSilence(result.SilenceReason);
        // Past the request timeout the FHIR reads were cut short: answer 504, never cards computed on what was left.
        cancellationToken.ThrowIfCancellationRequested();
        return result.Error is { } error
            ? OperationOutcomeResults.From(error)
            : TypedResults.Json(result.Response!, CdsJson.Response);
    }

    /// <summary>Everything a hook call does before the engine: the service id must be in the catalogue
    /// (else 404), the body JSON within the size limit (415, 413) and a CDS Hooks request (400). Shared
    /// with the parse-only benchmark baseline (<see cref="Benchmark.BenchmarkBaselineEndpoints"/>), so the
    /// load run's ceiling does exactly this work.</summary>
    internal static async Task<(CdsHookRequest? Request, IResult? Error)> ReadHookRequestAsync(string id, HttpRequest request,
        CdsServiceEvaluator evaluator, IOptions<CarTCdsOptions> options)
    {
        // An unknown service is a 404 whatever the body holds.
        if (evaluator.Catalog.Find(id) is null)
        {
            return (null, OperationOutcomeResults.From(HookError.NotFound(
                $"Unknown CDS service '{id}'. This server offers: {string.Join(", ", evaluator.Catalog.Services.Select(s => s.Id))} (GET /cds-services).")));
        }

        var (body, bodyError) = await JsonBody.ReadAsync(request, options).ConfigureAwait(false);
        if (bodyError is not null) return (null, bodyError);
        using (body)
        {
            // The parsed request keeps no reference to the pooled bytes (strings and JsonElements are copies).
            var (hookRequest, parseError) = CdsRequestReader.Read(body!.Span);
            return parseError is not null ? (null, OperationOutcomeResults.From(parseError)) : (hookRequest, null);
        }
    }
}
