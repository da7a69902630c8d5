using System.Text;
using CarTCds.Fhir.Model;
using CarTCds.Hooks.Contract;
using CarTCds.Hooks.Facts;
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

    /// <summary>A draft order named as a checked drug but sent under codes no list holds: the check was not run.</summary>
    public const string NotRunFindingCode = "order-check-not-run";

    /// <param name="a">The checks of the draft orders.</param>
    /// <param name="draftOrders">The hook's draft orders (a corrected order keeps its draft's id, status and intent).</param>
    /// <param name="patientId">The hook's patient: subject of a corrected order whose draft names none.</param>
    /// <param name="rules">The rule set (its label goes on every finding).</param>
    public static IEnumerable<Card> Compose(OrderCheckAssessment a, Bundle draftOrders, string patientId, RuleSet rules)
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

            var (label, link) = SourceOf(order.Kind);
            var card = CardFactory.Create(summary, indicator, md.ToString(), FindingCode, "Order check", label, link, [References.Astct2019], findings);
            if (order.Kind == DraftOrderKind.Tocilizumab && check.Result != OrderCheckResult.Ok && a.Tocilizumab is { DoseMg: { } mg, NextDoseAllowedNow: true } toci
                && Draft(draftOrders, order.Source) is MedicationRequest draft)
            {
                card.Suggestions = [CorrectedTocilizumab(draft, patientId, mg, toci)];
                card.SelectionBehavior = "at-most-one";
            }
            yield return card;
        }
    }

    private static (string Label, Link Link) SourceOf(DraftOrderKind kind) => kind switch
    {
        DraftOrderKind.Tisagenlecleucel => ("Kymriah (tisagenlecleucel) US prescribing information", References.KymriahLabel),
        DraftOrderKind.Tocilizumab => ("Tocilizumab label and ASCO guideline", References.Asco2021),
        _ => ("ASCO guideline (Santomasso et al. 2021)", References.Asco2021),
    };

    /// <summary>The check a draft order named as a checked drug would have had, in words ("the corticosteroid
    /// check"), had its code been listed; null when its name is no drug the order checks cover (no card:
    /// an unchecked drug is not checked under a listed code either) or it has a known code.</summary>
    /// <remarks>Whether a drug is covered is <see cref="OrderChecks.IsChecked"/>'s answer for the order under
    /// that drug; the order itself is never checked by its name.</remarks>
    private static string? CheckNotRun(DraftOrder order)
    {
        if (order.NamedDrug is not { } named || !OrderChecks.IsChecked(order with { Drug = named.Drug })) return null;
        return named.Drug == Drug.Tocilizumab ? "the tocilizumab dose check"
            : DrugGroups.IsCorticosteroid(named.Drug) ? "the corticosteroid check"
            : "the weight-based dose check";
    }

    /// <summary>The card for a draft order whose words name a drug the order checks cover but whose codes no
    /// list holds: the check was not run; null for any other order (<see cref="CheckNotRun"/>). A warning, so
    /// it is not read as an all-clear (an info card means "checked"); never critical, for nothing was found
    /// wrong with the dose. It names the codes and the ValueSet file a site adds them to (docs/DATA-CONTRACT.md).</summary>
    /// <param name="order">A draft order of the hook.</param>
    /// <param name="rules">The rule set (its label goes on the finding).</param>
    public static Card? NotRun(DraftOrder order, RuleSet rules)
    {
        if (CheckNotRun(order) is not { } check) return null;
        var named = order.NamedDrug!;
        var file = DrugCodes.ValueSetFile(named.Drug);
        var codes = named.Codes.Count switch
        {
            0 => $"it carries no code, and a code is what {file} lists",
            1 => $"its code {named.Codes[0]} is not in {file}",
            _ => $"none of its codes ({string.Join(", ", named.Codes)}) is in {file}",
        };
        var reason = $"'{named.Text}' names {named.Name} but {codes}; {check} was not run.";
        var md = new StringBuilder();
        md.Append("**Order check not run** for ").Append(order.Description).Append(" (").Append(order.Source).Append(").\n\n");
        md.Append("- ⚠ ").Append(reason).Append('\n');
        CardText.Section(md, "Advice",
        [
            "Check this order as you would without decision support: this service did not check it.",
            $"For the site's informatics team: add the code to {file}, with the product's strength so a dose in tablets or mL converts to mg (docs/DATA-CONTRACT.md). Orders are never checked by their name.",
        ]);
        md.Append("\nRule set ").Append(rules.Label).Append('.');

        var finding = new FindingRecord
        {
            Code = NotRunFindingCode,
            Value = FindingValue.Of(named.Name),
            RuleSet = rules.Label,
            Evidence = [order.Source],
            Reasons = [reason],
        };
        var (label, link) = SourceOf(named.Drug == Drug.Tocilizumab ? DraftOrderKind.Tocilizumab : DraftOrderKind.Other);
        var summary = $"{Capitalised(named.Text)}: not checked — its code is not in {Path.GetFileName(file)}";
        return CardFactory.Create(summary, CardIndicator.Warning, md.ToString(), FindingCode, "Order check", label, link, [References.Astct2019], [finding]);
    }

    private static Suggestion CorrectedTocilizumab(MedicationRequest draft, string patientId, decimal mg, TocilizumabDose dose)
    {
        var text = $"tocilizumab {ClinicalText.Mg(mg)} mg IV over 1 h ({ClinicalText.Mg(dose.MgPerKg ?? 0)} mg/kg × {ClinicalText.Mg(dose.WeightKg ?? 0)} kg{(dose.IsCapped ? ", capped at 800 mg" : "")})";
        var corrected = SuggestedOrders.Medication(patientId, "612865", "tocilizumab", mg, SuggestedOrders.Intravenous, null, text);
        corrected.Id = draft.Id;
        corrected.Status = draft.Status ?? "draft";
        corrected.Intent = draft.Intent ?? "order";
        // The draft's own reference when it has one (it may be absolute); R4 requires a subject, and an
        // EHR may send a draft without one (it is the open chart's order): then the hook's patient.
        corrected.Subject = draft.Subject ?? corrected.Subject;
        return new Suggestion
        {
            Label = $"Change the dose to {ClinicalText.Mg(mg)} mg",
            Uuid = Guid.NewGuid().ToString(),
            IsRecommended = true,
            Actions = [new CdsAction { Type = "update", Description = "Update the draft order: " + text, Resource = corrected }],
        };
    }

    private static Resource? Draft(Bundle drafts, string source) => drafts.Resources().FirstOrDefault(r => r.TypedId == source);

    private static string Capitalised(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..];
}
