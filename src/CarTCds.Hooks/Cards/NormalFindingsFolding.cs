using CarTCds.Hooks.Contract;

namespace CarTCds.Hooks.Cards;

/// <summary>A grade card of cart-toxicity (CRS, ICANS, IEC-HS) and what folding needs to know of it.</summary>
/// <param name="Card">The composed card.</param>
/// <param name="Name">The syndrome graded, as the summary names it (<c>CRS</c>, <c>ICANS</c>).</param>
/// <param name="IsNormal">Whether it states a normal finding only: grade 0 on measured data, info,
/// nothing to order, nothing left out that could change it.</param>
/// <param name="StatusLine">One short line saying the normal finding (used when it is folded).</param>
/// <param name="Carried">Markdown a folded card must not lose (its "Left out" and "Data" notes);
/// empty when none.</param>
public sealed record GradeCard(Card Card, string Name, bool IsNormal, string StatusLine, string Carried = "");

/// <summary>Folds normal findings into the card a clinician reads (<see cref="CardOptions.NormalFindings"/>):
/// an EHR shows every card, and a card per normal grade ("No ICANS by ASTCT criteria") buries the
/// one that matters.</summary>
public static class NormalFindingsFolding
{
    /// <summary>The grade cards to answer, in composition order.</summary>
    /// <param name="grades">CRS first, then ICANS and IEC-HS when composed.</param>
    /// <param name="mode">The setting.</param>
    /// <remarks>The target of a normal finding is the most urgent card that is not normal (the first
    /// of equals, in composition order). When every grade is normal, the first card (CRS) is the one
    /// status card. The folded card's findings move onto the target, so the response's findings (and
    /// the audit) are the same in every mode.</remarks>
    public static List<Card> Apply(IReadOnlyList<GradeCard> grades, NormalFindings mode)
    {
        if (mode == NormalFindings.Separate || grades.Count == 0) return grades.Select(g => g.Card).ToList();
        var kept = grades.Where(g => !g.IsNormal).ToList();
        var allNormal = kept.Count == 0;
        var target = allNormal ? grades[0] : kept.OrderByDescending(g => CardIndicator.Urgency(g.Card.Indicator)).First();
        if (allNormal) kept.Add(target);

        foreach (var folded in grades.Where(g => g.IsNormal && !ReferenceEquals(g, target)))
        {
            if (mode == NormalFindings.Fold)
            {
                target.Card.Detail += $"\n\n**Also:** {folded.StatusLine}.";
                // "No CRS by ASTCT criteria …" becomes "No CRS or ICANS by ASTCT criteria …".
                if (allNormal) target.Card.Summary = CardText.Summary(target.Card.Summary.StartsWith($"No {target.Name} ", StringComparison.Ordinal)
                    ? $"No {target.Name} or {folded.Name} {target.Card.Summary[(target.Name.Length + 4)..]}"
                    : $"{target.Card.Summary} · {Lower(folded.StatusLine)}");
            }
            target.Card.Detail += folded.Carried;
            if (folded.Card.Extension?.Findings is { Count: > 0 } findings)
            {
                target.Card.Extension ??= new CardExtension();
                target.Card.Extension.Findings ??= [];
                target.Card.Extension.Findings.AddRange(findings);
            }
        }
        return grades.Where(g => kept.Contains(g)).Select(g => g.Card).ToList();
    }

    // "No ICANS by ASTCT criteria in the last 24 h, day 5" → "no ICANS by ASTCT criteria in the last 24 h"
    // after the first card's summary: the day is said once.
    private static string Lower(string statusLine)
    {
        var line = statusLine.Length > 0 ? char.ToLowerInvariant(statusLine[0]) + statusLine[1..] : statusLine;
        var day = line.LastIndexOf(", day ", StringComparison.Ordinal);
        return day > 0 && line[(day + 6)..].All(char.IsDigit) ? line[..day] : line;
    }
}
