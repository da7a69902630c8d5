using System.Text;
using CarTCds.Hooks.Contract;
using CarTCds.Rules;
using CarTCds.Rules.Facts;

namespace CarTCds.Hooks.Cards;

/// <summary>The warning that a chart's CAR-T infusion record could not be used, so the day after
/// infusion is unknown. Without it a chart whose only infusion record is left out (not shown to be
/// this patient's, breaking its profile, no usable time) would look like a chart without CAR-T and
/// get no cards: silence, which a clinician reads as "nothing to grade". docs/CDS-HOOKS.md "When
/// cart-toxicity answers".</summary>
public static class InfusionRecordCardComposer
{
    public const string FindingCode = "infusion-record";

    /// <summary>The card when no CAR-T infusion at or before <paramref name="now"/> could be used and
    /// at least one infusion record was left out; null otherwise (a usable infusion, or none on record).</summary>
    /// <param name="facts">The facts; <see cref="ClinicalFacts.InfusionRecordsLeftOut"/> names the
    /// records, <see cref="ClinicalFacts.Excluded"/> gives why.</param>
    /// <param name="now">The evaluation time.</param>
    /// <param name="rules">The rule set (its label).</param>
    public static Card? Compose(ClinicalFacts facts, DateTimeOffset now, RuleSet rules)
    {
        if (facts.LatestInfusion(now) is not null || facts.InfusionRecordsLeftOut.Count == 0) return null;

        var records = facts.InfusionRecordsLeftOut.Distinct(StringComparer.Ordinal).ToList();
        var why = records.Select(r => $"{r}: {string.Join("; ", facts.Excluded.Where(e => e.Source == r).Select(e => e.Reason).Distinct())}");
        var summary = records.Count == 1
            ? $"CAR-T infusion record could not be used ({records[0]}): day after infusion unknown, toxicity timing not assessed"
            : $"{records.Count} CAR-T infusion records could not be used: day after infusion unknown, toxicity timing not assessed";

        var md = new StringBuilder();
        md.Append("**This chart has a CAR-T infusion record that could not be used**, so the day of infusion (day 0) is not known.\n");
        CardText.Section(md, "Could not be used", why);
        md.Append("\nWhat is timed from day 0 was **not done**: the day count, the CRS course since infusion, the pre-emptive ")
          .Append("tocilizumab check and post-infusion monitoring advice. CRS, ICANS and the IEC-HS screen on the other cards look ")
          .Append("back over their usual windows without knowing when the cells were given (findings before the infusion may be counted).\n")
          .Append("\nCorrect the record in the EHR (its subject must be this patient on this FHIR server, with a performed or ")
          .Append("effective time, status completed) and open the chart again.\n")
          .Append("\nRule set ").Append(rules.Label).Append('.');

        var finding = new FindingRecord
        {
            Code = FindingCode,
            Value = FindingValue.Of("not-usable"),
            RuleSet = rules.Label,
            Evidence = records,
        };
        return CardFactory.Create(summary, CardIndicator.Warning, md.ToString(), FindingCode, "CAR-T infusion record",
            "ASTCT consensus grading (Lee et al. 2019): grading is timed from the infusion", References.Astct2019, [], [finding]);
    }
}
