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

    /// <summary>The card's topic code (source.topic).</summary>
    public const string Topic = "crs-grade";

    /// <param name="a">The current grade.</param>
    /// <param name="course">The course since infusion, when an infusion is on record.</param>
    /// <param name="facts">The facts (for infusion day and what was left out).</param>
    /// <param name="record">Where the data came from.</param>
    /// <param name="rules">The rule set that produced the grade.</param>
    /// <param name="leftOut">The records left out that this card names (<see cref="LeftOutRecords"/>);
    /// default every record in <see cref="ClinicalFacts.Excluded"/>.</param>
    public static Card Compose(CrsAssessment a, CrsCourse? course, ClinicalFacts facts, PatientRecord record, RuleSet rules,
        IReadOnlyList<ExcludedRecord>? leftOut = null)
    {
        var window = $"{ClinicalText.Hours(a.WindowEnd - a.WindowStart)} h";
        var day = DayAfterInfusion(facts, a.WindowEnd);
        var onDay = day is null ? "" : $", day {day}";
        string summary;
        string indicator;
        if (a.Grade is not { } g)
        {
            summary = $"CRS not gradable (ASTCT){onDay}: {(a.Missing.Count == 0 ? "data missing" : a.Fever.LeftOut.Count > 0
                ? $"no usable temperature in the last {window} ({string.Join(", ", a.Fever.LeftOut)} left out)"
                : "no temperature in the last " + window)}";
            indicator = a.Hypotension is not null || a.Hypoxia is not null ? CardIndicator.Warning : CardIndicator.Info;
        }
        else if (g == 0 && day is not null && a.Fever.State == FeverState.Afebrile && (a.Hypotension is not null || a.Hypoxia is not null))
        {
            // Afebrile with a vasopressor, hypotension or oxygen after infusion is not CRS by ASTCT:
            // a warning to look for another cause, not reassurance (ASTCT 2019: never febrile → no CRS grade, seek another cause).
            var on = string.Join(" + ", new[]
            {
                a.Hypotension is null ? null : a.Hypotension.Grade >= 3 ? "a vasopressor" : "hypotension",
                a.Hypoxia is null ? null : "oxygen",
            }.OfType<string>());
            // A temperature left out in the window may have been the fever: say so rather than "afebrile".
            summary = a.Fever.LeftOut.Count == 0
                ? $"No CRS by ASTCT{onDay}: afebrile on {on} — look for another cause (sepsis, bleeding, cardiac, drugs)"
                : $"No CRS by ASTCT{onDay} on the usable temperatures: {on}, {string.Join(", ", a.Fever.LeftOut)} left out — check it, else look for another cause";
            indicator = CardIndicator.Warning;
        }
        else if (g == 0)
        {
            summary = $"No CRS by ASTCT criteria in the last {window}{onDay} ({a.Fever.Description})";
            indicator = CardIndicator.Info;
        }
        else
        {
            // The day goes before the drivers so that cutting a long summary never loses it.
            var drivers = g == 1 ? a.Fever.Description : ClinicalText.JoinOnce(" + ", [.. a.Drivers, a.Fever.Description]);
            summary = $"CRS grade {g} (ASTCT){onDay}: {drivers}";
            indicator = g switch { 1 => CardIndicator.Info, 2 => CardIndicator.Warning, _ => CardIndicator.Critical };
        }

        var finding = new FindingRecord
        {
            Code = FindingCode,
            Value = a.Grade is { } gv ? FindingValue.Of(gv) : FindingValue.Of("not-gradable"),
            RuleSet = rules.Label,
            Evidence = FindingLists.Sources(a.Evidence),
            Missing = FindingLists.NonEmpty(a.Missing),
        };
        return CardFactory.Create(summary, indicator, Detail(a, course, leftOut ?? facts.Excluded, record, rules, day), Topic, "CRS grade (ASTCT)",
            "ASTCT consensus grading (Lee et al. 2019)", References.Astct2019, [References.Mahadeo2019], [finding]);
    }

    private static string Detail(CrsAssessment a, CrsCourse? course, IReadOnlyList<ExcludedRecord> leftOut, PatientRecord record, RuleSet rules, int? day)
    {
        var md = new StringBuilder();
        md.Append("**ASTCT CRS grade: ").Append(a.Grade?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "not gradable").Append("**");
        md.Append(" over ").Append(ClinicalText.When(a.WindowStart)).Append(" – ").Append(ClinicalText.When(a.WindowEnd));
        if (day is not null) md.Append(" (day ").Append(day).Append(" after CAR-T infusion)");
        md.Append(".\n\n");

        if (a.Grade > 1)
        {
            md.Append("Set by: ").Append(ClinicalText.JoinOnce("; ", a.Drivers)).Append(". ");
        }
        md.Append("Fever criterion: ").Append(a.Fever.Description).Append(".\n");
        if (a.Fever is { State: FeverState.Masked, Masking: { } m })
        {
            // Which dose masks, in which episode: the waiver ends with that CRS episode (ASTCT 2019).
            md.Append("\nFever waived by ").Append(DrugGroups.Name(m.Drug)).Append(" given ").Append(ClinicalText.When(m.DoseTime))
              .Append(" (").Append(m.DoseSource).Append(") in the CRS episode since ").Append(ClinicalText.When(m.EpisodeStart))
              .Append("; the waiver ends when the episode does (").Append(ClinicalText.Hours(rules.Crs.EpisodeEndsAfter)).Append(" h without fever, hypotension or oxygen).\n");
        }
        if (a.Hypotension is { } h) md.Append("\nHypotension: ").Append(h.Description).Append(" (supports grade ").Append(h.Grade).Append(").\n");
        if (a.Hypoxia is { } x) md.Append("\nOxygen: ").Append(x.Description).Append(" (supports grade ").Append(x.Grade).Append(").\n");

        if (course is { MaxGrade: { } max })
        {
            md.Append(course.FirstDay == 0 ? "\nSince infusion" : $"\nFrom day {course.FirstDay} (the last {rules.Crs.CourseMaxDays} days)")
                .Append(": maximum grade ").Append(max).Append(" (day ").Append(course.MaxGradeDay).Append(')');
            md.Append(course.OnsetDay is { } onset ? $"; onset day {onset}." : "; no CRS so far.").Append('\n');
        }

        CardText.EvidenceTable(md, a.Evidence);

        CardText.Section(md, "Missing", a.Missing);
        CardText.Section(md, "Notes", a.Notes);
        md.Append(DataNotes(leftOut, record));

        md.Append("\nGraded by ASTCT 2019 (fever ≥ ").Append(rules.Crs.FeverCelsius).Append(" °C plus the worse of hypotension and hypoxia); ");
        md.Append("older scales grade differently (below). Rule set ").Append(rules.Label).Append('.');
        return md.ToString();
    }

    /// <summary>The card's data-quality notes: the records it names as left out, and where the data
    /// came from ("Data"), as markdown sections; empty when there is nothing to say. A card that
    /// carries a folded CRS status carries these too (<see cref="NormalFindingsFolding"/>).</summary>
    public static string DataNotes(IReadOnlyList<ExcludedRecord> leftOut, PatientRecord record)
    {
        var md = new StringBuilder();
        LeftOutRecords.Section(md, leftOut);
        // A key that could not be read is named once, under "Computed without" (added to every card
        // by the evaluator), never here as if it had been read.
        CardText.Section(md, "Data", record.Resolutions.Where(r => r.Unavailable is null && (r.Note is not null || r.FetchedFromServer))
            .Select(r => $"{r.Key}: {(r.FetchedFromServer ? "read from the FHIR server" : "from prefetch")}{(r.Note is null ? "" : "; " + r.Note)}"));
        return md.ToString();
    }

    /// <summary>Whether the card states a normal finding only (<see cref="NormalFindings"/>): grade 0
    /// on measured temperatures (not masked, none left out in the window), info, nothing to order,
    /// no pre-emptive protocol state.</summary>
    public static bool IsNormal(CrsAssessment a, Card card) =>
        a.Grade == 0 && a.Fever is { State: FeverState.Afebrile, LeftOut.Count: 0 } && card.Indicator == CardIndicator.Info
        && card.Suggestions is null && card.Extension?.Findings?.Any(f => f.Code == PreemptiveTocilizumabSection.FindingCode) != true;

    /// <summary>The status line of a normal CRS card: its summary, and the worst grade of the course
    /// when there was CRS earlier (so folding never hides that there was).</summary>
    public static string StatusLine(Card card, CrsCourse? course) =>
        course is { MaxGrade: > 0 and var max } ? $"{card.Summary}; worst grade {max} on day {course.MaxGradeDay}" : card.Summary;

    /// <summary>Days since the latest CAR-T infusion at or before <paramref name="at"/> (infusion day = 0), or null.</summary>
    public static int? DayAfterInfusion(ClinicalFacts facts, DateTimeOffset at)
    {
        return facts.LatestInfusion(at)?.CalendarDay(at);
    }
}
