using CarTCds.Hooks.Contract;

namespace CarTCds.Hooks.Cards;

/// <summary>Checks a response against the CDS Hooks 2.0 card rules before it leaves
/// (https://cds-hooks.hl7.org/2.0/#cds-service-response). Returns every violation, each naming
/// where it is (<c>cards[0].summary</c>); an empty list means valid.</summary>
public static class CdsResponseValidator
{
    public static IReadOnlyList<string> Validate(CdsResponse response)
    {
        var errors = new List<string>();
        if (response.Cards is null)
        {
            errors.Add("cards: required (send [] for no guidance)");
            return errors;
        }

        var uuids = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < response.Cards.Count; i++)
        {
            var c = response.Cards[i];
            var at = $"cards[{i}]";
            if (string.IsNullOrWhiteSpace(c.Uuid)) errors.Add($"{at}.uuid: required (feedback refers to it)");
            else if (!uuids.Add(c.Uuid)) errors.Add($"{at}.uuid: duplicate '{c.Uuid}'");
            if (string.IsNullOrWhiteSpace(c.Summary)) errors.Add($"{at}.summary: required");
            else if (c.Summary.Length > CardText.MaxSummaryLength) errors.Add($"{at}.summary: {c.Summary.Length} characters; must be < 140");
            if (c.Detail is { Length: 0 }) errors.Add($"{at}.detail: empty string; leave it out");
            if (!CardIndicator.IsValid(c.Indicator)) errors.Add($"{at}.indicator: '{c.Indicator}' is not info, warning or critical");
            if (c.Source is null || string.IsNullOrWhiteSpace(c.Source.Label)) errors.Add($"{at}.source.label: required");
            else if (c.Source.Url is not null && !IsAbsoluteHttpUrl(c.Source.Url)) errors.Add($"{at}.source.url: must be an absolute URL");

            if (c.Suggestions is not null)
            {
                if (c.Suggestions.Count == 0) errors.Add($"{at}.suggestions: empty array; leave it out");
                if (c.SelectionBehavior is not ("at-most-one" or "any")) errors.Add($"{at}.selectionBehavior: required with suggestions, 'at-most-one' or 'any'");
                for (var s = 0; s < c.Suggestions.Count; s++) ValidateSuggestion(c.Suggestions[s], $"{at}.suggestions[{s}]", errors);
            }
            else if (c.SelectionBehavior is not null) errors.Add($"{at}.selectionBehavior: only allowed with suggestions");

            if (c.OverrideReasons is not null)
            {
                if (c.OverrideReasons.Count == 0) errors.Add($"{at}.overrideReasons: empty array; leave it out");
                for (var o = 0; o < c.OverrideReasons.Count; o++)
                {
                    var r = c.OverrideReasons[o];
                    if (string.IsNullOrWhiteSpace(r.Code) || string.IsNullOrWhiteSpace(r.System) || string.IsNullOrWhiteSpace(r.Display))
                        errors.Add($"{at}.overrideReasons[{o}]: system, code and display are required");
                }
            }

            if (c.Links is not null)
            {
                if (c.Links.Count == 0) errors.Add($"{at}.links: empty array; leave it out");
                for (var l = 0; l < c.Links.Count; l++)
                {
                    var link = c.Links[l];
                    if (string.IsNullOrWhiteSpace(link.Label)) errors.Add($"{at}.links[{l}].label: required");
                    if (!IsAbsoluteHttpUrl(link.Url)) errors.Add($"{at}.links[{l}].url: must be an absolute URL");
                    if (link.Type is not ("absolute" or "smart")) errors.Add($"{at}.links[{l}].type: '{link.Type}' is not absolute or smart");
                    if (link.AppContext is not null && link.Type != "smart") errors.Add($"{at}.links[{l}].appContext: only for smart links");
                }
            }

            if (c.Extension?.Findings is { } findings)
            {
                for (var f = 0; f < findings.Count; f++)
                {
                    if (string.IsNullOrWhiteSpace(findings[f].Code)) errors.Add($"{at}.extension.findings[{f}].code: required");
                    if (string.IsNullOrWhiteSpace(findings[f].RuleSet)) errors.Add($"{at}.extension.findings[{f}].ruleSet: required");
                    if (findings[f].Value.Number is null && string.IsNullOrWhiteSpace(findings[f].Value.Text)) errors.Add($"{at}.extension.findings[{f}].value: required (a number or a non-empty string)");
                }
            }
        }

        if (response.SystemActions is { Count: 0 }) errors.Add("systemActions: empty array; leave it out");
        for (var a = 0; a < (response.SystemActions?.Count ?? 0); a++) ValidateAction(response.SystemActions![a], $"systemActions[{a}]", errors);
        return errors;
    }

    private static void ValidateSuggestion(Suggestion s, string at, List<string> errors)
    {
        if (string.IsNullOrWhiteSpace(s.Label)) errors.Add($"{at}.label: required");
        if (string.IsNullOrWhiteSpace(s.Uuid)) errors.Add($"{at}.uuid: required (acceptedSuggestions refers to it)");
        if (s.Actions is { Count: 0 }) errors.Add($"{at}.actions: empty array; leave it out");
        for (var i = 0; i < (s.Actions?.Count ?? 0); i++) ValidateAction(s.Actions![i], $"{at}.actions[{i}]", errors);
    }

    private static void ValidateAction(CdsAction a, string at, List<string> errors)
    {
        if (a.Type is not ("create" or "update" or "delete")) errors.Add($"{at}.type: '{a.Type}' is not create, update or delete");
        if (string.IsNullOrWhiteSpace(a.Description)) errors.Add($"{at}.description: required");
        if (a.Type is "create" or "update" && a.Resource is null) errors.Add($"{at}.resource: required for {a.Type}");
        if (a.Type == "delete" && string.IsNullOrWhiteSpace(a.ResourceId)) errors.Add($"{at}.resourceId: required for delete");
    }

    private static bool IsAbsoluteHttpUrl(string? url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var u) && (u.Scheme == Uri.UriSchemeHttps || u.Scheme == Uri.UriSchemeHttp);
}
