namespace CarTCds.Rules;

/// <summary>One piece of data a finding rests on.</summary>
/// <param name="Source">The FHIR reference of the record (<c>Observation/obs-17</c>), so an EHR can
/// link back to it.</param>
/// <param name="Time">When the observation was made or the drug given; null when unknown.</param>
/// <param name="Description">What it showed, in clinical words with value and unit
/// (<c>temperature 39.5 °C</c>).</param>
public sealed record Evidence(string Source, DateTimeOffset? Time, string Description);

/// <summary>A record that was not used, and why (shown in the card's data-quality note).</summary>
/// <param name="Source">The FHIR reference of the record left out.</param>
/// <param name="Reason">Why, in words a clinician understands (<c>temperature in kg: unit not convertible</c>).</param>
public sealed record ExcludedRecord(string Source, string Reason)
{
    /// <summary>What the record would have been, when its code says so; it decides which card names it
    /// (a temperature on the CRS card, an ICE score on the ICANS card). Default <see cref="RecordKind.Other"/>.</summary>
    public RecordKind Kind { get; init; } = RecordKind.Other;

    /// <summary>When it was charted, when its time could be read; null otherwise (then it is not known
    /// to fall in any look-back window).</summary>
    public DateTimeOffset? Time { get; init; }
}

/// <summary>What a record left out would have told the rules.</summary>
public enum RecordKind
{
    /// <summary>Not known, or a record no single assessment reads (e.g. a patient not shown to be this one).</summary>
    Other,
    /// <summary>Body temperature: the CRS fever criterion.</summary>
    Temperature,
    /// <summary>Blood pressure or a hypotension record: the CRS hypotension domain.</summary>
    Haemodynamics,
    /// <summary>Oxygen delivery or flow: the CRS hypoxia domain.</summary>
    Oxygen,
    /// <summary>ICE, CAPD, level of consciousness, seizure, motor weakness, cerebral oedema: ICANS.</summary>
    Neurological,
    /// <summary>A laboratory result (ferritin, counts, liver, coagulation …): the IEC-HS screen.</summary>
    Laboratory,
    /// <summary>A drug given (vasopressors, tocilizumab, corticosteroids, antipyretics …).</summary>
    Drug,
    /// <summary>Body weight: every weight-based dose.</summary>
    Weight,
    /// <summary>The CAR-T infusion: day 0 of everything.</summary>
    Infusion,
    /// <summary>Disease history (status, CD19, marrow blasts, CNS, performance, transplant, diagnosis).</summary>
    DiseaseHistory,
}
