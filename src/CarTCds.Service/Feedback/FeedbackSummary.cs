using System.Data.Common;
using System.Globalization;
using System.Text.Json.Serialization;
using CarTCds.Fhir;
using CarTCds.Service.Storage;

namespace CarTCds.Service.Feedback;

/// <summary>The override-rate report: <c>GET /admin/feedback/summary</c> (and, later, <c>cartcds feedback summary</c>).</summary>
public interface IFeedbackReport
{
    Task<FeedbackSummary> SummarizeAsync(CancellationToken cancellationToken);
}

/// <summary>Feedback per card type, counted per card: when a card was reported more than once
/// (accepted, then overridden; overridden twice), its latest report counts — the one with the
/// latest outcomeTimestamp (as an instant, whatever its offset), and of equal instants the one
/// received last. Earlier reports of the card count only in <see cref="FeedbackCardTypeSummary.Reports"/>.</summary>
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

    /// <summary>Cards with at least one report: <see cref="Accepted"/> + <see cref="Overridden"/>.</summary>
    public long Feedback { get; set; }

    /// <summary>Cards whose latest report is <c>accepted</c>.</summary>
    public long Accepted { get; set; }

    /// <summary>Cards whose latest report is <c>overridden</c>.</summary>
    public long Overridden { get; set; }

    /// <summary>Every report stored on this line's cards, including those a later report superseded
    /// (a retried identical report is stored once, so it is not counted twice).</summary>
    public long Reports { get; set; }

    /// <summary>Overridden ÷ feedback (cards), rounded to 4 places; null without feedback.</summary>
    public double? OverrideRate { get; set; }

    /// <summary>Overridden cards whose latest report has no reason coding.</summary>
    public long OverriddenWithoutReason { get; set; }

    /// <summary>The five most frequent override reasons of the overridden cards (their latest
    /// reports), most frequent first.</summary>
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

/// <summary><see cref="IFeedbackReport"/> over the service's database: issued cards per type (one
/// grouped query), and every feedback report read once and reduced here to the latest per card
/// (the rule of <see cref="FeedbackSummary"/>; outcomeTimestamps are texts with offsets, which SQL
/// cannot order as instants in both dialects). Holds one row per card with feedback while it reads.</summary>
internal sealed class DbFeedbackReport(StorageDatabase db, TimeProvider time) : IFeedbackReport
{
    public const int TopReasons = 5;

    public async Task<FeedbackSummary> SummarizeAsync(CancellationToken cancellationToken)
    {
        var lines = new Dictionary<(string Service, string? Type), FeedbackCardTypeSummary>();
        FeedbackCardTypeSummary Line(string service, string? type) =>
            lines.TryGetValue((service, type), out var l) ? l : lines[(service, type)] = new FeedbackCardTypeSummary { Service = service, CardType = type, CardKnown = type is not null };
        var latest = new Dictionary<(string Service, string Card), Report>();

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
                    SELECT f.service_id, f.card_uuid, c.card_type, f.outcome, f.override_reason_system, f.override_reason_code,
                           f.override_reason_display, f.outcome_timestamp, f.id
                    FROM feedback f
                    LEFT JOIN issued_cards c ON c.card_uuid = f.card_uuid AND c.service_id = f.service_id
                    """;
                var r = await feedback.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await using (r.ConfigureAwait(false))
                {
                    while (await r.ReadAsync(cancellationToken).ConfigureAwait(false))
                    {
                        var report = new Report(r.GetString(0), StorageDatabase.ReadString(r, 2), r.GetString(3), StorageDatabase.ReadString(r, 4),
                            StorageDatabase.ReadString(r, 5), StorageDatabase.ReadString(r, 6),
                            FhirDateTime.StartOf(r.GetString(7)) ?? DateTimeOffset.MinValue, r.GetInt64(8));
                        Line(report.Service, report.Type).Reports++;
                        var card = (report.Service, r.GetString(1));
                        if (!latest.TryGetValue(card, out var kept) || report.IsLaterThan(kept)) latest[card] = report;
                    }
                }
            }
        }

        var reasons = new Dictionary<(string Service, string? Type, string? System, string Code), OverrideReasonCount>();
        foreach (var report in latest.Values)
        {
            var line = Line(report.Service, report.Type);
            line.Feedback++;
            if (report.Outcome == "accepted")
            {
                line.Accepted++;
                continue;
            }
            line.Overridden++;
            if (report.ReasonCode is not { } code)
            {
                line.OverriddenWithoutReason++;
                continue;
            }
            var key = (report.Service, report.Type, report.ReasonSystem, code);
            if (!reasons.TryGetValue(key, out var count)) reasons[key] = count = new OverrideReasonCount { System = report.ReasonSystem, Code = code };
            count.Count++;
            // The same display whichever report is read first: the greatest, as the summary always showed.
            if (string.CompareOrdinal(report.ReasonDisplay, count.Display) > 0) count.Display = report.ReasonDisplay;
        }

        foreach (var ((service, type), line) in lines)
        {
            line.FindingCodes.Sort(StringComparer.Ordinal);
            line.OverrideRate = line.Feedback == 0 ? null : Math.Round((double)line.Overridden / line.Feedback, 4);
            line.TopOverrideReasons = reasons.Where(x => x.Key.Service == service && x.Key.Type == type).Select(x => x.Value)
                .OrderByDescending(x => x.Count).ThenBy(x => x.Code, StringComparer.Ordinal).ThenBy(x => x.System, StringComparer.Ordinal)
                .Take(TopReasons).ToList();
        }
        return new FeedbackSummary
        {
            GeneratedAt = time.GetUtcNow(),
            CardTypes = lines.Values.OrderByDescending(l => l.Feedback).ThenBy(l => l.Service, StringComparer.Ordinal)
                .ThenBy(l => l.CardType ?? "\uffff", StringComparer.Ordinal).ToList(),
        };
    }

    private static long Count(DbDataReader r, int ordinal) => Convert.ToInt64(r.GetValue(ordinal), CultureInfo.InvariantCulture);

    /// <summary>One stored report; <c>At</c> is its outcomeTimestamp as an instant (MinValue if unreadable), <c>Id</c> its order of receipt.</summary>
    private sealed record Report(string Service, string? Type, string Outcome, string? ReasonSystem, string? ReasonCode, string? ReasonDisplay,
        DateTimeOffset At, long Id)
    {
        public bool IsLaterThan(Report other) => At != other.At ? At > other.At : Id > other.Id;
    }
}
