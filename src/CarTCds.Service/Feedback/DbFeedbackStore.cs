using System.Buffers;
using System.Data.Common;
using System.Text;
using System.Text.Json;
using CarTCds.Fhir.Model;
using CarTCds.Hooks.Contract;
using CarTCds.Service.Storage;

namespace CarTCds.Service.Feedback;

/// <summary><see cref="IFeedbackStore"/> in the service's database (SQLite or PostgreSQL), joined
/// to the card registry on read. One transaction per request: committed before the endpoint
/// acknowledges, so an acknowledged entry survives a crash. An entry already stored (same service,
/// card, outcome and outcomeTimestamp: a client retrying after a lost acknowledgement) is not stored
/// again (unique index <c>feedback_report</c>, migration 4).</summary>
internal sealed class DbFeedbackStore(StorageDatabase db, ILogger<DbFeedbackStore> logger) : IFeedbackStore
{
    public async Task AddAsync(string serviceId, IReadOnlyList<CdsFeedbackEntry> entries, DateTimeOffset receivedAt, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(serviceId);
        if (entries.Count == 0) return;
        var unknown = 0;
        var repeated = 0;
        var connection = await db.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var transaction = await db.BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
            await using (transaction.ConfigureAwait(false))
            {
                foreach (var e in entries)
                {
                    using var insert = connection.CreateCommand();
                    insert.Transaction = transaction;
                    insert.CommandText = """
                        INSERT INTO feedback (service_id, card_uuid, card_known_on_receipt, outcome, accepted_suggestions_json,
                            override_reason_system, override_reason_code, override_reason_display, override_user_comment, outcome_timestamp, received_at)
                        VALUES (@service, @card,
                            EXISTS (SELECT 1 FROM issued_cards c WHERE c.card_uuid = @card AND c.service_id = @service),
                            @outcome, @accepted, @reasonSystem, @reasonCode, @reasonDisplay, @comment, @outcomeTimestamp, @receivedAt)
                        ON CONFLICT (service_id, card_uuid, outcome, outcome_timestamp) DO NOTHING
                        RETURNING card_known_on_receipt
                        """;
                    StorageDatabase.Add(insert, "service", serviceId);
                    StorageDatabase.Add(insert, "card", e.Card);
                    StorageDatabase.Add(insert, "outcome", e.Outcome);
                    db.AddJson(insert, "accepted", e.AcceptedSuggestions is { Count: > 0 } s ? SuggestionIds(s) : null);
                    StorageDatabase.Add(insert, "reasonSystem", e.OverrideReason?.Reason?.System);
                    StorageDatabase.Add(insert, "reasonCode", e.OverrideReason?.Reason?.Code);
                    StorageDatabase.Add(insert, "reasonDisplay", e.OverrideReason?.Reason?.Display);
                    StorageDatabase.Add(insert, "comment", e.OverrideReason?.UserComment);
                    StorageDatabase.Add(insert, "outcomeTimestamp", e.OutcomeTimestamp);
                    db.AddTimestamp(insert, "receivedAt", receivedAt);
                    var reader = await insert.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                    await using (reader.ConfigureAwait(false))
                    {
                        // No row back: the report was stored before (a retry), and is kept as first stored.
                        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) repeated++;
                        else if (!reader.GetBoolean(0)) unknown++;
                    }
                }
                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        // Counts only: a user comment may name the patient.
        logger.LogInformation("Feedback stored for {ServiceId}: {Entries} entries ({Accepted} accepted, {Overridden} overridden), {UnknownCards} about cards not in the registry, {Repeated} already stored",
            serviceId, entries.Count, entries.Count(e => e.Outcome == "accepted"), entries.Count(e => e.Outcome == "overridden"), unknown, repeated);
    }

    public Task<IReadOnlyList<StoredFeedback>> ListAsync(string serviceId, CancellationToken cancellationToken) =>
        ListAsync(serviceId, null, cancellationToken);

    public Task<IReadOnlyList<StoredFeedback>> ListForCardAsync(string serviceId, string cardUuid, CancellationToken cancellationToken) =>
        ListAsync(serviceId, cardUuid, cancellationToken);

    private async Task<IReadOnlyList<StoredFeedback>> ListAsync(string serviceId, string? cardUuid, CancellationToken cancellationToken)
    {
        var connection = await db.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var select = connection.CreateCommand();
            select.CommandText = $"""
                SELECT f.id, f.card_uuid, f.outcome, f.accepted_suggestions_json, f.override_reason_system, f.override_reason_code,
                       f.override_reason_display, f.override_user_comment, f.outcome_timestamp, f.received_at, f.card_known_on_receipt,
                       {DbCardRegistry.CardColumns("c")}
                FROM feedback f
                LEFT JOIN issued_cards c ON c.card_uuid = f.card_uuid AND c.service_id = f.service_id
                WHERE f.service_id = @service {(cardUuid is null ? "" : "AND f.card_uuid = @card")}
                ORDER BY f.id
                """;
            StorageDatabase.Add(select, "service", serviceId);
            if (cardUuid is not null) StorageDatabase.Add(select, "card", cardUuid);
            var list = new List<StoredFeedback>();
            var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) list.Add(Read(reader, serviceId));
            }
            return list;
        }
    }

    private StoredFeedback Read(DbDataReader r, string serviceId)
    {
        var reasonSystem = StorageDatabase.ReadString(r, 4);
        var reasonCode = StorageDatabase.ReadString(r, 5);
        var reasonDisplay = StorageDatabase.ReadString(r, 6);
        var comment = StorageDatabase.ReadString(r, 7);
        var outcome = r.GetString(2);
        var entry = new CdsFeedbackEntry
        {
            Card = r.GetString(1),
            Outcome = outcome,
            AcceptedSuggestions = StorageDatabase.ReadString(r, 3) is { } json ? ReadSuggestionIds(json) : null,
            OverrideReason = reasonSystem is null && reasonCode is null && reasonDisplay is null && comment is null ? null : new OverrideReasonFeedback
            {
                Reason = reasonSystem is null && reasonCode is null && reasonDisplay is null ? null : new Coding { System = reasonSystem, Code = reasonCode, Display = reasonDisplay },
                UserComment = comment,
            },
            OutcomeTimestamp = r.GetString(8),
        };
        return new StoredFeedback(serviceId, entry, db.ReadTimestamp(r, 9))
        {
            Id = r.GetInt64(0),
            CardKnownOnReceipt = r.GetBoolean(10),
            Card = DbCardRegistry.ReadCard(db, r, 11),
        };
    }

    private static string SuggestionIds(List<AcceptedSuggestion> suggestions)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartArray();
            foreach (var s in suggestions) w.WriteStringValue(s.Id);
            w.WriteEndArray();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static List<AcceptedSuggestion> ReadSuggestionIds(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.EnumerateArray().Select(e => new AcceptedSuggestion { Id = e.GetString() }).ToList();
    }
}
