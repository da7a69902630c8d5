using CarTCds.Rules.Facts;
using CarTCds.Rules.Orders;

namespace CarTCds.Rules.Eligibility;

/// <summary>Tisagenlecleucel (Kymriah) eligibility for B-cell precursor ALL.</summary>
/// <remarks>
/// <see href="https://www.fda.gov/vaccines-blood-biologics/cellular-gene-therapy-products/kymriah-tisagenlecleucel">Kymriah
/// US prescribing information</see> §1: "patients up to 25 years of age with B-cell precursor acute
/// lymphoblastic leukemia (ALL) that is refractory or in second or later relapse" (docs/CLINICAL-RULES.md
/// §5). Three label criteria decide: age, diagnosis, disease status. Any criterion not met →
/// not eligible; otherwise any criterion undecidable → undetermined, naming exactly what is missing;
/// otherwise eligible. Trial-derived checks (ELIANA, Maude et al. NEJM 2018; ENSIGN) are information
/// only. Records dated after the evaluation time are ignored throughout.
/// </remarks>
public static class EligibilityCheck
{
    private const string BLineageMissing = "B-lineage confirmation (SNOMED 277571004 or immunophenotype)";
    private const string DiagnosisMissing = "leukaemia diagnosis (Condition: SNOMED 277571004 B-cell ALL, or ICD-10-CM C91.0x with lineage)";
    private const string StatusMissing = "disease-status events (cartcds#disease-status)";

    /// <summary>Assesses eligibility at <paramref name="at"/>.</summary>
    /// <param name="facts">The patient's facts; records after <paramref name="at"/> are ignored.</param>
    /// <param name="at">The evaluation time (the request's time, never the wall clock). Its calendar
    /// date is taken in its own offset (the EHR's local date when it sends one).</param>
    /// <param name="rules">The rule set.</param>
    /// <param name="plannedInfusion">The planned infusion date, when known: age and the time since an
    /// allogeneic SCT are judged on it instead of the evaluation date.</param>
    public static EligibilityAssessment Assess(ClinicalFacts facts, DateTimeOffset at, RuleSet rules, DateOnly? plannedInfusion = null)
    {
        var p = rules.Eligibility;
        var evaluationDate = DateOnly.FromDateTime(at.DateTime);
        var ageDate = plannedInfusion ?? evaluationDate;
        var missing = new List<string>();
        var notes = new List<string>();

        var (ageReason, ageYears) = AssessAge(facts, ageDate, plannedInfusion is not null, p, missing);
        var diagnosisReason = AssessDiagnosis(facts, at, missing, notes);
        var statusReason = AssessDiseaseStatus(facts, at, p, missing, notes);
        List<EligibilityReason> reasons = [ageReason, diagnosisReason, statusReason];

        var status = Combine(reasons);

        var checks = TrialChecks(facts, at, ageDate, plannedInfusion is not null, ageYears, p);
        var dose = DoseGuidance(facts, at, p);

        var evidence = reasons.SelectMany(r => r.Evidence)
            .Concat(checks.SelectMany(c => c.Evidence))
            .Concat(dose.Evidence)
            .DistinctBy(e => (e.Source, e.Description))
            .OrderBy(e => e.Time ?? DateTimeOffset.MinValue)
            .ToList();

        return new EligibilityAssessment(status, ageDate, ageYears, reasons, missing.Distinct().ToList(), checks, dose, evidence, notes, rules.Label);
    }

    /// <summary>Any criterion not met → not eligible; else any undecidable → undetermined; else eligible.</summary>
    internal static EligibilityStatus Combine(IReadOnlyList<EligibilityReason> reasons) =>
        reasons.Any(r => r.Outcome == CriterionOutcome.NotMet) ? EligibilityStatus.NotEligible
        : reasons.Any(r => r.Outcome == CriterionOutcome.Undetermined) ? EligibilityStatus.Undetermined
        : EligibilityStatus.Eligible;

    /// <summary>The last day on which the age criterion is met, for a birth date (a 29 February
    /// birthday's anniversary in a non-leap year is 1 March, as in <see cref="Age.CompletedYears"/>).</summary>
    public static DateOnly LastEligibleDay(DateOnly birthDate, EligibilityParameters p)
    {
        var firstIneligibleAge = p.AgeLimitInclusive ? p.MaxAgeYears + 1 : p.MaxAgeYears;
        return Anniversary(birthDate, firstIneligibleAge).AddDays(-1);
    }

    private static DateOnly Anniversary(DateOnly birth, int years)
    {
        var y = birth.Year + years;
        return birth is { Month: 2, Day: 29 } && !DateTime.IsLeapYear(y) ? new DateOnly(y, 3, 1) : new DateOnly(y, birth.Month, birth.Day);
    }

    // Label §1: "up to 25 years of age"; inclusive of age 25 by default (EligibilityParameters.AgeLimitInclusive).
    private static (EligibilityReason Reason, int? Age) AssessAge(ClinicalFacts facts, DateOnly on, bool planned, EligibilityParameters p, List<string> missing)
    {
        var patient = facts.PatientSource ?? "Patient";
        var when = planned ? $"on the planned infusion date {ClinicalText.Date(on)}" : $"on {ClinicalText.Date(on)}";
        if (facts.BirthDate is not { } birth)
        {
            missing.Add("Patient.birthDate");
            return (new EligibilityReason("age", CriterionOutcome.Undetermined,
                $"Birth date unknown: age {when} cannot be checked against the label's limit (up to {p.MaxAgeYears} years).", []), null);
        }

        var born = new Evidence(patient, null, $"birth date {ClinicalText.Date(birth)}");
        if (birth > on)
        {
            missing.Add("Patient.birthDate (the recorded one is after the date judged)");
            return (new EligibilityReason("age", CriterionOutcome.Undetermined,
                $"Recorded birth date {ClinicalText.Date(birth)} is after {ClinicalText.Date(on)}: age cannot be checked.", [born]), null);
        }

        var age = Age.CompletedYears(birth, on);
        var lastDay = LastEligibleDay(birth, p);
        var limit = p.AgeLimitInclusive
            ? $"up to {p.MaxAgeYears} years, age {p.MaxAgeYears} included: through {ClinicalText.Date(lastDay)}, the day before the {Ordinal(p.MaxAgeYears + 1)} birthday"
            : $"under {p.MaxAgeYears} years: through {ClinicalText.Date(lastDay)}, the day before the {Ordinal(p.MaxAgeYears)} birthday";
        var met = on <= lastDay;
        var text = met
            ? $"Age {age} y {when}: within the label's age limit ({limit})."
            : $"Age {age} y {when}: above the label's age limit ({limit}).";
        return (new EligibilityReason("age", met ? CriterionOutcome.Met : CriterionOutcome.NotMet, text, [born]), age);
    }

    // Label §1: B-cell precursor ALL. SNOMED 277571004 is B-ALL; ICD-10-CM C91.0x is ALL of either lineage.
    internal static EligibilityReason AssessDiagnosis(ClinicalFacts facts, DateTimeOffset at, List<string> missing, List<string> notes)
    {
        var diagnoses = facts.Diagnoses.Where(d => d.Onset is null || d.Onset <= at).ToList();
        var later = facts.Diagnoses.Count - diagnoses.Count;
        if (later > 0) notes.Add($"{later} diagnosis record(s) with onset after the evaluation time were ignored.");

        List<Evidence> Ev(params DiagnosisKind[] kinds) => diagnoses.Where(d => kinds.Contains(d.Kind))
            .Select(d => new Evidence(d.Source, d.Onset, $"diagnosis: {d.Description}")).ToList();
        bool Has(DiagnosisKind k) => diagnoses.Any(d => d.Kind == k);

        var b = Has(DiagnosisKind.BCellAll);
        var t = Has(DiagnosisKind.TCellAll);
        var unspecified = Has(DiagnosisKind.AllLineageUnspecified);
        var other = Has(DiagnosisKind.OtherLeukaemia);

        if (b && t)
        {
            missing.Add("lineage confirmation: both B-cell ALL and T-cell ALL are recorded (immunophenotype)");
            return new EligibilityReason("diagnosis", CriterionOutcome.Undetermined,
                "Both B-cell ALL and T-cell ALL are recorded: the lineage must be confirmed (immunophenotype) before the label can be applied.",
                Ev(DiagnosisKind.BCellAll, DiagnosisKind.TCellAll));
        }
        if (b)
        {
            if (other) notes.Add("Another leukaemia is also recorded besides B-cell ALL: confirm which disease is being treated.");
            return new EligibilityReason("diagnosis", CriterionOutcome.Met,
                "B-cell precursor ALL (SNOMED 277571004): the label's diagnosis.", Ev(DiagnosisKind.BCellAll));
        }
        if (t)
        {
            return new EligibilityReason("diagnosis", CriterionOutcome.NotMet,
                "T-cell ALL: T-ALL and other leukaemias are not eligible (the label covers B-cell precursor ALL only).",
                Ev(DiagnosisKind.TCellAll, DiagnosisKind.AllLineageUnspecified));
        }
        if (unspecified)
        {
            missing.Add(BLineageMissing);
            return new EligibilityReason("diagnosis", CriterionOutcome.Undetermined,
                "ALL recorded only as ICD-10-CM C91.0x, which covers B- and T-lineage ALL alike: B-lineage must be confirmed (SNOMED 277571004 or immunophenotype).",
                Ev(DiagnosisKind.AllLineageUnspecified, DiagnosisKind.OtherLeukaemia));
        }
        if (other)
        {
            return new EligibilityReason("diagnosis", CriterionOutcome.NotMet,
                "No B-cell ALL recorded, only another leukaemia: T-ALL and other leukaemias are not eligible.",
                Ev(DiagnosisKind.OtherLeukaemia));
        }
        missing.Add(DiagnosisMissing);
        return new EligibilityReason("diagnosis", CriterionOutcome.Undetermined,
            "No leukaemia diagnosis on record: the label's diagnosis (B-cell precursor ALL) cannot be checked.", []);
    }

    // Label §1: "refractory or in second or later relapse". Relapses are counted as events
    // (cartcds#disease-status), never as Condition resources.
    private static EligibilityReason AssessDiseaseStatus(ClinicalFacts facts, DateTimeOffset at, EligibilityParameters p, List<string> missing, List<string> notes)
    {
        var events = facts.DiseaseStatus.Where(e => e.Time <= at).OrderBy(e => e.Time).ToList();
        var later = facts.DiseaseStatus.Count - events.Count;
        if (later > 0) notes.Add($"{later} disease-status event(s) dated after the evaluation time were ignored.");

        if (events.Count == 0)
        {
            missing.Add(StatusMissing);
            return new EligibilityReason("disease-status", CriterionOutcome.Undetermined,
                "No disease-status events on record: whether the ALL is refractory or in second or later relapse cannot be decided.", []);
        }

        static Evidence Ev(DiseaseStatusEvent e) => new(e.Source, e.Time, $"{Name(e.Status)} on {ClinicalText.Date(e.Time)}");

        var primary = events.Where(e => e.Status == DiseaseStatus.PrimaryRefractory).ToList();
        if (primary.Count > 0)
        {
            return new EligibilityReason("disease-status", CriterionOutcome.Met,
                $"Primary refractory disease (recorded {ClinicalText.Date(primary[0].Time)}): refractory ALL is covered by the label.", primary.Select(Ev).ToList());
        }

        var refractoryRelapses = events.Where(e => e.Status == DiseaseStatus.RefractoryRelapse).ToList();
        if (refractoryRelapses.Count > 0)
        {
            return new EligibilityReason("disease-status", CriterionOutcome.Met,
                $"Chemo-refractory relapse (recorded {ClinicalText.Date(refractoryRelapses[0].Time)}): refractory ALL is covered by the label.", refractoryRelapses.Select(Ev).ToList());
        }

        var relapseEvents = events.Where(e => e.Status == DiseaseStatus.Relapse).ToList();
        var relapses = CountRelapses(events, p.DistinctRelapseMinGap, notes);
        if (relapses.Count >= 2)
        {
            return new EligibilityReason("disease-status", CriterionOutcome.Met,
                $"{relapses.Count} relapses ({string.Join(", ", relapses.Select(r => ClinicalText.Date(r.Time)))}): second or later relapse is covered by the label.",
                relapseEvents.Select(Ev).ToList());
        }

        if (relapses.Count == 1)
        {
            var relapse = relapses[0];
            var transplantBefore = facts.Transplants.Where(t => t.Time <= relapse.Time).MaxBy(t => t.Time);
            var evidence = relapseEvents.Select(Ev).ToList();
            if (transplantBefore is not null && p.FirstRelapsePostTransplantEligible)
            {
                evidence.Add(new Evidence(transplantBefore.Source, transplantBefore.Time, $"allogeneic SCT on {ClinicalText.Date(transplantBefore.Time)}"));
                return new EligibilityReason("disease-status", CriterionOutcome.Met,
                    $"First relapse ({ClinicalText.Date(relapse.Time)}) after allogeneic SCT ({ClinicalText.Date(transplantBefore.Time)}): covered by this rule set (EU SmPC wording; the US label requires second or later relapse).",
                    evidence);
            }
            if (transplantBefore is not null)
            {
                notes.Add($"The first relapse followed an allogeneic SCT ({ClinicalText.Date(transplantBefore.Time)}): the EU SmPC covers relapse post-transplant, the US label does not (parameter Eligibility.FirstRelapsePostTransplantEligible).");
            }
            var mrdAfter = events.FirstOrDefault(e => e.Status == DiseaseStatus.MrdPositive && e.Time > relapse.Time);
            if (mrdAfter is not null)
            {
                evidence.Add(Ev(mrdAfter));
                notes.Add($"MRD positivity was recorded after the first relapse ({ClinicalText.Date(mrdAfter.Time)}): if the relapse did not respond to re-induction, record it as refractory-relapse.");
            }
            // "Chemo-sensitive" is a claim about the response: said only when one is recorded
            // (a remission after the relapse); otherwise the relapse is only "not recorded as refractory".
            var response = events.FirstOrDefault(e => e.Status == DiseaseStatus.Remission && e.Time > relapse.Time);
            if (response is not null)
            {
                evidence.Add(Ev(response));
                return new EligibilityReason("disease-status", CriterionOutcome.NotMet,
                    $"One relapse ({ClinicalText.Date(relapse.Time)}), in remission again on {ClinicalText.Date(response.Time)}: a first, chemo-sensitive relapse is not covered by the label (refractory or second or later relapse).",
                    evidence);
            }
            return new EligibilityReason("disease-status", CriterionOutcome.NotMet,
                $"One relapse ({ClinicalText.Date(relapse.Time)}), not recorded as refractory and no response recorded: a first relapse is covered by the label only when refractory (refractory or second or later relapse); record refractory-relapse if it did not respond to re-induction.",
                evidence);
        }

        // Only remission and MRD events: the latest of them says where the disease stands.
        if (events[^1].Status == DiseaseStatus.MrdPositive)
        {
            missing.Add("whether the MRD-positive disease is refractory (disease-status primary-refractory or refractory-relapse)");
            return new EligibilityReason("disease-status", CriterionOutcome.Undetermined,
                $"MRD-positive disease (recorded {ClinicalText.Date(events[^1].Time)}) without a relapse or refractory event: MRD alone does not establish refractory disease; record primary-refractory if induction failed.",
                events.Select(Ev).ToList());
        }

        return new EligibilityReason("disease-status", CriterionOutcome.NotMet,
            "Only remission is recorded (no refractory disease, no relapse): not covered by the label (refractory or second or later relapse).",
            events.Select(Ev).ToList());
    }

    /// <summary>Distinct relapses among relapse events (Relapse and RefractoryRelapse): a relapse
    /// event starts a new relapse when it is the first, when a remission was recorded since the
    /// previous relapse event, or when it is at least <paramref name="minGap"/> after it.</summary>
    private static List<DiseaseStatusEvent> CountRelapses(List<DiseaseStatusEvent> ordered, TimeSpan minGap, List<string> notes)
    {
        var distinct = new List<DiseaseStatusEvent>();
        DiseaseStatusEvent? previous = null;
        var remissionSince = false;
        foreach (var e in ordered)
        {
            if (e.Status == DiseaseStatus.Remission) { remissionSince = true; continue; }
            if (e.Status is not (DiseaseStatus.Relapse or DiseaseStatus.RefractoryRelapse)) continue;
            if (previous is null || remissionSince || e.Time - previous.Time >= minGap) distinct.Add(e);
            else notes.Add($"Relapse events on {ClinicalText.Date(previous.Time)} ({previous.Source}) and {ClinicalText.Date(e.Time)} ({e.Source}) are less than {ClinicalText.Span(minGap)} apart with no remission between: counted as one relapse.");
            previous = e;
            remissionSince = false;
        }
        return distinct;
    }

    internal static string Name(DiseaseStatus s) => s switch
    {
        DiseaseStatus.PrimaryRefractory => "primary refractory",
        DiseaseStatus.Relapse => "relapse",
        DiseaseStatus.RefractoryRelapse => "refractory relapse",
        DiseaseStatus.Remission => "remission",
        DiseaseStatus.MrdPositive => "MRD positive",
        _ => s.ToString(),
    };

    private static string Ordinal(int n) => (n % 100) switch
    {
        11 or 12 or 13 => $"{n}th",
        _ => (n % 10) switch { 1 => $"{n}st", 2 => $"{n}nd", 3 => $"{n}rd", _ => $"{n}th" },
    };

    // Trial-derived checks (ELIANA, Maude et al. N Engl J Med 2018;378:439; docs/CLINICAL-RULES.md §5): information, never exclusions.
    private static List<TrialCheck> TrialChecks(ClinicalFacts facts, DateTimeOffset at, DateOnly refDate, bool planned, int? ageYears, EligibilityParameters p)
    {
        var checks = new List<TrialCheck>
        {
            Cd19Check(facts, at, p),
            BlastsCheck(facts, at, p),
            PriorCd19Check(facts, at),
            TransplantCheck(facts, at, refDate, planned, p),
            GvhdCheck(facts, at),
            CnsCheck(facts, at),
            PerformanceCheck(facts, at, ageYears, p),
        };
        var down = facts.NotableConditions.Where(c => c.Kind == NotableConditionKind.DownSyndrome).ToList();
        if (down.Count > 0)
        {
            checks.Add(new TrialCheck("down-syndrome", TrialCheckOutcome.Informational,
                "Down syndrome (trisomy 21) recorded: not an exclusion; higher treatment-related toxicity, so weigh and monitor closely.",
                down.Select(d => new Evidence(d.Source, null, "Down syndrome")).ToList()));
        }
        checks.Add(new TrialCheck("isolated-extramedullary-disease", TrialCheckOutcome.Unknown,
            "Isolated extramedullary disease (excluded from ELIANA) cannot be assessed: the data contract has no element for it.", []));
        return checks;
    }

    private static TrialCheck Cd19Check(ClinicalFacts facts, DateTimeOffset at, EligibilityParameters p)
    {
        var from = at.AddMonths(-p.Cd19MaxAgeMonths);
        var results = facts.Cd19Expression.Where(c => c.Time <= at).OrderBy(c => c.Time).ToList();
        if (results.Count == 0)
        {
            return new TrialCheck("cd19-expression", TrialCheckOutcome.Unknown,
                $"No CD19 expression result on record: confirm CD19 on blasts by flow cytometry (within {p.Cd19MaxAgeMonths} months).", []);
        }
        var latest = results[^1];
        var ev = new List<Evidence> { new(latest.Source, latest.Time, $"CD19 {Cd19Name(latest.Status)} on blasts") };
        if (latest.Time < from)
        {
            return new TrialCheck("cd19-expression", TrialCheckOutcome.Unknown,
                $"Last CD19 result ({Cd19Name(latest.Status)}, {ClinicalText.Date(latest.Time)}) is older than {p.Cd19MaxAgeMonths} months: repeat flow cytometry.", ev);
        }
        var differing = results.Where(c => c.Time >= from && c.Status != latest.Status).ToList();
        var conflict = "";
        if (differing.Count > 0)
        {
            ev.AddRange(differing.Select(c => new Evidence(c.Source, c.Time, $"CD19 {Cd19Name(c.Status)} on blasts (earlier result)")));
            conflict = $" Earlier result(s) within {p.Cd19MaxAgeMonths} months differ ({string.Join(", ", differing.Select(c => $"{Cd19Name(c.Status)} {ClinicalText.Date(c.Time)}"))}); the latest is used.";
        }
        if (latest.Status is Cd19Status.Negative or Cd19Status.Dim)
        {
            // CD19-negative or CD19-dim relapse (typically after blinatumomab or a CD19 CAR-T): the
            // target may be absent, so a CD19-directed CAR-T may not work (seed 001: CD19− relapses
            // after CD19 CAR-T; ELIANA required CD19 expression). Shown prominently, not as a footnote.
            var prior = facts.PriorCd19Therapy.Where(t => t.Time is null || t.Time <= latest.Time).ToList();
            ev.AddRange(prior.Select(t => new Evidence(t.Source, t.Time, $"CD19-directed therapy: {t.Description}")));
            var after = prior.Count > 0 ? $" after {string.Join(", ", prior.Select(t => t.Description + (t.Time is { } tt ? $" ({ClinicalText.Date(tt)})" : "")))}" : "";
            return new TrialCheck("cd19-expression", TrialCheckOutcome.Caution,
                $"CD19-{Cd19Name(latest.Status)} blasts ({ClinicalText.Date(latest.Time)}){after}: the CAR-T target may be absent, so a CD19-directed CAR-T may not work; CD19 expression was required in ELIANA. Confirm CD19 by flow cytometry before committing.{conflict}", ev);
        }
        return new TrialCheck("cd19-expression", TrialCheckOutcome.Favourable,
                $"CD19 {Cd19Name(latest.Status)} on blasts ({ClinicalText.Date(latest.Time)}), within {p.Cd19MaxAgeMonths} months.{conflict}", ev);
    }

    private static string Cd19Name(Cd19Status s) => s switch
    {
        Cd19Status.Positive => "positive",
        Cd19Status.Negative => "negative",
        Cd19Status.Dim => "dim",
        _ => s.ToString(),
    };

    private static TrialCheck BlastsCheck(ClinicalFacts facts, DateTimeOffset at, EligibilityParameters p)
    {
        var latest = facts.MarrowBlasts.Where(m => m.Time <= at).MaxBy(m => m.Time);
        if (latest is null)
        {
            return new TrialCheck("marrow-blasts", TrialCheckOutcome.Unknown,
                $"No marrow blast count on record (ELIANA required ≥ {ClinicalText.Num(p.MinMarrowBlastsPercent)} %).", []);
        }
        var ev = new List<Evidence> { new(latest.Source, latest.Time, $"marrow blasts {ClinicalText.Num(latest.Percent)} %") };
        return latest.Percent >= p.MinMarrowBlastsPercent
            ? new TrialCheck("marrow-blasts", TrialCheckOutcome.Favourable,
                $"Marrow blasts {ClinicalText.Num(latest.Percent)} % ({ClinicalText.Date(latest.Time)}): ≥ {ClinicalText.Num(p.MinMarrowBlastsPercent)} % as in ELIANA.", ev)
            : new TrialCheck("marrow-blasts", TrialCheckOutcome.Caution,
                $"Marrow blasts {ClinicalText.Num(latest.Percent)} % ({ClinicalText.Date(latest.Time)}): below the {ClinicalText.Num(p.MinMarrowBlastsPercent)} % ELIANA required (not a label criterion).", ev);
    }

    private static TrialCheck PriorCd19Check(ClinicalFacts facts, DateTimeOffset at)
    {
        var prior = facts.PriorCd19Therapy.Where(t => t.Time is null || t.Time <= at).ToList();
        if (prior.Count == 0)
        {
            return new TrialCheck("prior-cd19-therapy", TrialCheckOutcome.Favourable, "No prior CD19-directed therapy recorded.", []);
        }
        var what = string.Join(", ", prior.Select(t => t.Time is { } d ? $"{t.Description} ({ClinicalText.Date(d)})" : t.Description));
        return new TrialCheck("prior-cd19-therapy", TrialCheckOutcome.Caution,
            $"Prior CD19-directed therapy: {what}. ELIANA excluded prior CD19-directed therapy (the label does not); confirm CD19 expression.",
            prior.Select(t => new Evidence(t.Source, t.Time, $"CD19-directed therapy: {t.Description}")).ToList());
    }

    private static TrialCheck TransplantCheck(ClinicalFacts facts, DateTimeOffset at, DateOnly refDate, bool planned, EligibilityParameters p)
    {
        var latest = facts.Transplants.Where(t => t.Time <= at).MaxBy(t => t.Time);
        if (latest is null)
        {
            return new TrialCheck("allogeneic-sct", TrialCheckOutcome.Favourable, "No allogeneic SCT recorded.", []);
        }
        var sctDate = DateOnly.FromDateTime(latest.Time.DateTime);
        var ev = new List<Evidence> { new(latest.Source, latest.Time, $"allogeneic SCT on {ClinicalText.Date(sctDate)}") };
        var reference = planned ? $"the planned infusion ({ClinicalText.Date(refDate)})" : $"the evaluation date ({ClinicalText.Date(refDate)})";
        return refDate < sctDate.AddMonths(p.MinMonthsSinceAlloSct)
            ? new TrialCheck("allogeneic-sct", TrialCheckOutcome.Caution,
                $"Allogeneic SCT on {ClinicalText.Date(sctDate)}, less than {p.MinMonthsSinceAlloSct} months before {reference}: ELIANA excluded SCT within {p.MinMonthsSinceAlloSct} months.", ev)
            : new TrialCheck("allogeneic-sct", TrialCheckOutcome.Favourable,
                $"Allogeneic SCT on {ClinicalText.Date(sctDate)}, at least {p.MinMonthsSinceAlloSct} months before {reference}.", ev);
    }

    private static TrialCheck GvhdCheck(ClinicalFacts facts, DateTimeOffset at)
    {
        var active = facts.ActiveGvhd.Where(g => g.Onset is null || g.Onset <= at).ToList();
        return active.Count == 0
            ? new TrialCheck("active-gvhd", TrialCheckOutcome.Favourable, "No active GVHD recorded.", [])
            : new TrialCheck("active-gvhd", TrialCheckOutcome.Caution,
                "Active graft-versus-host disease: ELIANA excluded active GVHD.",
                active.Select(g => new Evidence(g.Source, g.Onset, "active GVHD")).ToList());
    }

    private static TrialCheck CnsCheck(ClinicalFacts facts, DateTimeOffset at)
    {
        var latest = facts.CnsStatus.Where(c => c.Time <= at).MaxBy(c => c.Time);
        if (latest is null)
        {
            return new TrialCheck("cns-status", TrialCheckOutcome.Unknown, "No CNS status on record.", []);
        }
        var name = latest.Status switch { CnsStatus.Cns1 => "CNS1", CnsStatus.Cns2 => "CNS2", _ => "CNS3" };
        var ev = new List<Evidence> { new(latest.Source, latest.Time, $"CNS status {name}") };
        return latest.Status == CnsStatus.Cns3
            ? new TrialCheck("cns-status", TrialCheckOutcome.Caution,
                $"Active CNS3 disease ({ClinicalText.Date(latest.Time)}): ELIANA excluded active CNS involvement; higher neurotoxicity concern.", ev)
            : new TrialCheck("cns-status", TrialCheckOutcome.Favourable, $"{name} ({ClinicalText.Date(latest.Time)}): no active CNS3 disease.", ev);
    }

    private static TrialCheck PerformanceCheck(ClinicalFacts facts, DateTimeOffset at, int? ageYears, EligibilityParameters p)
    {
        var latest = facts.PerformanceStatus.Where(s => s.Time <= at).MaxBy(s => s.Time);
        if (latest is null)
        {
            return new TrialCheck("performance-status", TrialCheckOutcome.Unknown,
                $"No Karnofsky (LOINC 89243-0) or Lansky score on record (ELIANA required ≥ {p.MinPerformanceScore}).", []);
        }
        var scale = latest.Scale == PerformanceScale.Karnofsky ? "Karnofsky" : "Lansky";
        var ev = new List<Evidence> { new(latest.Source, latest.Time, $"{scale} {latest.Score}") };
        var fit = "";
        if (ageYears is { } age)
        {
            var expected = age >= p.KarnofskyFromAgeYears ? PerformanceScale.Karnofsky : PerformanceScale.Lansky;
            if (expected != latest.Scale) fit = $" ({scale} recorded at age {age} y; {(expected == PerformanceScale.Karnofsky ? "Karnofsky" : "Lansky")} is the scale for this age.)";
        }
        return latest.Score >= p.MinPerformanceScore
            ? new TrialCheck("performance-status", TrialCheckOutcome.Favourable,
                $"{scale} {latest.Score} ({ClinicalText.Date(latest.Time)}): ≥ {p.MinPerformanceScore} as in ELIANA.{fit}", ev)
            : new TrialCheck("performance-status", TrialCheckOutcome.Caution,
                $"{scale} {latest.Score} ({ClinicalText.Date(latest.Time)}): below the {p.MinPerformanceScore} ELIANA required.{fit}", ev);
    }

    // Label §2.1: ≤ 50 kg 0.2–5.0 × 10⁶ CAR-positive viable T cells/kg; > 50 kg 0.1–2.5 × 10⁸ cells,
    // based on the weight reported at leukapheresis.
    private static CellDoseGuidance DoseGuidance(ClinicalFacts facts, DateTimeOffset at, EligibilityParameters p)
    {
        var label = $"Label dose: ≤ {ClinicalText.Num(p.DoseWeightThresholdKg)} kg {ClinicalText.CellRange(p.DosePerKgMinCells, p.DosePerKgMaxCells)} CAR-positive viable T cells/kg; > {ClinicalText.Num(p.DoseWeightThresholdKg)} kg {ClinicalText.CellRange(p.DoseFlatMinCells, p.DoseFlatMaxCells)} CAR-positive viable T cells.";
        var choice = BodyWeights.Latest(facts, at, p.WeightStaleAfter);
        var evidence = choice.Evidence(at);
        if (choice.Weight is not { } w)
        {
            return new CellDoseGuidance($"{choice.Problem}: cell dose range not computed. {label}", null, false, null, null, false, evidence);
        }

        const string basis = " The label bases the dose on the weight reported at leukapheresis.";
        var stale = choice.IsStale ? $" The weight is {ClinicalText.AgeOf(w.Time, at)} old (stale after {ClinicalText.Span(p.WeightStaleAfter)}): re-weigh." : "";
        if (w.Kilograms <= p.DoseWeightThresholdKg)
        {
            var min = p.DosePerKgMinCells * w.Kilograms;
            var max = p.DosePerKgMaxCells * w.Kilograms;
            return new CellDoseGuidance(
                $"Weight {ClinicalText.Num(w.Kilograms)} kg ({ClinicalText.Date(w.Time)}), ≤ {ClinicalText.Num(p.DoseWeightThresholdKg)} kg: {ClinicalText.CellRange(p.DosePerKgMinCells, p.DosePerKgMaxCells)} CAR-positive viable T cells/kg, i.e. {ClinicalText.CellTotals(min, max)} cells.{basis}{stale}",
                w.Kilograms, true, min, max, choice.IsStale, evidence);
        }
        return new CellDoseGuidance(
            $"Weight {ClinicalText.Num(w.Kilograms)} kg ({ClinicalText.Date(w.Time)}), > {ClinicalText.Num(p.DoseWeightThresholdKg)} kg: {ClinicalText.CellRange(p.DoseFlatMinCells, p.DoseFlatMaxCells)} CAR-positive viable T cells (not per kg).{basis}{stale}",
            w.Kilograms, false, p.DoseFlatMinCells, p.DoseFlatMaxCells, choice.IsStale, evidence);
    }
}
