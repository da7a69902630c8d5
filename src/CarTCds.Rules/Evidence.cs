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
public sealed record ExcludedRecord(string Source, string Reason);
