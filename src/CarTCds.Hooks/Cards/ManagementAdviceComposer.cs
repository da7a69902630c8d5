using System.Text;
using CarTCds.Hooks.Contract;
using CarTCds.Rules;
using CarTCds.Rules.Facts;
using CarTCds.Rules.Management;

namespace CarTCds.Hooks.Cards;

/// <summary>Adds a card's management actions (<see cref="ManagementAdvice"/>): a "Management" section
/// in the detail, the <c>*-management</c> finding (the action codes), a <c>&lt;drug&gt;-dose-mg</c>
/// finding per computed dose, and a draft MedicationRequest (or ferritin ServiceRequest) per action
/// due now. Nothing is ordered until a clinician signs it.</summary>
public static class ManagementAdviceComposer
{
    public const string CrsFindingCode = "crs-management";
    public const string IcansFindingCode = "icans-management";
    public const string IecHsFindingCode = "iec-hs-management";

    /// <summary>The finding code of a computed dose (<c>dexamethasone-dose-mg</c>).</summary>
    public static string DoseFindingCode(Drug drug) => $"{DrugGroups.Name(drug)}-dose-mg";

    /// <param name="card">The CRS, ICANS or IEC-HS card.</param>
    /// <param name="actions">Its actions; nothing is added when empty.</param>
    /// <param name="findingCode"><see cref="CrsFindingCode"/>, <see cref="IcansFindingCode"/> or <see cref="IecHsFindingCode"/>.</param>
    /// <param name="patientId">Subject of the suggested resources.</param>
    /// <param name="rules">The rule set (its label goes on the findings).</param>
    public static void AddTo(Card card, IReadOnlyList<ManagementAction> actions, string findingCode, string patientId, RuleSet rules)
    {
        if (actions.Count == 0) return;
        // The section is built apart and added once: `Detail +=` per action copied the whole card text each time.
        var md = new StringBuilder("\n\n**Management** (advice to confirm against the local protocol; paediatric doses by weight, capped at the adult dose):\n");
        foreach (var a in actions) md.Append("\n- ").Append(a.Text);
        card.Detail += md.ToString();

        card.Extension ??= new CardExtension();
        card.Extension.Findings ??= [];
        card.Extension.Findings.Add(new FindingRecord
        {
            Code = findingCode,
            Value = FindingValue.Of(ManagementPlan.Codes(actions)),
            RuleSet = rules.Label,
            Evidence = FindingLists.Sources(actions.SelectMany(a => a.Evidence)),
            Missing = FindingLists.NonEmpty(actions.SelectMany(a => a.Dose?.Missing ?? []).Distinct()),
        });
        foreach (var dose in actions.Select(a => a.Dose).OfType<DrugDose>().Where(d => d.DoseMg is not null))
        {
            if (card.Extension.Findings.Any(f => f.Code == DoseFindingCode(dose.Drug))) continue;
            card.Extension.Findings.Add(new FindingRecord
            {
                Code = DoseFindingCode(dose.Drug),
                Value = FindingValue.Of(dose.DoseMg!.Value),
                RuleSet = rules.Label,
                Evidence = FindingLists.Sources(dose.Evidence),
            });
        }

        var suggestions = card.Suggestions ?? [];
        foreach (var a in actions.Where(a => a.SuggestOrder))
        {
            if (a.Dose is { DoseMg: { } mg } dose && SuggestedOrders.RxNorm(dose.Drug) is { } code)
            {
                var name = DrugGroups.Name(dose.Drug);
                var route = dose.Rule.Oral ? SuggestedOrders.Oral : SuggestedOrders.Intravenous;
                var hours = dose.Interval is { } i ? (int?)Math.Max(1, (int)i.TotalHours) : null;
                suggestions.Add(SuggestedOrders.Create($"Order {name} {ClinicalText.Mg(mg)} mg {(dose.Rule.Oral ? "PO" : "IV")}{(hours is { } h ? $" q{h}h" : "")}",
                    "Draft MedicationRequest: " + dose.Text,
                    SuggestedOrders.Medication(patientId, code, name, mg, route, hours, dose.Text), a.Recommended));
            }
            else if (a.Code == ManagementCodes.Ferritin)
            {
                suggestions.Add(SuggestedOrders.Create("Order ferritin now", "Draft ServiceRequest: serum ferritin (LOINC 2276-4)", SuggestedOrders.Ferritin(patientId), recommended: false));
            }
        }
        if (suggestions.Count > 0)
        {
            card.Suggestions = suggestions;
            card.SelectionBehavior = suggestions.Count > 1 ? "any" : "at-most-one";
        }
    }
}
