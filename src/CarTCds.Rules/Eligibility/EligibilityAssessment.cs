namespace CarTCds.Rules.Eligibility;

/// <summary>The answer to "does the tisagenlecleucel label cover this patient?".</summary>
public enum EligibilityStatus
{
    /// <summary>Every label criterion is met (<c>eligible</c>).</summary>
    Eligible,
    /// <summary>At least one label criterion is not met (<c>not-eligible</c>), whatever else is missing.</summary>
    NotEligible,
    /// <summary>No criterion fails, but at least one cannot be decided (<c>undetermined</c>):
    /// see <see cref="EligibilityAssessment.Missing"/>.</summary>
    Undetermined,
}

/// <summary>The outcome of one label criterion.</summary>
public enum CriterionOutcome
{
    Met,
    NotMet,
    /// <summary>The data cannot decide it; what is needed is in <see cref="EligibilityAssessment.Missing"/>.</summary>
    Undetermined,
}

/// <summary>How a trial-derived check (ELIANA/ENSIGN) came out. Information only: never an exclusion.</summary>
public enum TrialCheckOutcome
{
    /// <summary>The trials' criterion is met.</summary>
    Favourable,
    /// <summary>The trials would have excluded or flagged this; the label does not.</summary>
    Caution,
    /// <summary>No (recent enough) data to say.</summary>
    Unknown,
    /// <summary>Worth knowing, neither favourable nor a caution (e.g. Down syndrome).</summary>
    Informational,
}

/// <summary>One label criterion and why it came out as it did.</summary>
/// <param name="Criterion"><c>age</c>, <c>diagnosis</c> or <c>disease-status</c>.</param>
/// <param name="Outcome">See <see cref="CriterionOutcome"/>.</param>
/// <param name="Text">A clinical sentence (<c>Age 25 y on 2026-05-18 …</c>).</param>
/// <param name="Evidence">The records it rests on (empty when the data is missing).</param>
public sealed record EligibilityReason(string Criterion, CriterionOutcome Outcome, string Text, IReadOnlyList<Evidence> Evidence);

/// <summary>One trial-derived check, shown as information.</summary>
/// <param name="Code"><c>cd19-expression</c>, <c>marrow-blasts</c>, <c>prior-cd19-therapy</c>,
/// <c>allogeneic-sct</c>, <c>active-gvhd</c>, <c>cns-status</c>, <c>performance-status</c>,
/// <c>down-syndrome</c> (only when recorded), <c>isolated-extramedullary-disease</c>.</param>
/// <param name="Outcome">See <see cref="TrialCheckOutcome"/>.</param>
/// <param name="Text">A clinical sentence.</param>
/// <param name="Evidence">The records it rests on.</param>
public sealed record TrialCheck(string Code, TrialCheckOutcome Outcome, string Text, IReadOnlyList<Evidence> Evidence);

/// <summary>The label's tisagenlecleucel dose range for this patient (Kymriah US label §2.1).</summary>
/// <param name="Text">The guidance in words, including why it could not be computed.</param>
/// <param name="WeightKg">The weight used; null when missing or conflicting.</param>
/// <param name="PerKilogram">True when the weight is at or below the threshold (dose per kg).</param>
/// <param name="MinCells">Lowest total CAR-positive viable T cells; null without a weight.</param>
/// <param name="MaxCells">Highest total CAR-positive viable T cells; null without a weight.</param>
/// <param name="WeightIsStale">True when the weight is older than the stale limit.</param>
/// <param name="Evidence">The weight record(s).</param>
public sealed record CellDoseGuidance(string Text, decimal? WeightKg, bool PerKilogram, decimal? MinCells, decimal? MaxCells, bool WeightIsStale, IReadOnlyList<Evidence> Evidence);

/// <summary>Tisagenlecleucel eligibility by the label, with the trials' checks as information.</summary>
/// <param name="Eligibility">The answer; see <see cref="EligibilityStatus"/>.</param>
/// <param name="AgeDate">The date age and the transplant interval were judged on: the planned
/// infusion date when given, else the evaluation date.</param>
/// <param name="AgeYears">Completed years on <see cref="AgeDate"/>; null when the birth date is unknown.</param>
/// <param name="Reasons">One entry per label criterion (age, diagnosis, disease status), in that order.</param>
/// <param name="Missing">Exactly what is needed to decide the undetermined criteria; empty when none is.
/// Filled even when another criterion already fails.</param>
/// <param name="TrialChecks">Trial-derived checks: information, never exclusions.</param>
/// <param name="Dose">The label dose range for the patient's weight.</param>
/// <param name="Evidence">Every record the reasons, checks and dose rest on, in time order.</param>
/// <param name="Notes">Caveats (events after the evaluation time ignored, relapses merged, …).</param>
/// <param name="RuleSet">The rule set that produced it (<c>id@version</c>).</param>
public sealed record EligibilityAssessment(
    EligibilityStatus Eligibility,
    DateOnly AgeDate,
    int? AgeYears,
    IReadOnlyList<EligibilityReason> Reasons,
    IReadOnlyList<string> Missing,
    IReadOnlyList<TrialCheck> TrialChecks,
    CellDoseGuidance Dose,
    IReadOnlyList<Evidence> Evidence,
    IReadOnlyList<string> Notes,
    string RuleSet)
{
    /// <summary>The machine-readable code (<c>eligible</c> | <c>not-eligible</c> | <c>undetermined</c>).</summary>
    public string Code => EligibilityCodes.Code(Eligibility);

    /// <summary>The CD19-negative or CD19-dim result of the latest blasts (within the CD19 window), when
    /// there is one: cards show it prominently (summary, warning), and a tisagenlecleucel order warns.
    /// Null when CD19 is positive, unknown or too old.</summary>
    public TrialCheck? Cd19Concern => TrialChecks.FirstOrDefault(c => c.Code == "cd19-expression" && c.Outcome == TrialCheckOutcome.Caution);
}

/// <summary>Codes of the <c>eligibility</c> finding (docs/ARCHITECTURE.md).</summary>
public static class EligibilityCodes
{
    public static string Code(EligibilityStatus status) => status switch
    {
        EligibilityStatus.Eligible => "eligible",
        EligibilityStatus.NotEligible => "not-eligible",
        EligibilityStatus.Undetermined => "undetermined",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };
}
