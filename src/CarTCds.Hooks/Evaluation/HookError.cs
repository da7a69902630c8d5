using CarTCds.Fhir.Model;

namespace CarTCds.Hooks.Evaluation;

/// <summary>A hook call that cannot be answered with cards: the HTTP status and an
/// OperationOutcome saying what was wrong (CDS Hooks 3.0: non-2xx SHOULD carry one).</summary>
public sealed record HookError(int StatusCode, OperationOutcome Outcome)
{
    public static HookError BadRequest(string diagnostics, string? expression = null, string code = "invalid") =>
        new(400, OperationOutcome.Error(code, diagnostics, expression));

    public static HookError NotFound(string diagnostics) => new(404, OperationOutcome.Error("not-found", diagnostics));

    public override string ToString() => $"{StatusCode}: {Outcome.Summary}";
}
