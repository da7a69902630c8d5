using CarTCds.Fhir.Model;
using CarTCds.Hooks.Contract;
using CarTCds.Hooks.Evaluation;

namespace CarTCds.Service.Hosting;

/// <summary>Every non-2xx answer carries an OperationOutcome (CDS Hooks 3.0 ballot; docs/CDS-HOOKS.md).</summary>
public static class OperationOutcomeResults
{
    public static IResult From(HookError error) =>
        TypedResults.Json<Resource>(error.Outcome, CdsJson.Resource, "application/json", error.StatusCode);

    public static IResult Error(int status, string code, string diagnostics, string? expression = null) =>
        From(new HookError(status, OperationOutcome.Error(code, diagnostics, expression)));

    /// <summary>Writes an outcome directly (middleware that has no endpoint result). Cancelled with
    /// the request unless <paramref name="cancellationToken"/> is given (the request timeout's own
    /// answer must be written although the request's token has fired).</summary>
    public static Task WriteAsync(HttpContext http, int status, string code, string diagnostics, CancellationToken? cancellationToken = null)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = "application/json";
        return System.Text.Json.JsonSerializer.SerializeAsync<Resource>(http.Response.Body, OperationOutcome.Error(code, diagnostics), CdsJson.Resource,
            cancellationToken ?? http.RequestAborted);
    }
}
