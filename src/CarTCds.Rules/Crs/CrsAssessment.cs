namespace CarTCds.Rules.Crs;

/// <summary>The ASTCT CRS grade over one look-back window, with everything that set it.</summary>
/// <param name="Grade">0–4; null when the data cannot support a grade (see <see cref="Missing"/>).</param>
/// <param name="WindowStart">Start of the look-back window (exclusive).</param>
/// <param name="WindowEnd">The evaluation time (inclusive).</param>
/// <param name="Fever">How the fever criterion was met, or why not.</param>
/// <param name="Hypotension">The worst haemodynamic finding in the window, or null.</param>
/// <param name="Hypoxia">The worst oxygen requirement in the window, or null.</param>
/// <param name="Drivers">What set the grade, in clinical words (<c>BiPAP</c>, <c>norepinephrine</c>); empty for grade 0.</param>
/// <param name="Evidence">Every record the grade rests on, in time order.</param>
/// <param name="Missing">Data that would be needed for a grade, when <see cref="Grade"/> is null.</param>
/// <param name="Notes">Caveats a clinician should read (e.g. hypotension without fever: seek another cause).</param>
public sealed record CrsAssessment(
    int? Grade,
    DateTimeOffset WindowStart,
    DateTimeOffset WindowEnd,
    FeverFinding Fever,
    CrsDomainFinding? Hypotension,
    CrsDomainFinding? Hypoxia,
    IReadOnlyList<string> Drivers,
    IReadOnlyList<Evidence> Evidence,
    IReadOnlyList<string> Missing,
    IReadOnlyList<string> Notes)
{
    public bool IsGradable => Grade is not null;
}

/// <summary>How fever was established.</summary>
public enum FeverState
{
    /// <summary>No temperature in the window.</summary>
    NoTemperature,
    /// <summary>Temperatures recorded, none at or above the threshold.</summary>
    Afebrile,
    /// <summary>A temperature at or above the threshold.</summary>
    Febrile,
    /// <summary>Fever is no longer required: anti-cytokine, steroid or (by parameter) antipyretic therapy was given.</summary>
    Masked,
}

/// <param name="State">See <see cref="FeverState"/>.</param>
/// <param name="Description">E.g. <c>fever 39.5 °C</c>, <c>fever masked by tocilizumab</c>, <c>afebrile (max 37.4 °C)</c>.</param>
/// <param name="Evidence">The highest temperature and/or the masking drug.</param>
public sealed record FeverFinding(FeverState State, string Description, IReadOnlyList<Evidence> Evidence)
{
    /// <summary>When <see cref="State"/> is <see cref="FeverState.Masked"/>: the dose that masks and
    /// its CRS episode; otherwise null.</summary>
    public FeverMasking? Masking { get; init; }

    /// <summary>Temperatures charted in the window but left out (bad unit, outside the plausible range;
    /// <see cref="Facts.ClinicalFacts.Excluded"/>), by FHIR reference. When any is, "afebrile" is never
    /// said: the fever criterion was judged on the usable temperatures only, and one of those left out
    /// may have been a fever.</summary>
    public IReadOnlyList<string> LeftOut { get; init; } = [];

    public bool MeetsCriterion => State is FeverState.Febrile or FeverState.Masked;
}

/// <summary>One domain's contribution (hypotension or hypoxia) to the grade.</summary>
/// <param name="Grade">The CRS grade this finding alone would support (2–4).</param>
/// <param name="Description">E.g. <c>norepinephrine</c>, <c>nasal cannula 2 L/min</c>, <c>SBP 78 mmHg (&lt; 90)</c>.</param>
/// <param name="Evidence">The records behind it.</param>
public sealed record CrsDomainFinding(int Grade, string Description, IReadOnlyList<Evidence> Evidence);
