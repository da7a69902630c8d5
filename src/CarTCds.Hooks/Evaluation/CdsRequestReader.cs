using System.Text.Json;
using CarTCds.Fhir.Serialization;
using CarTCds.Hooks.Contract;

namespace CarTCds.Hooks.Evaluation;

/// <summary>Reads a hook request body; malformed or ill-typed JSON becomes a 400 that names where.</summary>
public static class CdsRequestReader
{
    /// <summary>Reads a hook request. The chart's Observations that no rule reads are skipped unread
    /// (<see cref="CdsJson.Request"/>), so a malformed element in one never rejects the call; everything
    /// else, and every error, as read whole.</summary>
    /// <param name="utf8Json">The body.</param>
    /// <param name="readWhole">True reads every resource whole (<see cref="CdsJson.RequestReadWhole"/>):
    /// for comparisons in tests and benchmarks only; default false.</param>
    public static (CdsHookRequest? Request, HookError? Error) Read(ReadOnlySpan<byte> utf8Json, bool readWhole = false)
    {
        // RFC 8259 §8.1: a parser may ignore a byte order mark; some EHR stacks send one.
        if (utf8Json.StartsWith("\uFEFF"u8)) utf8Json = utf8Json[3..];
        if (utf8Json.IsEmpty) return (null, HookError.BadRequest("The request body is empty; a CDS Hooks request (JSON) is required.", code: "structure"));
        try
        {
            var request = JsonSerializer.Deserialize(utf8Json, readWhole ? CdsJson.RequestReadWhole : CdsJson.Request);
            return request is null
                ? (null, HookError.BadRequest("The request body is JSON null; a CDS Hooks request object is required.", code: "structure"))
                : (request, null);
        }
        catch (JsonException ex)
        {
            return (null, FromJsonException(ex));
        }
    }

    /// <summary>A JSON path (<c>$.context.patientId</c>) as the FHIRPath-style expression every other
    /// issue uses (<c>context.patientId</c>); null for the root.</summary>
    private static string? Expression(string? jsonPath)
    {
        if (string.IsNullOrEmpty(jsonPath) || jsonPath == "$") return null;
        return jsonPath.StartsWith("$.", StringComparison.Ordinal) ? jsonPath[2..] : jsonPath.TrimStart('$');
    }

    /// <summary>A 400 describing malformed JSON, with its JSON path when known. Never echoes the
    /// input beyond the path (it may hold a token or PHI).</summary>
    public static HookError FromJsonException(JsonException ex)
    {
        var expression = Expression(FhirJson.FullPath(ex));
        var where = expression is null ? "" : $" at {expression}";
        var line = ex.LineNumber is { } l ? $" (line {l + 1}, byte {ex.BytePositionInLine + 1})" : "";
        return HookError.BadRequest($"The request body is not valid CDS Hooks JSON{where}{line}: {FhirJson.Reason(ex)}", expression, "structure");
    }
}
