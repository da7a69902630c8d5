using System.Text;
using CarTCds.Fhir.Model;
using CarTCds.Hooks.Contract;
using CarTCds.Rules;
using CarTCds.Rules.Facts;
using CarTCds.Rules.Orders;

namespace CarTCds.Hooks.Cards;

/// <summary>One card per draft order checked at order-sign: ok → info, warn → warning, block →
/// critical with override reasons; a wrong tocilizumab dose comes with a corrected order.</summary>
public static class OrderCheckCardComposer
{
    public const string FindingCode = "order-check";
    public const string DoseFindingCode = "tocilizumab-dose-mg";

    public static IEnumerable<Card> Compose(OrderCheckAssessment a, Bundle draftOrders, RuleSet rules)
    {
        foreach (var check in a.Orders)
        {
            var order = check.Order;
            var worst = check.Reasons.Where(r => r.Severity == check.Result).Select(r => r.Text).FirstOrDefault();
            var (indicator, verdict) = check.Result switch
            {
                OrderCheckResult.Block => (CardIndicator.Critical, "do not sign"),
                OrderCheckResult.Warn => (CardIndicator.Warning, "check before signing"),
                _ => (CardIndicator.Info, "checked"),
            };
            var summary = $"{Capitalised(order.Description)}: {verdict}{(worst is null ? "" : " — " + worst)}";

            var md = new StringBuilder();
            md.Append("**Order check: ").Append(check.Code).Append("** for ").Append(order.Description).Append(" (").Append(order.Source).Append(").\n\n");
            foreach (var r in check.Reasons)
            {
                md.Append("- ").Append(r.Severity switch { OrderCheckResult.Block => "⛔", OrderCheckResult.Warn => "⚠", _ => "✔" }).Append(' ').Append(r.Text).Append('\n');
            }
            CardText.Section(md, "Advice", check.Advice);
            CardText.EvidenceTable(md, check.Reasons.SelectMany(r => r.Evidence).DistinctBy(e => (e.Source, e.Description)));
            md.Append("\nRule set ").Append(rules.Label).Append('.');

            var findings = new List<FindingRecord>
            {
                new()
                {
                    Code = FindingCode,
                    Value = FindingValue.Of(check.Code),
                    RuleSet = rules.Label,
                    Evidence = check.Reasons.SelectMany(r => r.Evidence).Select(e => e.Source).Prepend(order.Source).Distinct().ToList(),
                    Reasons = FindingLists.NonEmpty(check.Reasons.Where(r => r.Severity != OrderCheckResult.Ok).Select(r => r.Text)),
                },
            };
            if (order.Kind == DraftOrderKind.Tocilizumab && a.Tocilizumab is { DoseMg: { } dose } t)
            {
                findings.Add(new FindingRecord { Code = DoseFindingCode, Value = FindingValue.Of(dose), RuleSet = rules.Label, Evidence = FindingLists.Sources(t.Evidence) });
            }
            if (order.Kind == DraftOrderKind.Tisagenlecleucel && a.Eligibility is { } eligibility)
            {
                findings.Add(EligibilityCardComposer.Finding(eligibility, rules));
            }

            var (topic, display, label, link) = order.Kind switch
            {
                DraftOrderKind.Tisagenlecleucel => ("order-check", "Order check", "Kymriah (tisagenlecleucel) US prescribing information", References.KymriahLabel),
                DraftOrderKind.Tocilizumab => ("order-check", "Order check", "Tocilizumab label and ASCO guideline", References.Asco2021),
                _ => ("order-check", "Order check", "ASCO guideline (Santomasso et al. 2021)", References.Asco2021),
            };
            var card = CardFactory.Create(summary, indicator, md.ToString(), topic, display, label, link, [References.Astct2019], findings);
            if (order.Kind == DraftOrderKind.Tocilizumab && check.Result != OrderCheckResult.Ok && a.Tocilizumab is { DoseMg: { } mg, NextDoseAllowedNow: true } toci
                && Draft(draftOrders, order.Source) is MedicationRequest draft)
            {
                card.Suggestions = [CorrectedTocilizumab(draft, mg, toci)];
                card.SelectionBehavior = "at-most-one";
            }
            yield return card;
        }
    }

    private static Suggestion CorrectedTocilizumab(MedicationRequest draft, decimal mg, TocilizumabDose dose)
    {
        var text = $"tocilizumab {ClinicalText.Mg(mg)} mg IV over 1 h ({ClinicalText.Mg(dose.MgPerKg ?? 0)} mg/kg × {ClinicalText.Mg(dose.WeightKg ?? 0)} kg{(dose.IsCapped ? ", capped at 800 mg" : "")})";
        var corrected = SuggestedOrders.Medication(PatientOf(draft) ?? "unknown", "612865", "tocilizumab", mg, SuggestedOrders.Intravenous, null, text);
        corrected.Id = draft.Id;
        corrected.Status = draft.Status ?? "draft";
        corrected.Intent = draft.Intent ?? "order";
        corrected.Subject = draft.Subject;
        return new Suggestion
        {
            Label = $"Change the dose to {ClinicalText.Mg(mg)} mg",
            Uuid = Guid.NewGuid().ToString(),
            IsRecommended = true,
            Actions = [new CdsAction { Type = "update", Description = "Update the draft order: " + text, Resource = corrected }],
        };
    }

    private static Resource? Draft(Bundle drafts, string source) => drafts.Resources().FirstOrDefault(r => r.TypedId == source);

    private static string? PatientOf(MedicationRequest r) => r.Subject?.ReferenceValue is { } s && s.StartsWith("Patient/", StringComparison.Ordinal) ? s["Patient/".Length..] : null;

    private static string Capitalised(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..];
}
