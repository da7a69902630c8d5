using CarTCds.Fhir;
using CarTCds.Hooks.Contract;

namespace CarTCds.Hooks.Feedback;

/// <summary>The invariants of a feedback body (https://cds-hooks.hl7.org/2.0/#feedback): every
/// violation with where it is; an empty list means valid.</summary>
public static class FeedbackValidator
{
    public static IReadOnlyList<(string Expression, string Message)> Validate(CdsFeedbackRequest? request)
    {
        var errors = new List<(string, string)>();
        if (request?.Feedback is not { Count: > 0 } items)
        {
            errors.Add(("feedback", "'feedback' must be a non-empty array."));
            return errors;
        }
        for (var i = 0; i < items.Count; i++)
        {
            var f = items[i];
            var at = $"feedback[{i}]";
            if (string.IsNullOrWhiteSpace(f.Card)) errors.Add(($"{at}.card", "'card' (the uuid of the card) is required."));
            switch (f.Outcome)
            {
                case "accepted":
                    if (f.AcceptedSuggestions is not { Count: > 0 }) errors.Add(($"{at}.acceptedSuggestions", "'acceptedSuggestions' is required when the outcome is 'accepted'."));
                    else if (f.AcceptedSuggestions.Any(s => string.IsNullOrWhiteSpace(s.Id))) errors.Add(($"{at}.acceptedSuggestions", "each accepted suggestion needs its 'id'."));
                    if (f.OverrideReason is not null) errors.Add(($"{at}.overrideReason", "'overrideReason' is only allowed when the outcome is 'overridden'."));
                    break;
                case "overridden":
                    if (f.AcceptedSuggestions is not null) errors.Add(($"{at}.acceptedSuggestions", "'acceptedSuggestions' is only allowed when the outcome is 'accepted'."));
                    if (f.OverrideReason?.Reason is { } r && (string.IsNullOrWhiteSpace(r.Code) || string.IsNullOrWhiteSpace(r.System)))
                        errors.Add(($"{at}.overrideReason.reason", "an override reason must be a Coding with system and code."));
                    break;
                case null:
                    errors.Add(($"{at}.outcome", "'outcome' is required: 'accepted' or 'overridden'."));
                    break;
                default:
                    errors.Add(($"{at}.outcome", $"'outcome' must be 'accepted' or 'overridden', not '{f.Outcome}'."));
                    break;
            }
            if (string.IsNullOrWhiteSpace(f.OutcomeTimestamp)) errors.Add(($"{at}.outcomeTimestamp", "'outcomeTimestamp' is required (ISO 8601 with time zone)."));
            else if (!FhirDateTime.TryParse(f.OutcomeTimestamp, out var s, out var e) || s != e)
                errors.Add(($"{at}.outcomeTimestamp", "'outcomeTimestamp' must be an ISO 8601 instant with a time zone, e.g. 2026-11-22T08:00:00Z, in UTC between 0001-01-01 and 9999-12-31."));
        }
        return errors;
    }
}
