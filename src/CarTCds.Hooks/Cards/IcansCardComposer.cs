using System.Globalization;
using System.Text;
using CarTCds.Hooks.Contract;
using CarTCds.Rules;
using CarTCds.Rules.Icans;

namespace CarTCds.Hooks.Cards;

/// <summary>The ICANS card: the ASTCT grade, the domain that set it, and the tool used (ICE or CAPD).</summary>
public static class IcansCardComposer
{
    public const string FindingCode = "icans-grade";

    /// <summary>The card's topic code (source.topic).</summary>
    public const string Topic = "icans-grade";

    /// <summary>Whether the card states a normal finding only (<see cref="NormalFindings"/>): grade 0
    /// with nothing missing, info, nothing to order.</summary>
    public static bool IsNormal(IcansAssessment a, Card card) =>
        a.Grade == 0 && a.Missing.Count == 0 && card.Indicator == CardIndicator.Info && card.Suggestions is null;

    /// <summary>Null when there is nothing to say: no neurological assessment in the window (the
    /// monitoring card says that an assessment is due).</summary>
    public static Card? Compose(IcansAssessment a, int? dayAfterInfusion, RuleSet rules)
    {
        if (a.Status == IcansStatus.NoNeurologicalAssessment) return null;
        var onDay = dayAfterInfusion is { } d ? $", day {d}" : "";
        var window = ClinicalText.Hours(a.WindowEnd - a.WindowStart);
        string summary;
        string indicator;
        if (a.Grade is not { } g)
        {
            summary = $"ICANS not gradable (ASTCT){onDay}: intubated/sedated — encephalopathy cannot be assessed";
            indicator = CardIndicator.Warning;
        }
        else if (g == 0)
        {
            summary = $"No ICANS by ASTCT criteria in the last {window} h{onDay}";
            indicator = CardIndicator.Info;
        }
        else
        {
            summary = $"ICANS grade {g} (ASTCT){onDay}: {ClinicalText.JoinOnce(" + ", a.Drivers)}";
            indicator = g switch { 1 => CardIndicator.Info, 2 => CardIndicator.Warning, _ => CardIndicator.Critical };
        }

        var md = new StringBuilder();
        md.Append("**ASTCT ICANS grade: ").Append(a.Grade?.ToString(CultureInfo.InvariantCulture) ?? "not gradable").Append("** over ")
          .Append(ClinicalText.When(a.WindowStart)).Append(" – ").Append(ClinicalText.When(a.WindowEnd)).Append(".\n\n");
        if (a.Tool is { } tool)
        {
            md.Append("Encephalopathy tool: ").Append(tool == EncephalopathyTool.Capd ? "CAPD (Cornell Assessment of Pediatric Delirium)" : "ICE score")
              .Append(a.AgeYears is { } age ? $" (age {age} y; CAPD up to {rules.Icans.CapdMaxAgeYears} y)" : "").Append(".\n");
        }
        foreach (var f in a.Findings.OrderByDescending(f => f.Grade))
        {
            md.Append("\n- ").Append(f.DomainName).Append(": ").Append(f.Description).Append(" (supports grade ").Append(f.Grade).Append(')');
        }
        md.Append('\n');
        CardText.EvidenceTable(md, a.Evidence);
        CardText.Section(md, "Missing", a.Missing);
        CardText.Section(md, "Notes", a.Notes);
        if (a.Grade >= 2) md.Append("\nASCO 2021: from grade 2, neurology review, MRI and EEG; from grade 3, consider lumbar puncture. Corticosteroids per grade (dexamethasone; methylprednisolone for grade 4).\n");
        md.Append("\nGraded by ASTCT 2019 (most severe domain); tremor and myoclonus do not count. Rule set ").Append(rules.Label).Append('.');

        return CardFactory.Create(summary, indicator, md.ToString(), Topic, "ICANS grade (ASTCT)",
            "ASTCT consensus grading (Lee et al. 2019)", References.Astct2019, [References.Asco2021],
            [new FindingRecord
            {
                Code = FindingCode,
                Value = a.Grade is { } gv ? FindingValue.Of(gv) : FindingValue.Of("not-gradable"),
                RuleSet = rules.Label,
                Evidence = FindingLists.Sources(a.Evidence),
                Missing = FindingLists.NonEmpty(a.Missing),
            }]);
    }
}
