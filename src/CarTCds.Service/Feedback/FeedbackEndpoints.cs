using System.Text.Json;
using CarTCds.Fhir.Model;
using CarTCds.Hooks.Contract;
using CarTCds.Hooks.Evaluation;
using CarTCds.Hooks.Feedback;
using CarTCds.Service.Hosting;
using CarTCds.Service.Security;
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
            .Produces(StatusCodes.Status404NotFound, contentType: "application/json");
        return app;
    }

    public static async Task<IResult> PostFeedbackAsync(string id, HttpRequest request, CdsServiceEvaluator evaluator,
        IFeedbackStore store, IOptions<CarTCdsOptions> options, TimeProvider time, CancellationToken cancellationToken)
    {
        if (evaluator.Catalog.Find(id) is null)
        {
            return OperationOutcomeResults.From(HookError.NotFound($"Unknown CDS service '{id}'."));
        }
        var (body, bodyError) = await JsonBody.ReadAsync(request, options).ConfigureAwait(false);
        if (bodyError is not null) return bodyError;

        CdsFeedbackRequest? feedback;
        try
        {
            feedback = body.Length == 0 ? null : JsonSerializer.Deserialize(body.Span, CdsJson.Feedback);
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

        await store.AddAsync(id, feedback!.Feedback!, time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        return TypedResults.Json(new FeedbackAck { Accepted = feedback.Feedback!.Count }, CdsJson.FeedbackAck);
    }
}
