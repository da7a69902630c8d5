using System.Text;
using CarTCds.Hooks.Contract;
using CarTCds.Rules;
using CarTCds.Rules.Eligibility;

namespace CarTCds.Hooks.Cards;

/// <summary>The tisagenlecleucel eligibility card (US label): eligible → info, undetermined →
/// warning naming exactly what is missing, not eligible → critical with override reasons.</summary>
public static class EligibilityCardComposer
{
    public const string FindingCode = "eligibility";

    /// <summary>CD19-negative or CD19-dim blasts (value <c>negative</c> | <c>dim</c>), only when found.</summary>
    public const string Cd19FindingCode = "cd19-negative-disease";

    public static FindingRecord Finding(EligibilityAssessment a, RuleSet rules) => new()
    {
        Code = FindingCode,
        Value = FindingValue.Of(a.Code),
        RuleSet = rules.Label,
        Evidence = FindingLists.Sources(a.Evidence),
        Reasons = FindingLists.NonEmpty(a.Reasons.Where(r => r.Outcome != CriterionOutcome.Met || a.Eligibility == EligibilityStatus.Eligible).Select(r => r.Text)),
        Missing = FindingLists.NonEmpty(a.Missing),
    };

    public static Card Compose(EligibilityAssessment a, RuleSet rules)
    {
        var (indicator, summary) = a.Eligibility switch
        {
            EligibilityStatus.Eligible => (CardIndicator.Info, "Meets the tisagenlecleucel label indication (≤ 25 y, B-ALL, refractory or ≥ 2nd relapse)"),
            EligibilityStatus.NotEligible => (CardIndicator.Critical, "Not eligible for tisagenlecleucel by label: " + ClinicalText.JoinOnce("; ", a.Reasons.Where(r => r.Outcome == CriterionOutcome.NotMet).Select(r => r.Text))),
            _ => (CardIndicator.Warning, "Tisagenlecleucel eligibility undetermined — needs " + ClinicalText.JoinOnce(", ", a.Missing)),
        };

        if (a.Cd19Concern is { } cd19)
        {
            // A CD19-negative or CD19-dim relapse heads the card, at least as a warning.
            var status = cd19.Text.StartsWith("CD19-dim", StringComparison.Ordinal) ? "CD19-dim" : "CD19-negative";
            summary = $"{status} blasts: CD19 CAR-T may not work. {summary}";
            if (indicator == CardIndicator.Info) indicator = CardIndicator.Warning;
        }

        var md = new StringBuilder();
        if (a.Cd19Concern is { } concern) md.Append("**⚠ ").Append(concern.Text).Append("**\n\n");
        md.Append("**Label indication (Kymriah, US): ").Append(a.Code).Append("** as of ").Append(ClinicalText.Date(a.AgeDate))
          .Append(a.AgeYears is { } age ? $" (age {age} y)" : "").Append(".\n\n");
        foreach (var r in a.Reasons)
        {
            var mark = r.Outcome switch { CriterionOutcome.Met => "✔", CriterionOutcome.NotMet => "✘", _ => "?" };
            md.Append("- ").Append(mark).Append(' ').Append(r.Criterion).Append(": ").Append(r.Text).Append('\n');
        }
        CardText.Section(md, "Missing", a.Missing);
        if (a.TrialChecks.Count > 0)
        {
            md.Append("\n**Trial-derived checks (ELIANA/ENSIGN) — information, not exclusions**\n\n");
            foreach (var t in a.TrialChecks)
            {
                var mark = t.Outcome switch { TrialCheckOutcome.Favourable => "✔", TrialCheckOutcome.Caution => "⚠", TrialCheckOutcome.Unknown => "?", _ => "•" };
                md.Append("- ").Append(mark).Append(' ').Append(t.Text).Append('\n');
            }
        }
        md.Append("\n**Dose**: ").Append(a.Dose.Text).Append('\n');
        CardText.EvidenceTable(md, a.Evidence);
        CardText.Section(md, "Notes", a.Notes);
        md.Append("\nRule set ").Append(rules.Label).Append('.');

        List<FindingRecord> findings = [Finding(a, rules)];
        if (a.Cd19Concern is { } c19)
        {
            findings.Add(new FindingRecord
            {
                Code = Cd19FindingCode,
                Value = FindingValue.Of(c19.Text.StartsWith("CD19-dim", StringComparison.Ordinal) ? "dim" : "negative"),
                RuleSet = rules.Label,
                Evidence = FindingLists.Sources(c19.Evidence),
                Reasons = [c19.Text],
            });
        }
        return CardFactory.Create(summary, indicator, md.ToString(), "eligibility", "Tisagenlecleucel eligibility",
            "Kymriah (tisagenlecleucel) US prescribing information", References.KymriahLabel, [], findings);
    }
}
