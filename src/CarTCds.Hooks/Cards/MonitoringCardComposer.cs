using CarTCds.Hooks.Contract;
using CarTCds.Rules;
using CarTCds.Rules.Facts;
using CarTCds.Rules.Monitoring;

namespace CarTCds.Hooks.Cards;

/// <summary>One card per monitoring item (ICE/CAPD overdue, seizure prophylaxis, IgG, relapse
/// risk, post-infusion logistics).</summary>
public static class MonitoringCardComposer
{
    public const string FindingCode = "monitoring";

    public static IEnumerable<Card> Compose(MonitoringAssessment a, ClinicalFacts facts, string patientId, DateTimeOffset at, RuleSet rules)
    {
        foreach (var item in a.Items)
        {
            var md = new System.Text.StringBuilder();
            md.Append(item.Detail).Append('\n');
            CardText.EvidenceTable(md, item.Evidence);
            CardText.Section(md, "Missing", item.Missing);
            md.Append("\nSource: ").Append(item.Source.Citation).Append(". Rule set ").Append(rules.Label).Append('.');

            var primary = item.Source.Url is { } url ? new Link { Label = item.Source.Citation, Url = url } : References.Mahadeo2019;
            var card = CardFactory.Create(item.Summary, item.Severity == MonitoringSeverity.Warning ? CardIndicator.Warning : CardIndicator.Info,
                md.ToString(), item.Code, "CAR-T monitoring", "CAR-T monitoring advice", primary, [],
                [new FindingRecord
                {
                    Code = FindingCode,
                    Value = FindingValue.Of(item.Code),
                    RuleSet = rules.Label,
                    Evidence = FindingLists.Sources(item.Evidence),
                    Missing = FindingLists.NonEmpty(item.Missing),
                }]);

            var suggestion = Suggest(item, facts, patientId, at, rules);
            if (suggestion is not null)
            {
                card.Suggestions = [suggestion];
                card.SelectionBehavior = "at-most-one";
            }
            yield return card;
        }
    }

    private static Suggestion? Suggest(MonitoringItem item, ClinicalFacts facts, string patientId, DateTimeOffset at, RuleSet rules)
    {
        switch (item.Code)
        {
            case MonitoringCodes.NeuroAssessmentOverdue:
                var capd = facts.BirthDate is { } b && Age.CompletedYears(b, DateOnly.FromDateTime(at.UtcDateTime)) <= rules.Icans.CapdMaxAgeYears;
                var every = (int)Math.Max(1, rules.Monitoring.NeuroAssessmentInterval.TotalHours);
                return SuggestedOrders.Create($"Order {(capd ? "CAPD" : "ICE")} assessment every {every} h",
                    $"Draft ServiceRequest: {(capd ? "CAPD" : "ICE")} score every {every} h", SuggestedOrders.NeuroAssessment(patientId, capd, every));
            case MonitoringCodes.SeizureProphylaxis when item.Dose is { DoseMg: { } mg } dose:
                var hours = (int)dose.Interval.TotalHours;
                var text = $"levetiracetam {ClinicalText.Mg(mg)} mg every {hours} h for {dose.DurationDays} days ({ClinicalText.Mg(dose.MgPerKg)} mg/kg, max {ClinicalText.Mg(dose.MaxDoseMg)} mg)";
                return SuggestedOrders.Create($"Order levetiracetam {ClinicalText.Mg(mg)} mg q{hours}h", "Draft MedicationRequest: " + text,
                    SuggestedOrders.Medication(patientId, "114477", "levetiracetam", mg, SuggestedOrders.Oral, hours, text), recommended: false);
            default:
                return null;
        }
    }
}
