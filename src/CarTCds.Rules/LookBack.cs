using CarTCds.Rules.Facts;

namespace CarTCds.Rules;

/// <summary>How far back the rules read recent records — vitals, oxygen, ICE/CAPD and the other
/// neurological findings but seizures, and laboratory results — so that a reader of the patient's
/// chart (the service's own FHIR queries) can ask only for that period. Whole-history facts (weight,
/// disease status, CD19, marrow blasts, CNS status, performance status, seizures, diagnoses,
/// procedures, drugs) are not bounded by this.</summary>
/// <remarks>Every look-back parameter of the rule set that reaches back from the evaluation time or
/// from the infusion must be taken into account here. Tests: every seed journey gives the same
/// findings read from a FHIR server with queries bounded by this as with its whole chart
/// (<c>NoPrefetchAgainstFhirServerTests</c>).</remarks>
public static class LookBack
{
    /// <summary>The earliest time any rule reads a recent record when evaluating at <paramref name="at"/>:
    /// the earlier of <paramref name="at"/> minus the longest look-back from the evaluation time (CRS and
    /// ICANS windows, fever masking and IEC-HS screening without an infusion, the IEC-HS window, the
    /// ICE/CAPD interval) and, when a CAR-T infusion is on record at or before <paramref name="at"/>,
    /// midnight UTC of the first infusion's day minus <see cref="IecHs.IecHsParameters.BaselineLookBack"/>
    /// (the CRS course and episodes since the latest infusion, the pre-infusion laboratory baseline,
    /// IgG and CD19 B cells since the first infusion).</summary>
    /// <param name="infusions">The CAR-T infusions on record (any order; later than <paramref name="at"/> ignored).</param>
    /// <param name="at">The evaluation time.</param>
    /// <param name="rules">The rule set whose parameters set the windows.</param>
    public static DateTimeOffset EarliestRecentRecord(IEnumerable<CarTInfusion> infusions, DateTimeOffset at, RuleSet rules)
    {
        ArgumentNullException.ThrowIfNull(infusions);
        ArgumentNullException.ThrowIfNull(rules);
        TimeSpan[] fromEvaluation =
        [
            rules.Crs.LookBack,
            rules.Crs.MaskingLookBackWithoutInfusion,
            rules.Icans.LookBack,
            rules.IecHs.LookBackWithoutInfusion,
            rules.IecHs.IecHsLookBack,
            rules.Monitoring.NeuroAssessmentInterval,
        ];
        var earliest = at - fromEvaluation.Max();
        var first = infusions.Where(i => i.Time <= at).MinBy(i => i.Time);
        if (first is not null)
        {
            var sinceInfusion = first.DayZero - rules.IecHs.BaselineLookBack;
            if (sinceInfusion < earliest) earliest = sinceInfusion;
        }
        return earliest;
    }
}
