namespace CarTCds.Rules.Icans;

/// <summary>The ASTCT ICANS grade over one look-back window, with everything that set it.</summary>
/// <param name="Grade">0–4; null when the data cannot support a grade (see <see cref="Status"/>,
/// <see cref="Missing"/> and <see cref="Notes"/>). Never a guess: an intubated/sedated patient
/// without an objective finding is null, not 0.</param>
/// <param name="Status">Why there is or is not a grade.</param>
/// <param name="WindowStart">Start of the look-back window (exclusive).</param>
/// <param name="WindowEnd">The evaluation time (inclusive).</param>
/// <param name="AgeYears">Completed years at the evaluation time; null when the birth date is unknown.</param>
/// <param name="Tool">The encephalopathy score that was graded (ICE or CAPD); null when none was.</param>
/// <param name="Findings">One finding per domain that had data in the window (grade 0 included),
/// in the order of ASTCT Table 6: encephalopathy, consciousness, seizure, motor, raised ICP / oedema.</param>
/// <param name="Drivers">The findings at the maximum grade, in clinical words (<c>ICE 2</c>,
/// <c>seizure (rapidly resolving)</c>); empty for grade 0 or no grade.</param>
/// <param name="Evidence">Every record the grade (or the absence of one) rests on, in time order.</param>
/// <param name="Missing">Data that is needed for a grade when <see cref="Grade"/> is null, or whose
/// absence makes a grade less certain (no ICE/CAPD score, no birth date).</param>
/// <param name="Notes">Caveats a clinician should read, in plain words.</param>
public sealed record IcansAssessment(
    int? Grade,
    IcansStatus Status,
    DateTimeOffset WindowStart,
    DateTimeOffset WindowEnd,
    int? AgeYears,
    EncephalopathyTool? Tool,
    IReadOnlyList<IcansDomainFinding> Findings,
    IReadOnlyList<string> Drivers,
    IReadOnlyList<Evidence> Evidence,
    IReadOnlyList<string> Missing,
    IReadOnlyList<string> Notes)
{
    public bool IsGradable => Grade is not null;

    /// <summary>The finding of one domain, or null when that domain had no data in the window.</summary>
    public IcansDomainFinding? Domain(IcansDomain domain) => Findings.FirstOrDefault(f => f.Domain == domain);
}

/// <summary>Whether ICANS could be graded.</summary>
public enum IcansStatus
{
    /// <summary>A grade (0–4) was given.</summary>
    Graded,
    /// <summary>On mechanical ventilation in the window and no seizure, motor or oedema finding:
    /// "not gradable: intubated/sedated — encephalopathy cannot be assessed".</summary>
    NotGradableIntubatedOrSedated,
    /// <summary>No ICE/CAPD score, level of consciousness, seizure, motor or oedema record in the window.</summary>
    NoNeurologicalAssessment,
}

/// <summary>The encephalopathy score used for the encephalopathy domain.</summary>
public enum EncephalopathyTool
{
    /// <summary>Immune effector Cell-associated Encephalopathy score, 0–10 (age above the CAPD cut-off).</summary>
    Ice,
    /// <summary>Cornell Assessment of Pediatric Delirium, 0–32 (age at or below the cut-off, or developmental delay).</summary>
    Capd,
}

/// <summary>The domains of ASTCT 2019 Table 6. Tremor, myoclonus and intracranial haemorrhage are not domains.</summary>
public enum IcansDomain
{
    /// <summary>ICE or CAPD score.</summary>
    Encephalopathy,
    /// <summary>Depressed level of consciousness.</summary>
    Consciousness,
    /// <summary>Clinical or EEG seizure.</summary>
    Seizure,
    /// <summary>Deep focal motor weakness.</summary>
    Motor,
    /// <summary>Raised intracranial pressure / cerebral oedema.</summary>
    RaisedIcpOrCerebralOedema,
}

/// <summary>One domain's contribution to the ICANS grade.</summary>
/// <param name="Domain">Which domain.</param>
/// <param name="Grade">The ICANS grade this domain alone supports (0–4).</param>
/// <param name="Description">E.g. <c>ICE 5</c>, <c>CAPD 10</c>, <c>awakens to voice</c>,
/// <c>seizure (prolonged or repetitive)</c>, <c>diffuse cerebral oedema</c>.</param>
/// <param name="Evidence">The record(s) behind it: the worst record of the domain in the window (the latest of equals).</param>
public sealed record IcansDomainFinding(IcansDomain Domain, int Grade, string Description, IReadOnlyList<Evidence> Evidence)
{
    /// <summary>The domain's clinical name (<c>level of consciousness</c>); the ICE/CAPD tool is on the assessment.</summary>
    public string DomainName => IcansDomains.Name(Domain);
}

public static class IcansDomains
{
    /// <summary>Clinical name of a domain, lower case (<c>level of consciousness</c>).</summary>
    public static string Name(IcansDomain d) => d switch
    {
        IcansDomain.Encephalopathy => "encephalopathy score",
        IcansDomain.Consciousness => "level of consciousness",
        IcansDomain.Seizure => "seizure",
        IcansDomain.Motor => "motor findings",
        IcansDomain.RaisedIcpOrCerebralOedema => "raised ICP / cerebral oedema",
        _ => throw new ArgumentOutOfRangeException(nameof(d), d, null),
    };
}
