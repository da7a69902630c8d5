using System.Text;
using CarTCds.Hooks.Contract;
using CarTCds.Rules;
using CarTCds.Rules.Crs;
using CarTCds.Rules.Crs.OlderScales;

namespace CarTCds.Hooks.Cards;

/// <summary>Adds the older CRS scales to the CRS card: one line "ASTCT 4 · Lee 2014 2–3 · Penn 3–4 ·
/// CTCAE v5 3–4", each scale's reading and source, and the findings <c>crs-grade-lee2014</c>,
/// <c>crs-grade-penn</c>, <c>crs-grade-ctcae5</c> (a number when decided, <c>"2-3"</c> for a range
/// the data cannot decide, <c>"not-gradable"</c>).</summary>
public static class OlderCrsScalesLine
{
    public static readonly Link Lee2014 = new() { Label = "Lee 2014 CRS grading (Lee et al. Blood 2014;124:188)", Url = "https://doi.org/10.1182/blood-2014-05-552729" };
    public static readonly Link Penn = new() { Label = "Penn CRS grading (Porter et al. J Hematol Oncol 2018;11:35)", Url = "https://doi.org/10.1186/s13045-018-0571-y" };
    public static readonly Link Ctcae5 = new() { Label = "CTCAE v5.0 (NCI 2017), cytokine release syndrome", Url = "https://ctep.cancer.gov/protocoldevelopment/electronic_applications/docs/CTCAE_v5_Quick_Reference_8.5x11.pdf" };

    public static string Name(OlderCrsScale scale) => scale switch
    {
        OlderCrsScale.Lee2014 => "Lee 2014",
        OlderCrsScale.Penn => "Penn",
        _ => "CTCAE v5",
    };

    public static Link Source(OlderCrsScale scale) => scale switch
    {
        OlderCrsScale.Lee2014 => Lee2014,
        OlderCrsScale.Penn => Penn,
        _ => Ctcae5,
    };

    public static FindingRecord Finding(OlderScaleGrade g, RuleSet rules) => new()
    {
        Code = g.Code,
        Value = g.RangeValue is { } text ? FindingValue.Of(text) : FindingValue.Of(g.Grade!.Value),
        RuleSet = rules.Label,
        Evidence = FindingLists.Sources(g.Evidence),
        Reasons = FindingLists.NonEmpty(g.Readings),
        Missing = FindingLists.NonEmpty(g.Missing),
    };

    /// <param name="crsCard">The ASTCT CRS card (its findings list exists).</param>
    /// <param name="astct">The ASTCT grade of the same window.</param>
    /// <param name="grades">The older scales' grades (<see cref="OlderCrsScales.Assess"/>).</param>
    /// <param name="rules">The rule set.</param>
    public static void AddTo(Card crsCard, CrsAssessment astct, IReadOnlyList<OlderScaleGrade> grades, RuleSet rules)
    {
        var md = new StringBuilder("\n\n**Older scales, same window**: ASTCT ");
        md.Append(astct.Grade?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "not gradable");
        foreach (var g in grades) md.Append(" · ").Append(Name(g.Scale)).Append(' ').Append(g.Text);
        md.Append('\n');
        foreach (var g in grades)
        {
            var source = Source(g.Scale);
            md.Append("\n- ").Append(Name(g.Scale)).Append(" ([").Append(source.Label).Append("](").Append(source.Url).Append(")): ").Append(g.Text);
            if (g.Grade > 0) md.Append(" — ").Append(string.Join("; ", g.Readings));
            if (g.Missing.Count > 0) md.Append(". Would decide: ").Append(string.Join("; ", g.Missing));
            md.Append('.');
        }
        if (astct.Grade > 0)
        {
            md.Append("\n\nThe older scales also grade organ toxicity (Lee 2014, Penn) and coagulopathy (Penn), which CarTCds does not assess: they can only raise these grades.");
        }
        crsCard.Detail += md.ToString();
        crsCard.Extension!.Findings!.AddRange(grades.Select(g => Finding(g, rules)));
    }
}
