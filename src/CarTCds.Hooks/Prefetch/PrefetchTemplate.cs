using System.Text;
using CarTCds.Hooks.Contract;

namespace CarTCds.Hooks.Prefetch;

/// <summary>Fills CDS Hooks prefetch tokens (https://cds-hooks.hl7.org/2.0/#prefetch-tokens).</summary>
public static class PrefetchTemplate
{
    /// <summary>Replaces <c>{{context.x}}</c> and <c>{{userPractitionerId}}</c>-style tokens.
    /// Returns null when a token has no value in this context (the query cannot be made).</summary>
    /// <remarks>Values are URL-escaped so an id cannot change the query.</remarks>
    public static string? Render(string template, HookContext context)
    {
        var sb = new StringBuilder(template.Length + 32);
        var i = 0;
        while (i < template.Length)
        {
            var open = template.IndexOf("{{", i, StringComparison.Ordinal);
            if (open < 0)
            {
                sb.Append(template, i, template.Length - i);
                break;
            }
            var close = template.IndexOf("}}", open, StringComparison.Ordinal);
            if (close < 0) return null;
            sb.Append(template, i, open - i);
            var value = TokenValue(template[(open + 2)..close].Trim(), context);
            if (string.IsNullOrEmpty(value)) return null;
            sb.Append(Uri.EscapeDataString(value));
            i = close + 2;
        }
        return sb.ToString();
    }

    private static string? TokenValue(string token, HookContext context) => token switch
    {
        "context.patientId" => context.PatientId,
        "context.userId" => context.UserId,
        "context.encounterId" => context.EncounterId,
        "userPractitionerId" => IdOf(context.UserId, "Practitioner"),
        "userPractitionerRoleId" => IdOf(context.UserId, "PractitionerRole"),
        "userPatientId" => IdOf(context.UserId, "Patient"),
        "userRelatedPersonId" => IdOf(context.UserId, "RelatedPerson"),
        _ => null,
    };

    private static string? IdOf(string? userId, string type) =>
        userId is not null && userId.StartsWith(type + "/", StringComparison.Ordinal) ? userId[(type.Length + 1)..] : null;
}
