namespace CarTCds.Hooks.Contract;

/// <summary><c>POST /cds-services/{id}/feedback</c> (https://cds-hooks.hl7.org/2.0/#feedback).</summary>
public sealed class CdsFeedbackRequest
{
    public List<CdsFeedbackEntry>? Feedback { get; set; }
}

public sealed class CdsFeedbackEntry
{
    /// <summary>The uuid of the card the feedback is about.</summary>
    public string? Card { get; set; }

    /// <summary><c>accepted</c> or <c>overridden</c>.</summary>
    public string? Outcome { get; set; }
    public List<AcceptedSuggestion>? AcceptedSuggestions { get; set; }
    public OverrideReasonFeedback? OverrideReason { get; set; }
    public string? OutcomeTimestamp { get; set; }
}

public sealed class AcceptedSuggestion
{
    public string? Id { get; set; }
}

public sealed class OverrideReasonFeedback
{
    public CarTCds.Fhir.Model.Coding? Reason { get; set; }
    public string? UserComment { get; set; }
}
