using System.Text;
using CarTCds.Hooks.Contract;
using CarTCds.Rules;
using CarTCds.Rules.Eligibility;

namespace CarTCds.Hooks.Cards;

/// <summary>Adds every labelled CD19 CAR-T option for B-ALL to the eligibility card, side by side
/// (docs/CLINICAL-RULES.md §5a): a table with each product's label version, its answer and what is missing, and the
/// findings <c>eligibility-tisagenlecleucel</c>, <c>eligibility-brexucabtagene-autoleucel</c>,
/// <c>eligibility-obecabtagene-autoleucel</c>. The <c>eligibility</c> finding keeps meaning tisagenlecleucel.</summary>
public static class ProductOptionsSection
{
    public static FindingRecord Finding(ProductAssessment p, RuleSet rules) => new()
    {
        Code = p.FindingCode,
        Value = FindingValue.Of(p.Code),
        RuleSet = rules.Label,
        Evidence = FindingLists.Sources(p.Evidence),
        Reasons = FindingLists.NonEmpty(p.Reasons.Where(r => r.Outcome != CriterionOutcome.Met || p.Eligibility == EligibilityStatus.Eligible).Select(r => r.Text)),
        Missing = FindingLists.NonEmpty(p.Missing),
    };

    /// <param name="card">The tisagenlecleucel eligibility card.</param>
    /// <param name="options">Every product's assessment, tisagenlecleucel first (<see cref="ProductEligibility.Assess"/>).</param>
    /// <param name="referralOnly">True when the selected order is a CAR-T referral, not a tisagenlecleucel
    /// order: then, with tisagenlecleucel not eligible but another product eligible, the card is a
    /// warning naming the options rather than a critical refusal.</param>
    /// <param name="rules">The rule set.</param>
    public static void AddTo(Card card, IReadOnlyList<ProductAssessment> options, bool referralOnly, RuleSet rules)
    {
        var md = new StringBuilder("\n\n**Every labelled CD19 CAR-T option for B-ALL (US labels)**\n\n| Product | Label | Indication | Answer | Why / missing |\n|---|---|---|---|---|\n");
        foreach (var p in options)
        {
            var why = p.Eligibility switch
            {
                EligibilityStatus.Eligible => "all label criteria met",
                EligibilityStatus.NotEligible => string.Join(" ", p.Reasons.Where(r => r.Outcome == CriterionOutcome.NotMet).Select(r => r.Text)),
                _ => "needs " + string.Join(", ", p.Missing),
            };
            md.Append("| ").Append(p.Name).Append(" (").Append(p.Brand).Append(") | [").Append(CardText.Cell(p.LabelVersion)).Append("](").Append(p.SourceUrl).Append(") | ")
              .Append(CardText.Cell(p.Indication)).Append(" | **").Append(p.Code).Append("** | ").Append(CardText.Cell(why)).Append(" |\n");
        }
        card.Detail += md.ToString();
        card.Extension!.Findings!.AddRange(options.Select(p => Finding(p, rules)));

        var tisagenlecleucel = options[0];
        var others = options.Skip(1).Where(p => p.Eligibility == EligibilityStatus.Eligible).Select(p => p.Name).ToList();
        if (tisagenlecleucel.Eligibility != EligibilityStatus.NotEligible || others.Count == 0) return;
        var failed = tisagenlecleucel.Reasons.Where(r => r.Outcome == CriterionOutcome.NotMet).Select(r => r.Criterion.Replace('-', ' '));
        card.Summary = CardText.Summary($"Not eligible for tisagenlecleucel by label ({string.Join(", ", failed)}); eligible by label: {string.Join(", ", others)}");
        if (referralOnly)
        {
            card.Indicator = CardIndicator.Warning;
            card.OverrideReasons = null;
        }
    }
}
