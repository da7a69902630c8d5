using CarTCds.Hooks.Contract;
using CarTCds.Rules;
using CarTCds.Rules.Crs;

namespace CarTCds.Hooks.Cards;

/// <summary>Adds the site's opt-in risk-adapted pre-emptive tocilizumab protocol to the CRS card: the
/// protocol's name and source, the burden measurement it used (or that none is on record), and the
/// finding <c>preemptive-tocilizumab</c>.</summary>
public static class PreemptiveTocilizumabSection
{
    public const string FindingCode = "preemptive-tocilizumab";

    public static readonly Link Kadauke2021 = new() { Label = "Risk-adapted pre-emptive tocilizumab (Kadauke et al. J Clin Oncol 2021;39:920; NCT02906371)", Url = "https://doi.org/10.1200/JCO.20.02477" };

    public static void AddTo(Card crsCard, PreemptiveTocilizumabAssessment a, RuleSet rules)
    {
        crsCard.Detail += $"\n\n**Risk-adapted pre-emptive tocilizumab** ([{Kadauke2021.Label}]({Kadauke2021.Url}); site protocol, rule set {rules.Label}): {a.Text}";
        crsCard.Extension!.Findings!.Add(new FindingRecord
        {
            Code = FindingCode,
            Value = FindingValue.Of(a.Code),
            RuleSet = rules.Label,
            Evidence = FindingLists.Sources(a.Evidence),
        });
        if (a.State != PreemptiveState.HighBurdenDoseDue) return;
        crsCard.Summary = CardText.Summary("Pre-emptive tocilizumab due (high tumour burden, persistent fever) · " + crsCard.Summary);
        if (crsCard.Indicator == CardIndicator.Info) crsCard.Indicator = CardIndicator.Warning;
    }
}
