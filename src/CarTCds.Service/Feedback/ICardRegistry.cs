using CarTCds.Hooks.Contract;
using CarTCds.Service.Storage;

namespace CarTCds.Service.Feedback;

/// <summary>The cards this service issued, so that feedback (which names only a card's uuid) can be
/// traced to what the card said: its service, rule-set version, type and findings.</summary>
public interface ICardRegistry
{
    /// <summary>Remembers the cards of one hook answer. Call it before the answer is sent, so that an
    /// EHR's feedback can never arrive before its card is known. Cards without a uuid are skipped;
    /// a uuid already remembered is left as it was. Returns once the rows are committed.</summary>
    /// <param name="serviceId">The service that issued them (<c>cart-toxicity</c>, …).</param>
    /// <param name="ruleSetLabel">The rule set that produced them (<c>RuleSet.Label</c>, e.g. <c>cartcds@1.0.0</c>).</param>
    /// <param name="cards">The cards sent.</param>
    /// <param name="cancellationToken">Pass <see cref="CancellationToken.None"/> from a request whose
    /// client may hang up: the record should be kept even then.</param>
    Task RememberAsync(string serviceId, string ruleSetLabel, IEnumerable<Card> cards, CancellationToken cancellationToken);

    /// <summary>The card with this uuid issued by <paramref name="serviceId"/>, or null.</summary>
    Task<IssuedCard?> FindAsync(string serviceId, string cardUuid, CancellationToken cancellationToken);
}

/// <summary>One issued card as remembered. <c>CardType</c> is what the override report groups by: the
/// card's topic code (<c>crs-grade</c>, <c>eligibility</c>, …), or its first finding code when it has
/// no topic. <c>FindingCodes</c>: its distinct finding codes, sorted. <c>FindingsJson</c>:
/// <c>[{"code":…,"value":…,"ruleSet":…,"missing":[…]}]</c>.</summary>
public sealed record IssuedCard(string CardUuid, string ServiceId, string RuleSet, string CardType, string? TopicSystem, string? TopicCode,
    string Indicator, IReadOnlyList<string> FindingCodes, string FindingsJson, DateTimeOffset IssuedAt);

/// <summary><see cref="ICardRegistry"/> in the service's database.</summary>
internal sealed class DbCardRegistry(StorageDatabase db, GroupCommit group, TimeProvider time) : ICardRegistry
{
    internal const string UnknownCardType = "(none)";

    private const string InsertSql = """
        INSERT INTO issued_cards (card_uuid, service_id, rule_set, card_type, topic_system, topic_code, indicator, finding_codes, findings_json, issued_at)
        VALUES (@uuid, @service, @ruleSet, @type, @topicSystem, @topicCode, @indicator, @codes, @findings, @at)
        ON CONFLICT (card_uuid) DO NOTHING
        """;

    private Action<System.Data.Common.DbCommand>? _declare;

    public Task RememberAsync(string serviceId, string ruleSetLabel, IEnumerable<Card> cards, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(serviceId);
        ArgumentException.ThrowIfNullOrEmpty(ruleSetLabel);
        // The write skips the cards without a uuid itself (InsertAsync); here only: is there any to register?
        var list = cards as IReadOnlyList<Card> ?? cards.ToList();
        if (!list.Any(c => !string.IsNullOrEmpty(c.Uuid))) return Task.CompletedTask;
        // Shares a commit with concurrent hook calls' writes (GroupCommit); returns once committed.
        return group.WriteAsync(new Audit.HookCallWrite(null, null, this, serviceId, ruleSetLabel, list, time.GetUtcNow(), null)).WaitAsync(cancellationToken);
    }

    /// <summary>When a card registered now is issued: the injected clock.</summary>
    internal DateTimeOffset Now => time.GetUtcNow();

    /// <summary>Inside a group-commit write: inserts the <paramref name="cards"/> that have a uuid
    /// (a uuid already registered is left as it was). Serialises their findings here, on the writer loop.</summary>
    internal async Task InsertAsync(GroupCommit group, System.Data.Common.DbConnection connection, System.Data.Common.DbTransaction transaction,
        string serviceId, string ruleSetLabel, IReadOnlyList<Card> cards, DateTimeOffset issuedAt)
    {
        for (var i = 0; i < cards.Count; i++)
        {
            var card = cards[i];
            if (string.IsNullOrEmpty(card.Uuid)) continue;
            var insert = group.Command(connection, transaction, InsertSql, _declare ??= Declare);
            var p = insert.Parameters;
            // In the order Declare adds them.
            p[0].Value = card.Uuid;
            p[1].Value = serviceId;
            p[2].Value = ruleSetLabel;
            p[3].Value = CardTypeOf(card);
            p[4].Value = (object?)card.Source.Topic?.System ?? DBNull.Value;
            p[5].Value = (object?)card.Source.Topic?.Code ?? DBNull.Value;
            p[6].Value = card.Indicator;
            p[7].Value = FindingsJson.Codes(card);
            FindingsJson.WriteForCard(group.Json(), card);
            p[8].Value = group.JsonText();
            p[9].Value = db.TimestampValue(issuedAt);
            await insert.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }

    private void Declare(System.Data.Common.DbCommand insert)
    {
        foreach (var name in (ReadOnlySpan<string>)["uuid", "service", "ruleSet", "type", "topicSystem", "topicCode", "indicator", "codes"]) StorageDatabase.Add(insert, name, null);
        db.AddJson(insert, "findings", null);
        db.AddTimestamp(insert, "at", default);
    }

    public async Task<IssuedCard?> FindAsync(string serviceId, string cardUuid, CancellationToken cancellationToken)
    {
        var connection = await db.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var select = connection.CreateCommand();
            select.CommandText = $"SELECT {CardColumns("c")} FROM issued_cards c WHERE c.card_uuid = @uuid AND c.service_id = @service";
            StorageDatabase.Add(select, "uuid", cardUuid);
            StorageDatabase.Add(select, "service", serviceId);
            var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? ReadCard(db, reader, 0) : null;
            }
        }
    }

    /// <summary>The card's topic code, else its first finding code.</summary>
    internal static string CardTypeOf(Card card) =>
        card.Source.Topic?.Code is { Length: > 0 } topic ? topic : FindingsJson.Findings(card) is { Count: > 0 } findings ? findings[0].Code : UnknownCardType;

    /// <summary>The 10 columns <see cref="ReadCard"/> reads, from alias <paramref name="a"/>.</summary>
    internal static string CardColumns(string a) =>
        $"{a}.card_uuid, {a}.service_id, {a}.rule_set, {a}.card_type, {a}.topic_system, {a}.topic_code, {a}.indicator, {a}.finding_codes, {a}.findings_json, {a}.issued_at";

    /// <summary>A card from <see cref="CardColumns"/> starting at <paramref name="first"/>; null when the join found none.</summary>
    internal static IssuedCard? ReadCard(StorageDatabase db, System.Data.Common.DbDataReader r, int first)
    {
        if (r.IsDBNull(first)) return null;
        var codes = r.GetString(first + 7);
        return new IssuedCard(r.GetString(first), r.GetString(first + 1), r.GetString(first + 2), r.GetString(first + 3),
            StorageDatabase.ReadString(r, first + 4), StorageDatabase.ReadString(r, first + 5), r.GetString(first + 6),
            codes.Length == 0 ? [] : codes.Split(' '), r.GetString(first + 8), db.ReadTimestamp(r, first + 9));
    }
}
