using System.Collections.Concurrent;
using CarTCds.Hooks.Contract;

namespace CarTCds.Service.Feedback;

/// <summary>Keeps feedback on cards. The same card may be reported more than once; every report is kept.</summary>
public interface IFeedbackStore
{
    Task AddAsync(string serviceId, IReadOnlyList<CdsFeedbackEntry> entries, DateTimeOffset receivedAt, CancellationToken cancellationToken);

    Task<IReadOnlyList<StoredFeedback>> ListAsync(string serviceId, CancellationToken cancellationToken);
}

public sealed record StoredFeedback(string ServiceId, CdsFeedbackEntry Entry, DateTimeOffset ReceivedAt);

/// <summary>Process memory only: lost on restart. The durable store (SQLite / PostgreSQL) is
/// the security-and-feedback issue's work; this one exists so the contract can be exercised.</summary>
public sealed class InMemoryFeedbackStore : IFeedbackStore
{
    private readonly ConcurrentQueue<StoredFeedback> _items = new();

    public Task AddAsync(string serviceId, IReadOnlyList<CdsFeedbackEntry> entries, DateTimeOffset receivedAt, CancellationToken cancellationToken)
    {
        foreach (var e in entries) _items.Enqueue(new StoredFeedback(serviceId, e, receivedAt));
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<StoredFeedback>> ListAsync(string serviceId, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<StoredFeedback>>(_items.Where(i => i.ServiceId == serviceId).ToList());
}
