using System.Text;

namespace CarTCds.Hooks.Cards;

/// <summary>Text rules shared by every card.</summary>
public static class CardText
{
    /// <summary>CDS Hooks: "summary … SHOULD be &lt;140 characters".</summary>
    public const int MaxSummaryLength = 139;

    /// <summary>Cuts at a word boundary with an ellipsis so the summary stays under 140 characters.</summary>
    public static string Summary(string text)
    {
        if (text.Length <= MaxSummaryLength) return text;
        var cut = text.LastIndexOf(' ', MaxSummaryLength - 1);
        if (cut < MaxSummaryLength / 2) cut = MaxSummaryLength - 1;
        return text[..cut].TrimEnd(' ', ',', ';', '+') + "…";
    }

    /// <summary>Escapes text for a markdown table cell.</summary>
    public static string Cell(string s) => s.Replace("|", "\\|", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);

    /// <summary>Appends the evidence as a markdown table (time, finding, FHIR record), in time order.</summary>
    public static void EvidenceTable(StringBuilder md, IEnumerable<CarTCds.Rules.Evidence> evidence)
    {
        var list = evidence.OrderBy(e => e.Time ?? DateTimeOffset.MinValue).ToList();
        if (list.Count == 0) return;
        md.Append("\n| Time | Finding | Record |\n|---|---|---|\n");
        foreach (var e in list)
        {
            md.Append("| ").Append(CarTCds.Rules.ClinicalText.When(e.Time)).Append(" | ").Append(Cell(e.Description)).Append(" | ").Append(Cell(e.Source)).Append(" |\n");
        }
    }

    /// <summary>Appends a bulleted section when there is anything to list.</summary>
    public static void Section(StringBuilder md, string title, IEnumerable<string> items)
    {
        var list = items.ToList();
        if (list.Count == 0) return;
        md.Append("\n**").Append(title).Append("**\n\n");
        foreach (var i in list) md.Append("- ").Append(i).Append('\n');
    }
}
