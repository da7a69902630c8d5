using System.Text;
using CarTCds.Fhir.Model;
using CarTCds.Hooks.Contract;
using CarTCds.Hooks.Prefetch;
using CarTCds.Rules;
using CarTCds.Rules.Crs;
using CarTCds.Rules.Facts;

namespace CarTCds.Hooks.Cards;

/// <summary>Turns a <see cref="CrsAssessment"/> into the card a clinician reads.</summary>
public static class CrsCardComposer
{
    public const string FindingCode = "crs-grade";

    /// <summary>ASTCT 2019 consensus paper (Lee et al.).</summary>
    public const string AstctUrl = "https://doi.org/10.1016/j.bbmt.2018.12.758";

    public const string OverrideSystem = "http://cartcds.org/fhir/CodeSystem/cartcds-override-reason";

    public static Card Compose(CrsAssessment a, ClinicalFacts facts, PatientRecord record, RuleSet rules)
    {
        var window = $"{Hours(a.WindowEnd - a.WindowStart)} h";
        var day = DayAfterInfusion(facts, a.WindowEnd);
        string summary;
        string indicator;
        if (a.Grade is not { } g)
        {
            summary = $"CRS not gradable (ASTCT): {(a.Missing.Count > 0 ? "no temperature in the last " + window : "data missing")}";
            indicator = a.Hypotension is not null || a.Hypoxia is not null ? CardIndicator.Warning : CardIndicator.Info;
        }
        else if (g == 0)
        {
            summary = $"No CRS by ASTCT criteria in the last {window} ({a.Fever.Description})";
            indicator = CardIndicator.Info;
        }
        else
        {
            var drivers = g == 1 ? a.Fever.Description : $"{string.Join(" + ", a.Drivers)} + {a.Fever.Description}";
            summary = $"CRS grade {g} (ASTCT): {drivers}";
            indicator = g switch { 1 => CardIndicator.Info, 2 => CardIndicator.Warning, _ => CardIndicator.Critical };
        }
        if (day is not null) summary += $", day {day}";

        var card = new Card
        {
            Uuid = Guid.NewGuid().ToString(),
            Summary = CardText.Summary(summary),
            Indicator = indicator,
            Detail = Detail(a, facts, record, rules, day),
            Source = new CardSource
            {
                Label = "ASTCT consensus grading (Lee et al. 2019) · CarTCds",
                Url = AstctUrl,
                Topic = new Coding(Facts.DataContract.CarTCds, "crs-grade", "CRS grade (ASTCT)"),
            },
            Links =
            [
                new Link { Label = "ASTCT consensus grading for CRS and ICANS (Lee et al. 2019)", Url = AstctUrl, Type = "absolute" },
            ],
            Extension = new CardExtension
            {
                Findings =
                [
                    new FindingRecord
                    {
                        Code = FindingCode,
                        Value = a.Grade is { } gv ? FindingValue.Of(gv) : FindingValue.Of("not-gradable"),
                        RuleSet = rules.Label,
                        Evidence = a.Evidence.Select(e => e.Source).Distinct().ToList(),
                        Missing = a.Missing.Count > 0 ? a.Missing.ToList() : null,
                    },
                ],
            },
        };

        if (indicator == CardIndicator.Critical)
        {
            card.OverrideReasons =
            [
                new Coding(OverrideSystem, "already-managed", "Already recognised and being managed"),
                new Coding(OverrideSystem, "data-error", "The data behind this grade is wrong"),
                new Coding(OverrideSystem, "clinical-judgement", "Clinical assessment differs"),
            ];
        }
        return card;
    }

    private static string Detail(CrsAssessment a, ClinicalFacts facts, PatientRecord record, RuleSet rules, int? day)
    {
        var md = new StringBuilder();
        md.Append("**ASTCT CRS grade: ").Append(a.Grade?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "not gradable").Append("**");
        md.Append(" over ").Append(CardText.Time(a.WindowStart)).Append(" – ").Append(CardText.Time(a.WindowEnd));
        if (day is not null) md.Append(" (day ").Append(day).Append(" after CAR-T infusion)");
        md.Append(".\n\n");

        if (a.Grade > 1)
        {
            md.Append("Set by: ").Append(string.Join("; ", a.Drivers)).Append(". ");
        }
        md.Append("Fever criterion: ").Append(a.Fever.Description).Append(".\n");
        if (a.Hypotension is { } h) md.Append("\nHypotension: ").Append(h.Description).Append(" (supports grade ").Append(h.Grade).Append(").\n");
        if (a.Hypoxia is { } x) md.Append("\nOxygen: ").Append(x.Description).Append(" (supports grade ").Append(x.Grade).Append(").\n");

        if (a.Evidence.Count > 0)
        {
            md.Append("\n| Time | Finding | Record |\n|---|---|---|\n");
            foreach (var e in a.Evidence)
            {
                md.Append("| ").Append(CardText.Time(e.Time)).Append(" | ").Append(CardText.Cell(e.Description)).Append(" | ").Append(CardText.Cell(e.Source)).Append(" |\n");
            }
        }

        CardText.Section(md, "Missing", a.Missing);
        CardText.Section(md, "Notes", a.Notes);
        CardText.Section(md, "Left out", facts.Excluded.Select(e => $"{e.Source}: {e.Reason}"));
        CardText.Section(md, "Data", record.Resolutions.Where(r => r.Note is not null || r.FetchedFromServer)
            .Select(r => $"{r.Key}: {(r.FetchedFromServer ? "read from the FHIR server" : "from prefetch")}{(r.Note is null ? "" : "; " + r.Note)}"));

        md.Append("\nGraded by ASTCT 2019 (fever ≥ ").Append(rules.Crs.FeverCelsius).Append(" °C plus the worse of hypotension and hypoxia); ");
        md.Append("older scales (Lee 2014, CTCAE v5) may give a different grade. Rule set ").Append(rules.Label).Append('.');
        return md.ToString();
    }

    /// <summary>Days since the latest CAR-T infusion at or before <paramref name="at"/> (infusion day = 0), or null.</summary>
    public static int? DayAfterInfusion(ClinicalFacts facts, DateTimeOffset at)
    {
        var infusion = facts.Infusions.Where(i => i.Time <= at).MaxBy(i => i.Time);
        return infusion is null ? null : (int)(at.UtcDateTime.Date - infusion.Time.UtcDateTime.Date).TotalDays;
    }

    private static string Hours(TimeSpan t) => t.TotalHours.ToString("0.#", System.Globalization.CultureInfo.InvariantCulture);
}
