using CarTCds.Fhir.Model;
using CarTCds.Hooks.Contract;
using CarTCds.Hooks.Facts;

namespace CarTCds.Hooks.Cards;

/// <summary>The parts every card shares: uuid, a summary under 140 characters, the source and
/// topic, links, the findings extension, and override reasons on critical cards.</summary>
public static class CardFactory
{
    /// <summary>Override reasons offered on critical cards (CDS Hooks: Codings with display).</summary>
    public static List<Coding> DefaultOverrideReasons() =>
    [
        new Coding(References.OverrideReasonSystem, "already-managed", "Already recognised and being managed"),
        new Coding(References.OverrideReasonSystem, "data-error", "The data behind this card is wrong"),
        new Coding(References.OverrideReasonSystem, "clinical-judgement", "Clinical assessment differs"),
    ];

    /// <param name="summary">Cut to &lt; 140 characters at a word boundary.</param>
    /// <param name="indicator">info, warning or critical.</param>
    /// <param name="detail">GitHub markdown.</param>
    /// <param name="topic">cartcds topic code (<c>crs-grade</c>, <c>eligibility</c>, …).</param>
    /// <param name="topicDisplay">Its display.</param>
    /// <param name="sourceLabel">Who says so (guideline · CarTCds).</param>
    /// <param name="primary">The main source; its URL is the card source URL.</param>
    /// <param name="links">Further sources.</param>
    /// <param name="findings">Machine-readable findings (org.cartcds.findings).</param>
    public static Card Create(string summary, string indicator, string detail, string topic, string topicDisplay, string sourceLabel,
        Link primary, IEnumerable<Link> links, IEnumerable<FindingRecord> findings)
    {
        var allLinks = new[] { primary }.Concat(links).DistinctBy(l => l.Url)
            .Select(l => new Link { Label = l.Label, Url = l.Url, Type = "absolute" }).ToList();
        var findingList = findings.ToList();
        return new Card
        {
            Uuid = Guid.NewGuid().ToString(),
            Summary = CardText.Summary(summary),
            Indicator = indicator,
            Detail = detail,
            Source = new CardSource
            {
                Label = sourceLabel + " · CarTCds",
                Url = primary.Url,
                Topic = new Coding(DataContract.CarTCds, topic, topicDisplay),
            },
            Links = allLinks,
            OverrideReasons = indicator == CardIndicator.Critical ? DefaultOverrideReasons() : null,
            Extension = findingList.Count > 0 ? new CardExtension { Findings = findingList } : null,
        };
    }
}
