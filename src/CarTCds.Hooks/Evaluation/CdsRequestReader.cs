using System.Text.Json;
using CarTCds.Hooks.Contract;

namespace CarTCds.Hooks.Evaluation;

/// <summary>Reads a hook request body; malformed or ill-typed JSON becomes a 400 that names where.</summary>
public static class CdsRequestReader
{
    public static (CdsHookRequest? Request, HookError? Error) Read(ReadOnlySpan<byte> utf8Json)
    {
        if (utf8Json.IsEmpty) return (null, HookError.BadRequest("The request body is empty; a CDS Hooks request (JSON) is required.", code: "structure"));
        try
        {
            var request = JsonSerializer.Deserialize(utf8Json, CdsJson.Request);
            return request is null
                ? (null, HookError.BadRequest("The request body is JSON null; a CDS Hooks request object is required.", code: "structure"))
                : (request, null);
        }
        catch (JsonException ex)
        {
            return (null, FromJsonException(ex));
        }
    }

    /// <summary>A 400 describing malformed JSON, with its JSON path when known. Never echoes the
    /// input beyond the path (it may hold a token or PHI).</summary>
    public static HookError FromJsonException(JsonException ex)
    {
        var where = ex.Path is { Length: > 0 } p ? $" at {p}" : "";
        var line = ex.LineNumber is { } l ? $" (line {l + 1}, byte {ex.BytePositionInLine + 1})" : "";
        // Messages from System.Text.Json name CLR types; keep only what helps a sender.
        var reason = ex.Message;
        var cut = reason.IndexOf(" Path: ", StringComparison.Ordinal);
        if (cut >= 0) reason = reason[..cut];
        reason = reason.Replace("System.", "", StringComparison.Ordinal).Replace("CarTCds.Fhir.Model.", "", StringComparison.Ordinal).Replace("CarTCds.Hooks.Contract.", "", StringComparison.Ordinal);
        return HookError.BadRequest($"The request body is not valid CDS Hooks JSON{where}{line}: {reason}", ex.Path, "structure");
    }
}
