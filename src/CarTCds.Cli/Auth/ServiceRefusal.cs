using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.RegularExpressions;
using CarTCds.Fhir.Model;
using CarTCds.Fhir.Serialization;

namespace CarTCds.Cli.Auth;

/// <summary>Why a service refused a call, in the service's own words: the OperationOutcome's
/// diagnostics (or details text) of the body, and for a refused token the <c>WWW-Authenticate</c>
/// challenge's <c>error</c> and <c>error_description</c> (RFC 6750 §3). CarTCds answers every 401/403
/// with both ("expired", "wrong aud, expected …", "unknown issuer", "replayed jti" …); an integrator
/// can act on that, not on a bare status.</summary>
public static partial class ServiceRefusal
{
    /// <summary>Longest body echoed when it is not an OperationOutcome.</summary>
    private const int MaxEchoedBody = 300;

    /// <summary>"&lt;status&gt;: &lt;diagnostics&gt; (WWW-Authenticate: &lt;error&gt;: &lt;error_description&gt;)",
    /// each part only when the answer has it; the error_description is left out when it only repeats
    /// the diagnostics. A body that is not an OperationOutcome is echoed, cut at 300 characters.</summary>
    /// <param name="response">The refused call's response (status and headers).</param>
    /// <param name="body">Its body, already read.</param>
    public static string Describe(HttpResponseMessage response, string body)
    {
        ArgumentNullException.ThrowIfNull(response);
        var status = ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var said = Diagnostics(body);
        var (error, description) = Challenge(response.Headers.WwwAuthenticate);
        var text = string.IsNullOrWhiteSpace(said) ? status : $"{status}: {said}";
        if (error is null && description is null) return text;
        // The service writes the description as the diagnostics in printable ASCII (RFC 6750): compare so.
        var repeats = description is not null && said is not null && Ascii(said) == description;
        return repeats || description is null
            ? $"{text} (WWW-Authenticate: {error})"
            : $"{text} (WWW-Authenticate: {error ?? "Bearer"}: {description})";
    }

    /// <summary>The OperationOutcome's issues (diagnostics, else details text, else code), or the body itself.</summary>
    private static string? Diagnostics(string body)
    {
        if (string.IsNullOrWhiteSpace(body)) return null;
        try
        {
            if (FhirJson.Parse(body) is OperationOutcome oo) return oo.Summary;
        }
        catch (JsonException)
        {
            // Not FHIR JSON (a proxy's HTML page, plain text): echoed below.
        }
        var flat = body.ReplaceLineEndings(" ").Trim();
        return flat.Length > MaxEchoedBody ? flat[..MaxEchoedBody] + "…" : flat;
    }

    /// <summary>error and error_description of the Bearer challenge, when there is one.</summary>
    private static (string? Error, string? Description) Challenge(HttpHeaderValueCollection<AuthenticationHeaderValue> challenges)
    {
        foreach (var challenge in challenges)
        {
            if (!string.Equals(challenge.Scheme, "Bearer", StringComparison.OrdinalIgnoreCase) || challenge.Parameter is null) continue;
            string? error = null, description = null;
            foreach (Match m in ChallengeParameter().Matches(challenge.Parameter))
            {
                if (m.Groups["name"].Value == "error") error = m.Groups["value"].Value;
                else if (m.Groups["name"].Value == "error_description") description = m.Groups["value"].Value;
            }
            return (error, description);
        }
        return (null, null);
    }

    // RFC 6750 §3: error_description is printable ASCII without " and \.
    private static string Ascii(string s) =>
        string.Concat(s.Select(c => c switch { '"' or '\\' => '\'', >= ' ' and <= '~' => c, _ => '?' }));

    // name="value" pairs of an RFC 7235 challenge (quoted values; RFC 6750 values contain no quote).
    [GeneratedRegex(@"(?<name>[A-Za-z_]+)\s*=\s*""(?<value>[^""]*)""", RegexOptions.CultureInvariant)]
    private static partial Regex ChallengeParameter();
}
