using System.Data.Common;
using System.Text.Json;
using CarTCds.Fhir.Model;
using CarTCds.Hooks.Contract;
using CarTCds.Hooks.Evaluation;
using CarTCds.Hooks.Feedback;
using CarTCds.Service.Hosting;
using CarTCds.Service.Security;
using CarTCds.Service.Telemetry;
using Microsoft.Extensions.Options;

namespace CarTCds.Service.Feedback;

/// <summary><c>POST /cds-services/{id}/feedback</c> (https://cds-hooks.hl7.org/2.0/#feedback).</summary>
public static class FeedbackEndpoints
{
    public static IEndpointRouteBuilder MapFeedback(this IEndpointRouteBuilder app)
    {
        app.MapPost("/cds-services/{id}/feedback", PostFeedbackAsync)
            .WithTags("CDS Hooks")
            .WithName("Feedback")
            .RequireAuthorization(CdsHooksSecurity.ClientPolicy)
            .WithSummary("Receives feedback on cards (accepted or overridden).")
            .DocumentsJsonBody<CdsFeedbackRequest>("CDS Hooks feedback: outcome of one or more cards.")
            .Produces<FeedbackAck>(StatusCodes.Status200OK, "application/json")
            .Produces(StatusCodes.Status400BadRequest, contentType: "application/json")
            .Produces(StatusCodes.Status404NotFound, contentType: "application/json")
            .Produces(StatusCodes.Status503ServiceUnavailable, contentType: "application/json");
        return app;
    }

    public static async Task<IResult> PostFeedbackAsync(string id, HttpRequest request, CdsServiceEvaluator evaluator,
        IFeedbackStore store, IOptions<CarTCdsOptions> options, TimeProvider time, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        if (evaluator.Catalog.Find(id) is null)
        {
            return OperationOutcomeResults.From(HookError.NotFound($"Unknown CDS service '{id}'."));
        }
        var (body, bodyError) = await JsonBody.ReadAsync(request, options).ConfigureAwait(false);
        if (bodyError is not null) return bodyError;

        CdsFeedbackRequest? feedback;
        using var rented = body!;
        try
        {
            feedback = rented.Length == 0 ? null : JsonSerializer.Deserialize(rented.Span, CdsJson.Feedback);
        }
        catch (JsonException ex)
        {
            return OperationOutcomeResults.From(CdsRequestReader.FromJsonException(ex));
        }

        var errors = FeedbackValidator.Validate(feedback);
        if (errors.Count > 0)
        {
            var outcome = new OperationOutcome
            {
                Issue = errors.Select(e => new OperationOutcomeIssue { Severity = "error", Code = "invalid", Diagnostics = e.Message, Expression = [e.Expression] }).ToList(),
            };
            return OperationOutcomeResults.From(new HookError(400, outcome));
        }

        try
        {
            // Acknowledged only once committed: a 200 means the entries survive a crash.
            await store.AddAsync(id, feedback!.Feedback!, time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        }
        catch (DbException ex)
        {
            // Down, frozen (CarTCds:Storage:CommandTimeout passed) or refusing: the EHR keeps it and sends it again.
            request.HttpContext.RequestServices.GetService<StorageMetrics>()?.Unavailable("feedback");
            loggers.CreateLogger(typeof(FeedbackEndpoints).FullName!).LogError(ex, "Feedback for {ServiceId} could not be stored ({Entries} entries); answered 503", id, feedback!.Feedback!.Count);
            return OperationOutcomeResults.Error(StatusCodes.Status503ServiceUnavailable, "transient",
                "The feedback could not be stored and was not kept; please send it again.");
        }
        return TypedResults.Json(new FeedbackAck { Accepted = feedback.Feedback!.Count }, CdsJson.FeedbackAck);
    }

    /// <summary>Maps <c>GET /admin/feedback/summary</c>: the override rate per card type, with counts
    /// and the top override reasons (<see cref="FeedbackSummary"/>). Returns the route so the host
    /// can require authorization on it. Needs <c>AddCarTCdsStorage()</c>.</summary>
    public static RouteHandlerBuilder MapFeedbackAdmin(this IEndpointRouteBuilder app) =>
        app.MapGet("/admin/feedback/summary", GetSummaryAsync)
            .WithTags("Administration")
            .WithName("FeedbackSummary")
            .WithSummary("Override rate per card type: feedback counts, accepted, overridden and the top override reasons.")
            .Produces<FeedbackSummary>(StatusCodes.Status200OK, "application/json");

    public static async Task<IResult> GetSummaryAsync(IFeedbackReport report, CancellationToken cancellationToken) =>
        TypedResults.Json(await report.SummarizeAsync(cancellationToken).ConfigureAwait(false), FeedbackSummaryJsonContext.Default.FeedbackSummary);
}
