using System.Data.Common;
using System.Globalization;
using System.Text.Json.Serialization;
using CarTCds.Service.Storage;

namespace CarTCds.Service.Feedback;

/// <summary>The override-rate report: <c>GET /admin/feedback/summary</c> (and, later, <c>cartcds feedback summary</c>).</summary>
public interface IFeedbackReport
{
    Task<FeedbackSummary> SummarizeAsync(CancellationToken cancellationToken);
}

/// <summary>Feedback per card type. Every report counts: a card reported twice counts twice.</summary>
public sealed class FeedbackSummary
{
    public DateTimeOffset GeneratedAt { get; set; }

    /// <summary>One line per (service, card type), busiest first; feedback on cards the registry
    /// does not know forms its own line per service, with <see cref="FeedbackCardTypeSummary.CardKnown"/> false.</summary>
    public List<FeedbackCardTypeSummary> CardTypes { get; set; } = [];
}

public sealed class FeedbackCardTypeSummary
{
    public string Service { get; set; } = "";

    /// <summary>The card's topic code (<c>crs-grade</c>, <c>eligibility</c>, …), or its first finding
    /// code when it has none; null on the line for unknown cards.</summary>
    public string? CardType { get; set; }

    /// <summary>False on the line that gathers feedback about cards not in the registry.</summary>
    public bool CardKnown { get; set; } = true;

    /// <summary>The finding codes seen on this type's cards.</summary>
    public List<string> FindingCodes { get; set; } = [];

    /// <summary>Cards of this type issued (registry rows).</summary>
    public long CardsIssued { get; set; }

    public long Feedback { get; set; }
    public long Accepted { get; set; }
    public long Overridden { get; set; }

    /// <summary>Overridden ÷ feedback, rounded to 4 places; null without feedback.</summary>
    public double? OverrideRate { get; set; }

    /// <summary>Overrides sent without a reason coding.</summary>
    public long OverriddenWithoutReason { get; set; }

    /// <summary>The five most frequent override reasons, most frequent first.</summary>
    public List<OverrideReasonCount> TopOverrideReasons { get; set; } = [];
}

public sealed class OverrideReasonCount
{
    public string? System { get; set; }
    public string? Code { get; set; }
    public string? Display { get; set; }
    public long Count { get; set; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(FeedbackSummary))]
internal sealed partial class FeedbackSummaryJsonContext : JsonSerializerContext;

/// <summary><see cref="IFeedbackReport"/> over the service's database: two grouped queries
/// (issued cards per type; feedback per type, outcome and reason), assembled here.</summary>
internal sealed class DbFeedbackReport(StorageDatabase db, TimeProvider time) : IFeedbackReport
{
    public const int TopReasons = 5;

    public async Task<FeedbackSummary> SummarizeAsync(CancellationToken cancellationToken)
    {
        var lines = new Dictionary<(string Service, string? Type), FeedbackCardTypeSummary>();
        var reasons = new Dictionary<(string Service, string? Type), List<OverrideReasonCount>>();
        FeedbackCardTypeSummary Line(string service, string? type) =>
            lines.TryGetValue((service, type), out var l) ? l : lines[(service, type)] = new FeedbackCardTypeSummary { Service = service, CardType = type, CardKnown = type is not null };

        var connection = await db.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using (var issued = connection.CreateCommand())
            {
                issued.CommandText = """
                    SELECT service_id, card_type, finding_codes, COUNT(*)
                    FROM issued_cards
                    GROUP BY service_id, card_type, finding_codes
                    """;
                var r = await issued.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await using (r.ConfigureAwait(false))
                {
                    while (await r.ReadAsync(cancellationToken).ConfigureAwait(false))
                    {
                        var line = Line(r.GetString(0), r.GetString(1));
                        line.CardsIssued += Count(r, 3);
                        foreach (var code in r.GetString(2).Split(' ', StringSplitOptions.RemoveEmptyEntries))
                        {
                            if (!line.FindingCodes.Contains(code)) line.FindingCodes.Add(code);
                        }
                    }
                }
            }

            using (var feedback = connection.CreateCommand())
            {
                feedback.CommandText = """
                    SELECT f.service_id, c.card_type, f.outcome, f.override_reason_system, f.override_reason_code, MAX(f.override_reason_display), COUNT(*)
                    FROM feedback f
                    LEFT JOIN issued_cards c ON c.card_uuid = f.card_uuid AND c.service_id = f.service_id
                    GROUP BY f.service_id, c.card_type, f.outcome, f.override_reason_system, f.override_reason_code
                    """;
                var r = await feedback.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await using (r.ConfigureAwait(false))
                {
                    while (await r.ReadAsync(cancellationToken).ConfigureAwait(false))
                    {
                        var service = r.GetString(0);
                        var type = StorageDatabase.ReadString(r, 1);
                        var line = Line(service, type);
                        var n = Count(r, 6);
                        line.Feedback += n;
                        if (r.GetString(2) == "accepted")
                        {
                            line.Accepted += n;
                            continue;
                        }
                        line.Overridden += n;
                        var system = StorageDatabase.ReadString(r, 3);
                        var code = StorageDatabase.ReadString(r, 4);
                        if (code is null)
                        {
                            line.OverriddenWithoutReason += n;
                            continue;
                        }
                        if (!reasons.TryGetValue((service, type), out var list)) reasons[(service, type)] = list = [];
                        list.Add(new OverrideReasonCount { System = system, Code = code, Display = StorageDatabase.ReadString(r, 5), Count = n });
                    }
                }
            }
        }

        foreach (var (key, line) in lines)
        {
            line.FindingCodes.Sort(StringComparer.Ordinal);
            line.OverrideRate = line.Feedback == 0 ? null : Math.Round((double)line.Overridden / line.Feedback, 4);
            if (reasons.TryGetValue(key, out var list))
            {
                line.TopOverrideReasons = list.OrderByDescending(x => x.Count).ThenBy(x => x.Code, StringComparer.Ordinal).ThenBy(x => x.System, StringComparer.Ordinal)
                    .Take(TopReasons).ToList();
            }
        }
        return new FeedbackSummary
        {
            GeneratedAt = time.GetUtcNow(),
            CardTypes = lines.Values.OrderByDescending(l => l.Feedback).ThenBy(l => l.Service, StringComparer.Ordinal)
                .ThenBy(l => l.CardType ?? "\uffff", StringComparer.Ordinal).ToList(),
        };
    }

    private static long Count(DbDataReader r, int ordinal) => Convert.ToInt64(r.GetValue(ordinal), CultureInfo.InvariantCulture);
}
