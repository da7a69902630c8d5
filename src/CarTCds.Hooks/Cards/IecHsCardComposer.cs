using System.Text;
using CarTCds.Hooks.Contract;
using CarTCds.Rules;
using CarTCds.Rules.IecHs;

namespace CarTCds.Hooks.Cards;

/// <summary>The carHLH / IEC-HS flag: a prompt for a clinician to confirm, never a diagnosis.</summary>
public static class IecHsCardComposer
{
    public const string FindingCode = "iec-hs";

    /// <summary>The card's topic code (source.topic).</summary>
    public const string Topic = "iec-hs";

    /// <summary>The finding, on whichever card carries it (the flag card, or the CRS card when no flag).</summary>
    public static FindingRecord Finding(IecHsAssessment a, RuleSet rules) => new()
    {
        Code = FindingCode,
        Value = FindingValue.Of(a.Flag ? "flag" : "no-flag"),
        RuleSet = rules.Label,
        Evidence = a.Flag ? FindingLists.Sources(a.Evidence) : null,
        Reasons = a.Flag ? a.RaisedBy.Select(r => r == IecHsCriteriaSet.CartoxCarHlh ? "cartox-carhlh" : "astct-iec-hs").ToList() : null,
        Missing = FindingLists.NonEmpty(a.Missing),
    };

    /// <summary>A card only when flagged.</summary>
    public static Card? Compose(IecHsAssessment a, RuleSet rules)
    {
        if (!a.Flag) return null;
        var sets = string.Join(" and ", a.RaisedBy.Select(r => r == IecHsCriteriaSet.CartoxCarHlh ? "CARTOX carHLH" : "ASTCT IEC-HS"));
        var met = new[] { a.CarHlh, a.IecHs }.Where(r => r.Met).SelectMany(r => r.Criteria).Where(c => c.Met).Select(c => c.Description).Distinct();
        var summary = $"Possible carHLH / IEC-HS ({sets} criteria met), confirm clinically: {ClinicalText.JoinOnce("; ", met)}";

        var md = new StringBuilder();
        md.Append("**A flag for clinician confirmation, not a diagnosis.**\n");
        foreach (var set in new[] { a.CarHlh, a.IecHs })
        {
            md.Append("\n**").Append(set.Set == IecHsCriteriaSet.CartoxCarHlh ? "CARTOX carHLH" : "ASTCT IEC-HS (features, criteria marked unverified in our sources)")
              .Append("**: ").Append(set.Met ? "met" : "not met").Append(" — ").Append(set.Summary).Append('\n');
            foreach (var c in set.Criteria)
            {
                md.Append("- ").Append(c.Met ? "✔ " : "✘ ").Append(c.Description).Append('\n');
            }
        }
        CardText.EvidenceTable(md, a.Evidence);
        CardText.Section(md, "Not assessable from EHR data", a.NotAssessable);
        CardText.Section(md, "Missing", a.Missing);
        CardText.Section(md, "Management (advisory)", a.ManagementPointers);
        CardText.Section(md, "Notes", a.Notes);
        md.Append("\nRule set ").Append(rules.Label).Append('.');

        var card = CardFactory.Create(summary, CardIndicator.Warning, md.ToString(), Topic, "IEC-HS / carHLH screen",
            "CARTOX (Neelapu et al. 2018) and ASTCT IEC-HS (Hines et al. 2023)", References.IecHs2023, [References.Cartox2018], [Finding(a, rules)]);
        card.OverrideReasons = CardFactory.DefaultOverrideReasons();
        return card;
    }
}
