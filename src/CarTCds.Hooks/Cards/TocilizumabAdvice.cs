using System.Text;
using CarTCds.Hooks.Contract;
using CarTCds.Rules;
using CarTCds.Rules.Orders;

namespace CarTCds.Hooks.Cards;

/// <summary>Adds the weight-based tocilizumab dose to a CRS card (grade ≥ 2): the
/// <c>tocilizumab-dose-mg</c> finding, the dose in the detail, and a draft order to accept when
/// a dose is allowed now. No weight → the card says so; the dose is never guessed.</summary>
public static class TocilizumabAdvice
{
    public static void AddTo(Card crsCard, TocilizumabDose dose, string patientId, RuleSet rules, bool recommended = true)
    {
        // The section is built apart and added once: `Detail +=` per line copied the whole card text each time.
        var md = new StringBuilder("\n\n**Tocilizumab**: ").Append(dose.Summary);
        foreach (var limit in dose.Limits) md.Append("\n- ").Append(limit.Text);
        foreach (var note in dose.Notes) md.Append("\n- ").Append(note);
        crsCard.Detail += md.ToString();
        if (dose.DoseMg is not { } mg) return;

        crsCard.Extension!.Findings!.Add(new FindingRecord
        {
            Code = OrderCheckCardComposer.DoseFindingCode,
            Value = FindingValue.Of(mg),
            RuleSet = rules.Label,
            Evidence = FindingLists.Sources(dose.Evidence),
        });
        if (!dose.NextDoseAllowedNow) return;

        var text = $"tocilizumab {ClinicalText.Mg(mg)} mg IV over 1 h ({ClinicalText.Mg(dose.MgPerKg ?? 0)} mg/kg × {ClinicalText.Mg(dose.WeightKg ?? 0)} kg{(dose.IsCapped ? ", capped at 800 mg" : "")}); repeat no sooner than 8 h if no improvement";
        crsCard.Suggestions = [SuggestedOrders.Create($"Order tocilizumab {ClinicalText.Mg(mg)} mg IV", "Draft MedicationRequest: " + text,
            SuggestedOrders.Medication(patientId, "612865", "tocilizumab", mg, SuggestedOrders.Intravenous, null, text), recommended)];
        crsCard.SelectionBehavior = "at-most-one";
        crsCard.Links ??= [];
        if (!crsCard.Links.Any(l => l.Url == References.Asco2021.Url))
        {
            crsCard.Links.Add(new Link { Label = References.Asco2021.Label, Url = References.Asco2021.Url, Type = "absolute" });
        }
    }
}
