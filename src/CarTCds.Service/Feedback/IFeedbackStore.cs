using CarTCds.Hooks.Contract;

namespace CarTCds.Service.Feedback;

/// <summary>Keeps feedback on cards. A report is identified by its service, card, outcome and
/// outcomeTimestamp: sent again (a retry after a lost acknowledgement) it is stored once, as first
/// received. The same card may be reported again with another outcome or timestamp; every such
/// report is kept, and the override report counts the latest per card (<see cref="FeedbackSummary"/>).</summary>
public interface IFeedbackStore
{
    /// <summary>Stores every entry, all or none, and returns only once they are durable: the feedback
    /// endpoint acknowledges (200) after this returns, never before. Entries already stored are
    /// left as they are and count as stored (idempotent).</summary>
    /// <remarks>Feedback about a card this service has no record of is stored too, flagged
    /// (<see cref="StoredFeedback.CardKnownOnReceipt"/> false). It is not refused because it is
    /// usually real feedback on a real card: with SQLite, each replica keeps its own registry, so a
    /// card issued by replica A is unknown to replica B behind the same load balancer; the card may
    /// predate the registry (an upgrade) or have been registered by a write that failed while the
    /// answer still went out. CDS Hooks gives the EHR nothing to do with a refusal except lose the
    /// clinician's judgement. Reports join the card registry when read, so a card registered later
    /// (a shared PostgreSQL, a slow replica) is attributed then.</remarks>
    Task AddAsync(string serviceId, IReadOnlyList<CdsFeedbackEntry> entries, DateTimeOffset receivedAt, CancellationToken cancellationToken);

    /// <summary>Every report for <paramref name="serviceId"/>, in the order received.</summary>
    Task<IReadOnlyList<StoredFeedback>> ListAsync(string serviceId, CancellationToken cancellationToken);

    /// <summary>Every report on one card of <paramref name="serviceId"/>, in the order received.</summary>
    Task<IReadOnlyList<StoredFeedback>> ListForCardAsync(string serviceId, string cardUuid, CancellationToken cancellationToken);
}

/// <summary>One feedback entry as stored.</summary>
/// <param name="ServiceId">The service the feedback was posted to.</param>
/// <param name="Entry">The entry as received (card, outcome, acceptedSuggestions, overrideReason, outcomeTimestamp).</param>
/// <param name="ReceivedAt">When the service received it.</param>
public sealed record StoredFeedback(string ServiceId, CdsFeedbackEntry Entry, DateTimeOffset ReceivedAt)
{
    /// <summary>Its row number (order of receipt); 0 in the in-memory store.</summary>
    public long Id { get; init; }

    /// <summary>Whether the card was in the registry when the feedback arrived.</summary>
    public bool CardKnownOnReceipt { get; init; }

    /// <summary>The card it refers to, as issued by this service, when the registry knows it now; null otherwise.</summary>
    public IssuedCard? Card { get; init; }
}
