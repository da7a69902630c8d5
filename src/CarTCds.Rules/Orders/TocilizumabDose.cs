namespace CarTCds.Rules.Orders;

/// <summary>The next tocilizumab dose for CRS, computed from the latest body weight, with the doses
/// given so far and when the next one is allowed.</summary>
/// <param name="DoseMg">The dose in mg, rounded and capped; null when no weight could be used
/// (never guessed: see <see cref="Missing"/>).</param>
/// <param name="MgPerKg">The mg/kg that applies to the weight (12 below 30 kg, 8 from 30 kg by
/// default); null without a weight.</param>
/// <param name="WeightKg">The weight used, in kg; null when missing or conflicting.</param>
/// <param name="WeightTime">When that weight was measured.</param>
/// <param name="WeightIsStale">True when the weight is older than
/// <see cref="OrderCheckParameters.WeightStaleAfter"/>; it is still used, with a note.</param>
/// <param name="UncappedDoseMg">mg/kg × weight before the cap, rounded; equals <see cref="DoseMg"/>
/// unless <see cref="IsCapped"/>.</param>
/// <param name="IsCapped">True when the maximum per dose (800 mg by default) set the dose.</param>
/// <param name="CourseStart">Doses are counted from here: the latest CAR-T infusion at or before
/// the evaluation time, else the evaluation time minus
/// <see cref="OrderCheckParameters.TocilizumabCountLookBackWithoutInfusion"/>.</param>
/// <param name="DosesGiven">Tocilizumab given since <see cref="CourseStart"/> up to the evaluation
/// time, in time order.</param>
/// <param name="DosesInLast24h">How many of them were given in the last 24 h (a dose exactly 24 h
/// ago no longer counts).</param>
/// <param name="Limits">The limits that forbid a dose now (interval, total, per 24 h); empty when a
/// dose is allowed now.</param>
/// <param name="NextDoseEarliest">The earliest time the next dose is allowed: the evaluation time
/// when allowed now; null when no further dose is allowed in this course (maximum total reached).</param>
/// <param name="Summary">One sentence for a card (<c>Tocilizumab 358.8 mg IV over 1 h …</c>), or
/// <c>Body weight (LOINC 29463-7) missing: dose not computed</c>.</param>
/// <param name="Evidence">The weight and the doses given.</param>
/// <param name="Missing">Data needed to compute the dose; empty when it was computed.</param>
/// <param name="Notes">Caveats (stale weight, no infusion on record, weights left out).</param>
public sealed record TocilizumabDose(
    decimal? DoseMg,
    decimal? MgPerKg,
    decimal? WeightKg,
    DateTimeOffset? WeightTime,
    bool WeightIsStale,
    decimal? UncappedDoseMg,
    bool IsCapped,
    DateTimeOffset CourseStart,
    IReadOnlyList<TocilizumabDoseGiven> DosesGiven,
    int DosesInLast24h,
    IReadOnlyList<TocilizumabLimit> Limits,
    DateTimeOffset? NextDoseEarliest,
    string Summary,
    IReadOnlyList<Evidence> Evidence,
    IReadOnlyList<string> Missing,
    IReadOnlyList<string> Notes)
{
    /// <summary>True when no limit forbids a dose at the evaluation time.</summary>
    public bool NextDoseAllowedNow => Limits.Count == 0;
}

/// <summary>A tocilizumab dose already given.</summary>
/// <param name="Time">When it was given (start of the infusion).</param>
/// <param name="DoseMg">The dose in mg, when recorded.</param>
/// <param name="Source">FHIR reference of the administration.</param>
public sealed record TocilizumabDoseGiven(DateTimeOffset Time, decimal? DoseMg, string Source);

/// <summary>A limit that forbids a tocilizumab dose at the evaluation time.</summary>
/// <param name="Rule"><c>min-interval</c>, <c>max-total</c> or <c>max-per-24h</c>.</param>
/// <param name="Text">A clinical sentence (<c>Last dose 7 h 59 min ago …: repeat no sooner than 8 h</c>).</param>
/// <param name="LiftsAt">When the limit no longer applies; null for <c>max-total</c>, which never lifts in the course.</param>
/// <param name="Evidence">The doses it rests on.</param>
public sealed record TocilizumabLimit(string Rule, string Text, DateTimeOffset? LiftsAt, IReadOnlyList<Evidence> Evidence);
