using CarTCds.Rules.Crs;
using CarTCds.Rules.Facts;
using CarTCds.Rules.Icans;
using CarTCds.Rules.IecHs;
using static CarTCds.Rules.ClinicalText;

namespace CarTCds.Rules.Management;

/// <summary>Grade-based management advice for CRS, ICANS and IEC-HS, with weight-based paediatric
/// doses capped at the adult dose (docs/CLINICAL-RULES.md §4).</summary>
/// <remarks>
/// CRS (ASCO 2021, Santomasso et al., <see href="https://doi.org/10.1200/JCO.21.01992"/>): grade 1
/// supportive care, tocilizumab if fever persists &gt; 3 days; grade 2 tocilizumab, dexamethasone if no
/// improvement within 24 h; grade 3 tocilizumab + dexamethasone q6h, ICU; grade 4 tocilizumab +
/// high-dose methylprednisolone, ICU; refractory to tocilizumab and corticosteroids → anakinra,
/// siltuximab, ruxolitinib (seed 002). ICANS (ASCO 2021): grade 2 dexamethasone, grade 3 dexamethasone
/// more often, ICU; grade 4 high-dose methylprednisolone; seizure → levetiracetam loading dose;
/// cerebral oedema → high-dose methylprednisolone, head up 30°, hyperventilation, hyperosmolar therapy,
/// neurosurgery. IEC-HS (Hines 2023): anakinra first line ± corticosteroids; refractory → ruxolitinib,
/// emapalumab, etoposide. Paediatric doses: Mahadeo 2019 (CARTOX) and the parameters' sources.
/// </remarks>
public static class ManagementAdvice
{
    /// <summary>The plan at <paramref name="at"/> for the given assessments.</summary>
    /// <param name="facts">The patient's facts; records after <paramref name="at"/> are ignored.</param>
    /// <param name="at">The evaluation time (the request's time, never the wall clock).</param>
    /// <param name="rules">The rule set.</param>
    /// <param name="crs">The current CRS grade.</param>
    /// <param name="course">The CRS course since infusion (for persistent fever); null without an infusion.</param>
    /// <param name="icans">The current ICANS grade.</param>
    /// <param name="iecHs">The IEC-HS screen; null when it was not run.</param>
    public static ManagementPlan Assess(ClinicalFacts facts, DateTimeOffset at, RuleSet rules, CrsAssessment crs, CrsCourse? course, IcansAssessment icans, IecHsAssessment? iecHs)
    {
        var start = facts.LatestInfusion(at)?.Time ?? at - rules.Orders.TocilizumabCountLookBackWithoutInfusion;
        var crsActions = Crs(facts, at, rules, crs, course, start);
        var icansActions = Icans(facts, at, rules, icans, start, crsActions);
        var recentFerritin = facts.Labs.Where(l => l.Test == LabTest.Ferritin && l.Time <= at && at - l.Time <= rules.Management.FerritinRecentWithin).MaxBy(l => l.Time);
        var iecHsFlagged = iecHs is { Flag: true };
        var iecHsActions = iecHsFlagged ? IecHs(facts, at, rules, start, recentFerritin) : [];
        if (iecHsFlagged)
        {
            // One anakinra order, on the card with the most specific reason: anakinra is IEC-HS's
            // first-line treatment (Hines 2023) and only a refractory option for CRS and ICANS (seed 002),
            // at the same weight-based dose; the CRS and ICANS cards refer to the IEC-HS card, which
            // always suggests it when flagged.
            crsActions = ReferToIecHs(crsActions);
            icansActions = ReferToIecHs(icansActions);
        }
        return new ManagementPlan(start, crsActions, icansActions, iecHsActions, recentFerritin);
    }

    private static List<ManagementAction> ReferToIecHs(List<ManagementAction> actions) =>
        actions.Select(a => a.Code == ManagementCodes.Anakinra
            ? a with { Text = a.Text + " The IEC-HS card's anakinra order covers it.", SuggestOrder = false }
            : a).ToList();

    private static List<ManagementAction> Crs(ClinicalFacts facts, DateTimeOffset at, RuleSet rules, CrsAssessment crs, CrsCourse? course, DateTimeOffset start)
    {
        var p = rules.Management;
        var actions = new List<ManagementAction>();
        if (crs.Grade is not (>= 1 and var g)) return actions;

        actions.Add(Advice(ManagementCodes.CrsSupportiveCare,
            "Supportive care: acetaminophen for fever, IV fluids, blood and urine cultures and a chest radiograph for infection; empiric broad-spectrum antibiotics (and G-CSF) if neutropenic (ASCO 2021)."));

        if (g == 1)
        {
            var feverDays = ConsecutiveCrsDays(course);
            if (feverDays > p.PersistentFeverDays)
            {
                actions.Add(new ManagementAction(ManagementCodes.Tocilizumab,
                    $"Fever on {feverDays} consecutive days (more than {p.PersistentFeverDays}): consider tocilizumab, managing as grade 2 (ASCO 2021).",
                    null, crs.Fever.Evidence, Recommended: false, SuggestOrder: true));
            }
            else
            {
                actions.Add(Advice(ManagementCodes.TocilizumabIfPersistent,
                    $"Tocilizumab if fever persists more than {p.PersistentFeverDays} days (fever so far on {feverDays} day{(feverDays == 1 ? "" : "s")}), or earlier in a high-risk patient, e.g. high tumour burden (ASCO 2021)."));
            }
            return actions;
        }

        actions.Add(new ManagementAction(ManagementCodes.Tocilizumab, "Tocilizumab at the label dose (the **Tocilizumab** line above), repeated no sooner than 8 h if no improvement (ASCO 2021).", null, [], Recommended: true, SuggestOrder: true));

        var tocilizumab = Given(facts, start, at, d => d == Drug.Tocilizumab);
        var steroids = Given(facts, start, at, DrugGroups.IsCorticosteroid);
        // Refractory = not improving: today's grade is not below the worst day of the course so far.
        var improving = course?.MaxGrade is { } worst && g < worst;
        var tocilizumabRefractory = !improving && (tocilizumab.Count > 0 && at - tocilizumab[0].Start >= p.RefractoryAfter
            || tocilizumab.Count >= rules.Orders.TocilizumabMaxDosesTotal);
        var refractory = tocilizumabRefractory && steroids.Count > 0 && at - steroids[0].Start >= p.RefractoryAfter;

        switch (g)
        {
            case 2 when tocilizumabRefractory && steroids.Count == 0:
                actions.Add(DrugAction(ManagementCodes.Dexamethasone, Drug.Dexamethasone, p.Dexamethasone, facts, at, start, rules, p.DexamethasoneLowerGradeInterval,
                    $"CRS grade 2 still {Span(at - tocilizumab[0].Start)} after the first tocilizumab ({When(tocilizumab[0].Start)}): not improving within {Span(p.RefractoryAfter)} — add dexamethasone (ASCO 2021)",
                    [WeightBasedDosing.GivenEvidence(tocilizumab[0])], recommended: true));
                break;
            case 2:
                if (!refractory && steroids.Count == 0)
                {
                    actions.Add(Advice(ManagementCodes.DexamethasoneIfRefractory,
                        $"If CRS does not improve within {Span(p.RefractoryAfter)} of the first tocilizumab: dexamethasone {Num(p.Dexamethasone.MgPerKg)} mg/kg (max {Num(p.Dexamethasone.MaxDoseMg ?? 0)} mg) IV every {Span(p.DexamethasoneLowerGradeInterval)} (ASCO 2021)."));
                }
                break;
            case 3:
                actions.Add(DrugAction(ManagementCodes.Dexamethasone, Drug.Dexamethasone, p.Dexamethasone, facts, at, start, rules, null,
                    "CRS grade 3: dexamethasone with tocilizumab, rapid taper once improving (ASCO 2021)", [], recommended: true));
                break;
            case 4:
                actions.Add(DrugAction(ManagementCodes.MethylprednisoloneHighDose, Drug.Methylprednisolone, p.MethylprednisoloneHighDose, facts, at, start, rules, null,
                    $"CRS grade 4: high-dose methylprednisolone with tocilizumab for {p.MethylprednisoloneHighDoseDays} days, then taper (ASCO 2021, adults 500 mg IV every 12 h)", [], recommended: true));
                break;
        }

        if (g >= p.IcuFromCrsGrade)
        {
            actions.Add(Advice(ManagementCodes.Icu, $"CRS grade {g}: transfer to / manage in intensive care, with continuous cardiac and oxygen-saturation monitoring and an echocardiogram (ASCO 2021)."));
        }

        if (refractory)
        {
            var why = $"CRS grade {g} still {Span(at - steroids[0].Start)} after corticosteroids and {Span(at - tocilizumab[0].Start)} after the first tocilizumab: refractory";
            var trigger = new[] { WeightBasedDosing.GivenEvidence(tocilizumab[0]), WeightBasedDosing.GivenEvidence(steroids[0]) };
            actions.Add(DrugAction(ManagementCodes.Anakinra, Drug.Anakinra, p.Anakinra, facts, at, start, rules, null, why + " — consider anakinra (IL-1 receptor antagonist; seed 002)", trigger, recommended: false));
            actions.Add(DrugAction(ManagementCodes.Siltuximab, Drug.Siltuximab, p.Siltuximab, facts, at, start, rules, null, "or siltuximab (anti-IL-6; seed 002, CARTOX)", trigger, recommended: false));
            actions.Add(DrugAction(ManagementCodes.Ruxolitinib, Drug.Ruxolitinib, p.Ruxolitinib, facts, at, start, rules, null, "or ruxolitinib (JAK1/2 inhibitor; seed 002; specialist dosing)", trigger, recommended: false));
        }
        else if (g >= 3)
        {
            actions.Add(Advice(ManagementCodes.RefractoryOptions, improving
                ? $"Improving (grade {g}, worst so far {course!.MaxGrade}); if it stops improving after tocilizumab and corticosteroids: consider anakinra, siltuximab or ruxolitinib (seed 002)."
                : $"If refractory to tocilizumab and corticosteroids (no improvement within {Span(p.RefractoryAfter)}): consider anakinra, siltuximab or ruxolitinib (seed 002)."));
        }
        return actions;
    }

    private static List<ManagementAction> Icans(ClinicalFacts facts, DateTimeOffset at, RuleSet rules, IcansAssessment icans, DateTimeOffset start, List<ManagementAction> crsActions)
    {
        var p = rules.Management;
        var actions = new List<ManagementAction>();
        if (icans.Grade is not (>= 1 and var g)) return actions;

        actions.Add(Advice(ManagementCodes.NeuroSupportiveCare,
            "Supportive care: aspiration precautions, IV hydration, neurological checks with ICE/CAPD at least every 8–12 h; avoid sedating drugs; seizure prophylaxis per institution (ASCO 2021)."));

        var oedema = icans.Domain(IcansDomain.RaisedIcpOrCerebralOedema) is { Grade: >= 3 } o ? o : null;
        if (g >= 4 || oedema is not null)
        {
            var why = oedema is not null ? $"ICANS grade {g} with {oedema.Description}" : $"ICANS grade {g}";
            actions.Add(Shared(DrugAction(ManagementCodes.MethylprednisoloneHighDose, Drug.Methylprednisolone, p.MethylprednisoloneHighDose, facts, at, start, rules, null,
                $"{why}: high-dose methylprednisolone for {p.MethylprednisoloneHighDoseDays} days, then taper (ASCO 2021: 1,000 mg/day in adults)", oedema?.Evidence ?? [], recommended: true), crsActions));
        }
        else if (g == 3)
        {
            actions.Add(Shared(DrugAction(ManagementCodes.Dexamethasone, Drug.Dexamethasone, p.Dexamethasone, facts, at, start, rules, null,
                "ICANS grade 3: dexamethasone every 6 h, more often than at grade 2 (ASCO 2021)", [], recommended: true), crsActions));
        }
        else if (g == 2)
        {
            actions.Add(Shared(DrugAction(ManagementCodes.Dexamethasone, Drug.Dexamethasone, p.Dexamethasone, facts, at, start, rules, p.DexamethasoneLowerGradeInterval,
                "ICANS grade 2: dexamethasone, repeated if no improvement (ASCO 2021); neurology review, MRI and EEG", [], recommended: true), crsActions));
        }

        if (g >= p.IcuFromIcansGrade)
        {
            actions.Add(Advice(ManagementCodes.Icu, $"ICANS grade {g}: intensive care{(g >= 4 ? ", airway protection / mechanical ventilation as needed" : "")} (ASCO 2021)."));
        }

        if (icans.Domain(IcansDomain.Seizure) is { } seizure)
        {
            var lastSeizure = facts.Seizures.Where(s => s.Time <= at &&
                // Stryker disable once Equality : the seizure domain holds a seizure in (at − LookBack, at], so the latest one is never exactly at the window's start
                s.Time > at - rules.Icans.LookBack).MaxBy(s => s.Time)!;
            var since = facts.Administrations.Where(a => a.Drug == Drug.Levetiracetam && a.Start >= lastSeizure.Time && a.Start <= at).MaxBy(a => a.Start);
            if (since is null)
            {
                actions.Add(DrugAction(ManagementCodes.LevetiracetamLoading, Drug.Levetiracetam, p.LevetiracetamLoading, facts, at, lastSeizure.Time, rules, null,
                    $"Seizure ({When(lastSeizure.Time)}): benzodiazepine for an ongoing seizure, then a levetiracetam loading dose, then maintenance (ASCO 2021; status-epilepticus dosing)", seizure.Evidence, recommended: true));
            }
            else
            {
                actions.Add(new ManagementAction(ManagementCodes.LevetiracetamLoading,
                    $"Seizure ({When(lastSeizure.Time)}): levetiracetam already given after it ({When(since.Start)}); continue maintenance, EEG (ASCO 2021).",
                    null, [.. seizure.Evidence, WeightBasedDosing.GivenEvidence(since)], Recommended: false, SuggestOrder: false));
            }
        }

        if (oedema is not null)
        {
            actions.Add(new ManagementAction(ManagementCodes.CerebralOedemaMeasures,
                "Cerebral oedema (ASCO 2021): head of bed at 30°; hyperventilation to PaCO₂ 28–30 mmHg for at most 24 h; hyperosmolar therapy with mannitol or hypertonic saline; urgent neurosurgery consultation; intensive care.",
                null, oedema.Evidence, Recommended: false, SuggestOrder: false));
        }

        var steroids = Given(facts, start, at, DrugGroups.IsCorticosteroid);
        if (g >= 3 && steroids.Count > 0 && at - steroids[0].Start >= p.RefractoryAfter)
        {
            actions.Add(Shared(DrugAction(ManagementCodes.Anakinra, Drug.Anakinra, p.Anakinra, facts, at, start, rules, null,
                $"ICANS grade {g} still {Span(at - steroids[0].Start)} after corticosteroids: refractory — consider anakinra (seed 002)",
                [WeightBasedDosing.GivenEvidence(steroids[0])], recommended: false), crsActions));
        }
        return actions;
    }

    private static List<ManagementAction> IecHs(ClinicalFacts facts, DateTimeOffset at, RuleSet rules, DateTimeOffset start, LabResult? recentFerritin)
    {
        var p = rules.Management;
        var actions = new List<ManagementAction>();
        var anakinra = Given(facts, start, at, d => d == Drug.Anakinra);
        actions.Add(DrugAction(ManagementCodes.Anakinra, Drug.Anakinra, p.Anakinra, facts, at, start, rules, null,
            "IEC-HS first line: anakinra, with or without corticosteroids (Hines 2023)", [], recommended: true));
        if (anakinra.Count > 0 && at - anakinra[0].Start >= p.IecHsRefractoryAfter)
        {
            actions.Add(DrugAction(ManagementCodes.Ruxolitinib, Drug.Ruxolitinib, p.Ruxolitinib, facts, at, start, rules, null,
                $"Still flagged {Span(at - anakinra[0].Start)} after the first anakinra: refractory — consider ruxolitinib; emapalumab or etoposide with a specialist (Hines 2023)",
                [WeightBasedDosing.GivenEvidence(anakinra[0])], recommended: false));
        }
        else
        {
            actions.Add(Advice(ManagementCodes.IecHsSecondLine,
                $"If no response within {Span(p.IecHsRefractoryAfter)} of anakinra: ruxolitinib, emapalumab or etoposide with a specialist (Hines 2023)."));
        }
        actions.Add(recentFerritin is { } f
            ? new ManagementAction(ManagementCodes.Ferritin,
                $"Ferritin {Thousands(f.Value)} ng/mL resulted {Span(at - f.Time)} ago ({When(f.Time)}), within {Span(p.FerritinRecentWithin)}: no new ferritin order suggested.",
                null, [new Evidence(f.Source, f.Time, $"ferritin {Thousands(f.Value)} ng/mL")], Recommended: false, SuggestOrder: false)
            : new ManagementAction(ManagementCodes.Ferritin, $"No ferritin in the last {Span(p.FerritinRecentWithin)}: order one to follow the trend.", null, [], Recommended: false, SuggestOrder: true));
        return actions;
    }

    private static ManagementAction Advice(string code, string text) => new(code, text, null, [], Recommended: false, SuggestOrder: false);

    private static ManagementAction DrugAction(string code, Drug drug, DoseRule rule, ClinicalFacts facts, DateTimeOffset at, DateTimeOffset start, RuleSet rules,
        TimeSpan? interval, string why, IReadOnlyList<Evidence> trigger, bool recommended)
    {
        var dose = WeightBasedDosing.Compute(drug, rule, facts, at, start, rules, interval);
        var given = dose.Given.Count == 0 ? ""
            : $" Already given in this episode: {dose.Given.Count} dose{(dose.Given.Count == 1 ? "" : "s")}, last {When(dose.Given[^1].Start)}"
              + (dose.NextDoseFrom is not { } next ? "; a single dose: not repeated." : next > at ? $"; next not before {When(next)}." : "; next dose due now.");
        var evidence = trigger.Concat(dose.Evidence).DistinctBy(e => (e.Source, e.Description)).ToList();
        return new ManagementAction(code, $"{why}: {dose.Text}.{given}", dose, evidence, recommended, SuggestOrder: dose.DueNow(at));
    }

    // One order covers CRS and ICANS: the ICANS card refers to the CRS card when both advise the same
    // drug and the CRS order comes at least as often.
    private static ManagementAction Shared(ManagementAction icans, List<ManagementAction> crsActions)
    {
        var crs = crsActions.FirstOrDefault(a => a.Dose is { } d && icans.Dose is { } i && d.Drug == i.Drug);
        if (crs?.Dose is not { } cd || icans.Dose is not { } id) return icans;
        var crsAsOften = (cd.Interval ?? TimeSpan.MaxValue) <= (id.Interval ?? TimeSpan.MaxValue);
        return crsAsOften ? icans with { Text = icans.Text + " The CRS card's order covers it.", SuggestOrder = false } : icans;
    }

    private static List<DrugAdministration> Given(ClinicalFacts facts, DateTimeOffset start, DateTimeOffset at, Func<Drug, bool> which) =>
        facts.Administrations.Where(a => which(a.Drug) && a.Start >= start && a.Start <= at).DistinctBy(a => a.Source).OrderBy(a => a.Start).ToList();

    // Days of the course with CRS grade ≥ 1 in a row, ending today (1 when only today; 0 without a course).
    private static int ConsecutiveCrsDays(CrsCourse? course)
    {
        if (course is null) return 1;
        var n = 0;
        for (var i = course.Days.Count - 1; i >= 0 && course.Days[i].Grade >= 1; i--) n++;
        return Math.Max(n, 1);
    }
}
