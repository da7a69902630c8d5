using CarTCds.Fhir.Model;

namespace CarTCds.Fhir.Validation;

/// <summary>One finding of the profile validator.</summary>
/// <param name="Severity">FHIR issue severity: <c>error</c> (the resource breaks its profile and is
/// left out) or <c>information</c> (a withdrawn record, ignored).</param>
/// <param name="Code">FHIR issue type: <c>required</c> (cardinality), <c>structure</c> (value type),
/// <c>code-invalid</c> (binding, unit), <c>value</c> (range, fixed value), <c>deleted</c> (withdrawn).</param>
/// <param name="Expression">FHIRPath of the element, e.g. <c>Observation.value[x]</c>.</param>
/// <param name="Message">What a clinician reads in the card's data-quality note, e.g.
/// "ICE score 14 on 2013-05-19 08:00Z ignored: outside 0–10".</param>
public sealed record ValidationIssue(string Severity, string Code, string Expression, string Message)
{
    public bool IsError => Severity == "error";

    /// <summary>As an OperationOutcome issue.</summary>
    public OperationOutcomeIssue ToOutcomeIssue() => new() { Severity = Severity, Code = Code, Diagnostics = Message, Expression = [Expression] };
}

/// <summary>What the validator concluded for one resource.</summary>
public enum ProfileOutcome
{
    /// <summary>No profile applies: not ours, not an error.</summary>
    NoProfile,

    /// <summary>A profile applies and the resource conforms.</summary>
    Valid,

    /// <summary>The resource was withdrawn (a status the profile lists as excluding, e.g.
    /// entered-in-error): ignore it silently.</summary>
    Void,

    /// <summary>The resource breaks its profile: leave it out and say why.</summary>
    Invalid,
}

/// <summary>The result of <see cref="ProfileValidator.Check"/>: a struct, so the happy path allocates nothing.</summary>
public readonly struct ProfileCheck
{
    internal ProfileCheck(ProfileOutcome outcome, CompiledProfile? profile, List<ValidationIssue>? issues)
    {
        Outcome = outcome;
        _profile = profile;
        _issues = issues;
    }

    private readonly CompiledProfile? _profile;
    private readonly List<ValidationIssue>? _issues;

    public ProfileOutcome Outcome { get; }

    /// <summary>Canonical URL of the profile applied, or null.</summary>
    public string? ProfileUrl => _profile?.Url;

    /// <summary>Empty unless <see cref="Outcome"/> is <see cref="ProfileOutcome.Invalid"/> or <see cref="ProfileOutcome.Void"/>.</summary>
    public IReadOnlyList<ValidationIssue> Issues => _issues ?? (IReadOnlyList<ValidationIssue>)[];

    /// <summary>The error messages joined with "; " (for the data-quality note).</summary>
    public string Reason
    {
        get
        {
            var errors = new List<string>(Issues.Count);
            foreach (var i in Issues)
            {
                if (i.IsError) errors.Add(i.Message);
            }
            return string.Join("; ", errors);
        }
    }
}
