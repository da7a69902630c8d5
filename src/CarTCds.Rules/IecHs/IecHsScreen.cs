using CarTCds.Rules.Crs;
using CarTCds.Rules.Facts;
using static CarTCds.Rules.ClinicalText;

namespace CarTCds.Rules.IecHs;

/// <summary>carHLH / IEC-HS screen: raises a flag for clinician confirmation, never a diagnosis.</summary>
/// <remarks>
/// Two criteria sets (docs/CLINICAL-RULES.md §3):
/// <list type="bullet">
/// <item><see href="https://doi.org/10.1038/nrclinonc.2017.148">Neelapu SS et al. Chimeric antigen
/// receptor T-cell therapy — assessment and management of toxicities. Nat Rev Clin Oncol 2018;15:47–62</see>
/// (CARTOX carHLH) [S]: peak ferritin &gt; 10,000 ng/mL during CRS (typically the first 5 days) plus any
/// two of grade ≥ 3 ALT/AST/bilirubin rise, grade ≥ 3 oliguria or creatinine rise, grade ≥ 3 pulmonary
/// oedema, haemophagocytosis. Grade 3 of a laboratory rise per CTCAE v5.0 [U].</item>
/// <item><see href="https://doi.org/10.1016/j.jtct.2023.03.006">Hines MR et al. Immune Effector
/// Cell-Associated Hemophagocytic Lymphohistiocytosis-Like Syndrome. Transplant Cell Ther 2023;29:438</see>
/// (ASTCT IEC-HS) [U, criteria from memory]: ferritin &gt; 2 × ULN or baseline, or rapidly rising,
/// plus transaminitis, hypofibrinogenaemia or new/worse cytopenia; onset as CRS resolves (clinician).</item>
/// </list>
/// </remarks>
public static class IecHsScreen
{
    /// <summary>Screens the laboratory results up to <paramref name="at"/>.</summary>
    /// <param name="facts">The patient's facts; results after <paramref name="at"/> are ignored.</param>
    /// <param name="at">The evaluation time (the request's time, never the wall clock).</param>
    /// <param name="rules">The rule set.</param>
    /// <remarks>
    /// Periods: carHLH looks at (infusion, infusion + <see cref="IecHsParameters.CarHlhFerritinWindowDays"/>]
    /// (cut at <paramref name="at"/>); IEC-HS at (<paramref name="at"/> − <see cref="IecHsParameters.IecHsLookBack"/>,
    /// <paramref name="at"/>], never before the infusion. Without an infusion on record both use
    /// (<paramref name="at"/> − <see cref="IecHsParameters.LookBackWithoutInfusion"/>, <paramref name="at"/>]
    /// resp. the IEC-HS look-back, and no baseline is known. The latest infusion at or before
    /// <paramref name="at"/> is day 0. Each result's own upper limit of normal is used when sent.
    /// </remarks>
    public static IecHsAssessment Assess(ClinicalFacts facts, DateTimeOffset at, RuleSet rules) =>
        Assess(facts, at, rules, CrsGrading.Assess(facts, at, rules), CrsCourseAnalysis.Analyse(facts, at, rules));

    /// <summary>As <see cref="Assess(ClinicalFacts, DateTimeOffset, RuleSet)"/>, reusing the CRS grade
    /// and course the caller already has (the IEC-HS timing rule needs both).</summary>
    /// <param name="facts">The patient's facts.</param>
    /// <param name="at">The evaluation time.</param>
    /// <param name="rules">The rule set.</param>
    /// <param name="currentCrs">CRS graded at <paramref name="at"/> with the same rules.</param>
    /// <param name="course">The CRS course since infusion at <paramref name="at"/>; null when no infusion is on record.</param>
    public static IecHsAssessment Assess(ClinicalFacts facts, DateTimeOffset at, RuleSet rules, CrsAssessment currentCrs, CrsCourse? course)
    {
        var p = rules.IecHs;
        var notes = new List<string> { "A flag for clinician confirmation, not a diagnosis." };
        var missing = new List<string>();
        var labs = facts.Labs.Where(l => l.Time <= at).ToList();
        var infusion = facts.LatestInfusion(at);

        DateTimeOffset periodFrom, periodTo, referenceFrom;
        string periodName;
        if (infusion is not null)
        {
            periodFrom = infusion.Time;
            var end = infusion.Time.AddDays(p.CarHlhFerritinWindowDays);
            // Stryker disable once Equality : end == at gives the same periodTo either way
            periodTo = end < at ? end : at;
            referenceFrom = infusion.Time.MinusSaturating(p.BaselineLookBack);
            periodName = $"in the first {p.CarHlhFerritinWindowDays} days after infusion";
        }
        else
        {
            periodFrom = at - p.LookBackWithoutInfusion;
            periodTo = at;
            referenceFrom = periodFrom;
            periodName = $"in the last {Days(p.LookBackWithoutInfusion)} days";
            notes.Add($"No CAR-T infusion on record: results from the last {Days(p.LookBackWithoutInfusion)} days were screened and no pre-infusion baseline is known.");
        }
        var iecFrom = at - p.IecHsLookBack;
        if (infusion is not null &&
            // Stryker disable once Equality : infusion.Time == iecFrom assigns the value iecFrom already has
            infusion.Time > iecFrom) iecFrom = infusion.Time;
        var iecName = $"in the last {Hours(p.IecHsLookBack)} h{(infusion is not null && iecFrom == infusion.Time ? " (since infusion)" : "")}";

        // A loop, not LINQ: called 13 times per screen, and a lambda here made a closure, a delegate and an iterator each time.
        List<LabResult> In(LabTest t, DateTimeOffset from, DateTimeOffset to)
        {
            var found = new List<LabResult>();
            foreach (var l in labs)
            {
                if (l.Test == t && l.Time > from && l.Time <= to) found.Add(l);
            }
            return found;
        }
        LabResult? Baseline(LabTest t, bool earliest)
        {
            if (infusion is null) return null;
            var pre = labs.Where(l => l.Test == t && l.Time <= infusion.Time && l.Time >= infusion.Time.MinusSaturating(p.BaselineLookBack));
            return earliest ? pre.MinBy(l => l.Time) : pre.MaxBy(l => l.Time);
        }

        // ---- CARTOX carHLH --------------------------------------------------------------------
        var carFerritin = CarHlhFerritin(In(LabTest.Ferritin, periodFrom, periodTo), p, periodName, missing);
        var hepatic = Hepatic(IecHsCriterionKind.CarHlhHepatic,
            In(LabTest.Alt, periodFrom, periodTo), In(LabTest.Ast, periodFrom, periodTo), In(LabTest.Bilirubin, periodFrom, periodTo),
            p.CarHlhTransaminaseUlnMultiple, p.CarHlhBilirubinUlnMultiple, p, periodName, missing);
        var renal = Renal(In(LabTest.Creatinine, periodFrom, periodTo), Baseline(LabTest.Creatinine, earliest: true), p, periodName, missing);
        var organs = new[] { hepatic, renal }.Where(c => c.Met).ToList();
        var carMet = carFerritin.Met && organs.Count >= p.CarHlhMinOrganCriteria;
        var carSummary = $"{carFerritin.Description}; {organs.Count} organ criteria met{(organs.Count > 0 ? $" ({string.Join(", ", organs.Select(OrganName))})" : "")} of {p.CarHlhMinOrganCriteria} needed";
        var carHlh = new IecHsCriteriaResult(IecHsCriteriaSet.CartoxCarHlh, carMet, periodFrom, periodTo, carSummary, [carFerritin, hepatic, renal]);
        if (carFerritin.Met && !carMet && organs.Count == p.CarHlhMinOrganCriteria - 1)
        {
            notes.Add($"Ferritin above {Thousands(p.CarHlhFerritinNgPerMl)} ng/mL with {organs.Count} organ criterion: grade ≥ 3 pulmonary oedema, grade ≥ 3 oliguria and haemophagocytosis cannot be seen in the data — if any is present, the carHLH criteria are met.");
        }

        // ---- ASTCT IEC-HS [U] -------------------------------------------------------------------
        // Hines 2023: HLH-like features not explained by CRS, emerging or worsening as CRS resolves.
        // Once CRS has begun improving, only results after that time that are worse than the last
        // result up to it count (a ferritin falling from its peak, a cytopenia unchanged since
        // lymphodepletion are CRS getting better, not IEC-HS).
        var (timingMet, timingNote, improvingSince) = p.IecHsRequiresCrsImproving ? CrsTiming(currentCrs, course) : (true, null, null);
        var emergence = new List<IecHsCriterion>();
        List<LabResult> Emerging(LabTest t, List<LabResult> recent, bool higherIsWorse)
        {
            if (improvingSince is not { } since) return recent;
            var reference = labs.Where(l => l.Test == t && l.Time >= referenceFrom && l.Time <= since).MaxBy(l => l.Time);
            var after = recent.Where(l => l.Time > since).ToList();
            var worse = reference is null ? after : after.Where(l => higherIsWorse ? l.Value > reference.Value : l.Value < reference.Value).ToList();
            if (worse.Count == 0 && recent.Count > 0)
            {
                var shown = (after.Count > 0 ? after : recent).MaxBy(l => l.Time)!;
                var text = reference is null
                    ? $"{LabTests.Name(t)} {Thousands(shown.Value)} {Unit(t)} was drawn before CRS began improving ({When(since)})"
                    : $"{LabTests.Name(t)} not {(higherIsWorse ? "higher" : "lower")} after CRS began improving ({When(since)}) than the {Thousands(reference.Value)} {Unit(t)} of {When(reference.Time)}";
                var evidence = new List<Evidence>();
                if (shown != reference) evidence.Add(new Evidence(shown.Source, shown.Time, $"{LabTests.Name(t)} {Thousands(shown.Value)} {Unit(t)}"));
                if (reference is not null) evidence.Add(new Evidence(reference.Source, reference.Time, $"{LabTests.Name(t)} {Thousands(reference.Value)} {Unit(t)} when CRS began improving"));
                emergence.Add(new IecHsCriterion(KindOf(t), false, text, evidence));
            }
            return worse;
        }

        var ferritinBaseline = Baseline(LabTest.Ferritin, earliest: false);
        var recentFerritin = Emerging(LabTest.Ferritin, In(LabTest.Ferritin, iecFrom, at), higherIsWorse: true);
        var recentAlt = Emerging(LabTest.Alt, In(LabTest.Alt, iecFrom, at), higherIsWorse: true);
        var recentAst = Emerging(LabTest.Ast, In(LabTest.Ast, iecFrom, at), higherIsWorse: true);
        var recentFibrinogen = Emerging(LabTest.Fibrinogen, In(LabTest.Fibrinogen, iecFrom, at), higherIsWorse: false);
        var recentPlatelets = Emerging(LabTest.Platelets, In(LabTest.Platelets, iecFrom, at), higherIsWorse: false);
        var recentNeutrophils = Emerging(LabTest.Neutrophils, In(LabTest.Neutrophils, iecFrom, at), higherIsWorse: false);
        var iecFerritin = Unless(emergence, IecHsCriterionKind.IecHsFerritin, [recentFerritin],
            () => IecFerritin(recentFerritin, labs.Where(l => l.Test == LabTest.Ferritin).ToList(), ferritinBaseline, p, iecName, missing));
        var transaminases = Unless(emergence, IecHsCriterionKind.IecHsTransaminases, [recentAlt, recentAst],
            () => Hepatic(IecHsCriterionKind.IecHsTransaminases, recentAlt, recentAst, [], p.IecHsTransaminaseUlnMultiple, 0m, p, iecName, missing));
        var fibrinogen = Unless(emergence, IecHsCriterionKind.IecHsFibrinogen, [recentFibrinogen],
            () => Fibrinogen(recentFibrinogen, p, iecName, missing));
        var cytopenia = Unless(emergence, IecHsCriterionKind.IecHsCytopenia, [recentPlatelets, recentNeutrophils],
            () => Cytopenia(recentPlatelets, recentNeutrophils, labs.Where(l => l.Time >= referenceFrom).ToList(), infusion, p, iecName, missing));
        var additional = new[] { transaminases, fibrinogen, cytopenia }.Where(c => c.Met).ToList();
        var featuresMet = iecFerritin.Met && additional.Count >= p.IecHsMinAdditionalFeatures;
        var iecMet = featuresMet && timingMet;
        if (featuresMet && timingNote is not null) notes.Add(timingNote);
        var iecSummary = $"{iecFerritin.Description}; {additional.Count} further feature(s) met{(additional.Count > 0 ? $" ({string.Join(", ", additional.Select(FeatureName))})" : "")} of {p.IecHsMinAdditionalFeatures} needed";
        var iecHs = new IecHsCriteriaResult(IecHsCriteriaSet.AstctIecHs, iecMet, iecFrom, at, iecSummary, [iecFerritin, transaminases, fibrinogen, cytopenia]);
        if (iecMet)
        {
            notes.Add("IEC-HS criteria and thresholds are unverified [U] and configurable; confirm the timing (onset as CRS resolves, or worsening after an initial response) and exclude infection.");
        }

        var raisedBy = new List<IecHsCriteriaSet>();
        if (carMet) raisedBy.Add(IecHsCriteriaSet.CartoxCarHlh);
        if (iecMet) raisedBy.Add(IecHsCriteriaSet.AstctIecHs);
        var flag = raisedBy.Count > 0;

        var screened = labs.Any(l => l.Test == LabTest.Ferritin && ((l.Time > periodFrom && l.Time <= periodTo) || (l.Time > iecFrom && l.Time <= at)));
        if (!screened)
        {
            notes.Add("Not screened: no ferritin in either period.");
        }

        var evidence = carHlh.Criteria.Concat(iecHs.Criteria).SelectMany(c => c.Evidence)
            .DistinctBy(e => (e.Source, e.Description))
            .OrderBy(e => e.Time ?? DateTimeOffset.MinValue)
            .ToList();

        IReadOnlyList<string> notAssessable =
        [
            "carHLH: grade ≥ 3 pulmonary oedema (not in the data)",
            "carHLH: grade ≥ 3 oliguria (urine output not in the data; creatinine is assessed)",
            "carHLH / IEC-HS: haemophagocytosis in marrow or organs (not in the data)",
            "IEC-HS: worsening after an initial response (clinician to judge; onset as CRS improves is checked from the CRS course)",
            "IEC-HS supportive features: LDH, PT/PTT, triglycerides > 265 mg/dL, splenomegaly (not screened)",
        ];

        IReadOnlyList<string> management = flag
            ?
            [
                "Advisory only: confirm carHLH / IEC-HS clinically and follow institutional guidance.",
                "First line: anakinra, with or without corticosteroids.",
                "If refractory: consider ruxolitinib, emapalumab or etoposide (specialist decision).",
            ]
            : [];

        return new IecHsAssessment(flag, screened, raisedBy, carHlh, iecHs, evidence, notAssessable,
            missing.Distinct().ToList(), notes, management);
    }

    private static IecHsCriterion CarHlhFerritin(List<LabResult> ferritins, IecHsParameters p, string period, List<string> missing)
    {
        var peak = ferritins.OrderByDescending(l => l.Value).ThenByDescending(l => l.Time).FirstOrDefault();
        if (peak is null)
        {
            missing.Add($"ferritin (LOINC 2276-4) {period}");
            return new IecHsCriterion(IecHsCriterionKind.CarHlhFerritin, false, $"no ferritin {period}", []);
        }
        var met = peak.Value > p.CarHlhFerritinNgPerMl;
        var text = $"peak ferritin {Thousands(peak.Value)} ng/mL ({(met ? ">" : "≤")} {Thousands(p.CarHlhFerritinNgPerMl)})";
        return new IecHsCriterion(IecHsCriterionKind.CarHlhFerritin, met, text, [new Evidence(peak.Source, peak.Time, text)]);
    }

    // CARTOX hepatic criterion (ALT, AST or bilirubin, counted once) and IEC-HS transaminitis
    // (bilirubin not used: pass none).
    private static IecHsCriterion Hepatic(IecHsCriterionKind kind, List<LabResult> alts, List<LabResult> asts, List<LabResult> bilirubins,
        decimal transaminaseMultiple, decimal bilirubinMultiple, IecHsParameters p, string period, List<string> missing)
    {
        var judged = new List<(bool Met, string Text, LabResult Result)>();
        void Judge(List<LabResult> results, decimal defaultUln, decimal multiple)
        {
            var worst = results.Select(r => (Result: r, Uln: Uln(r, defaultUln))).OrderByDescending(x => x.Result.Value / x.Uln.Value).ThenByDescending(x => x.Result.Time).FirstOrDefault();
            if (worst.Result is null) return;
            var r = worst.Result;
            var met = r.Value > multiple * worst.Uln.Value;
            judged.Add((met, $"{LabTests.Name(r.Test)} {Thousands(r.Value)} {Unit(r.Test)} ({Thousands(r.Value / worst.Uln.Value)} × ULN; {(met ? ">" : "≤")} {Thousands(multiple)} × {worst.Uln.Label} {Thousands(worst.Uln.Value)} {Unit(r.Test)})", r));
        }
        Judge(alts, p.AltUlnUnitsPerL, transaminaseMultiple);
        Judge(asts, p.AstUlnUnitsPerL, transaminaseMultiple);
        Judge(bilirubins, p.BilirubinUlnMgPerDl, bilirubinMultiple);

        var what = kind == IecHsCriterionKind.CarHlhHepatic ? "ALT, AST or bilirubin" : "ALT or AST";
        if (judged.Count == 0)
        {
            missing.Add($"{what} {period}");
            return new IecHsCriterion(kind, false, $"no {what} {period}", []);
        }
        var anyMet = judged.Any(j => j.Met);
        var shown = anyMet ? judged.Where(j => j.Met).ToList() : judged;
        var label = kind == IecHsCriterionKind.CarHlhHepatic ? "grade ≥ 3 hepatic rise" : "transaminitis";
        var description = $"{label}: {(anyMet ? "met" : "not met")} — {string.Join("; ", shown.Select(j => j.Text))}";
        return new IecHsCriterion(kind, anyMet, description, shown.Select(j => new Evidence(j.Result.Source, j.Result.Time, j.Text)).ToList());
    }

    // CARTOX renal criterion: CTCAE v5.0 grade ≥ 3 creatinine increase (> 3 × ULN or > 3 × baseline).
    private static IecHsCriterion Renal(List<LabResult> creatinines, LabResult? baseline, IecHsParameters p, string period, List<string> missing)
    {
        if (creatinines.Count == 0)
        {
            missing.Add($"creatinine (LOINC 2160-0) {period}");
            return new IecHsCriterion(IecHsCriterionKind.CarHlhRenal, false, $"no creatinine {period}", []);
        }
        decimal Score(LabResult r) => Math.Max(r.Value / Uln(r, p.CreatinineUlnMgPerDl).Value, baseline is { Value: > 0m } b ? r.Value / b.Value : 0m);
        var worst = creatinines.OrderByDescending(Score).ThenByDescending(r => r.Time).First();
        var uln = Uln(worst, p.CreatinineUlnMgPerDl);
        var byUln = worst.Value > p.CarHlhCreatinineUlnMultiple * uln.Value;
        var byBaseline = baseline is { Value: > 0m } && worst.Value > p.CarHlhCreatinineBaselineMultiple * baseline.Value;
        var met = byUln || byBaseline;
        var parts = new List<string> { $"{Thousands(worst.Value / uln.Value)} × {uln.Label} {Thousands(uln.Value)} mg/dL ({(byUln ? ">" : "≤")} {Thousands(p.CarHlhCreatinineUlnMultiple)} ×)" };
        if (baseline is { Value: > 0m }) parts.Add($"{Thousands(worst.Value / baseline.Value)} × baseline {Thousands(baseline.Value)} mg/dL ({(byBaseline ? ">" : "≤")} {Thousands(p.CarHlhCreatinineBaselineMultiple)} ×)");
        else parts.Add("no baseline");
        var text = $"creatinine {Thousands(worst.Value)} mg/dL: {string.Join(", ", parts)}";
        var evidence = new List<Evidence> { new(worst.Source, worst.Time, text) };
        if (baseline is not null) evidence.Add(new Evidence(baseline.Source, baseline.Time, $"baseline creatinine {Thousands(baseline.Value)} mg/dL (earliest in the {Days(p.BaselineLookBack)} days before infusion)"));
        return new IecHsCriterion(IecHsCriterionKind.CarHlhRenal, met, $"grade ≥ 3 creatinine rise: {(met ? "met" : "not met")} — {text}", evidence);
    }

    private static IecHsCriterion IecFerritin(List<LabResult> recent, List<LabResult> allFerritins, LabResult? baseline, IecHsParameters p, string period, List<string> missing)
    {
        if (recent.Count == 0)
        {
            missing.Add($"ferritin (LOINC 2276-4) {period}");
            return new IecHsCriterion(IecHsCriterionKind.IecHsFerritin, false, $"no ferritin {period}", []);
        }
        var peak = recent.OrderByDescending(l => l.Value).ThenByDescending(l => l.Time).First();
        var uln = Uln(peak, p.FerritinUlnNgPerMl);
        var ulnLimit = p.IecHsFerritinUlnMultiple * uln.Value;
        decimal? baseLimit = baseline is { Value: > 0m } ? p.IecHsFerritinBaselineMultiple * baseline.Value : null;

        bool elevated;
        string against;
        if (baseLimit is { } bl && p.FerritinAgainstHigherOfUlnAndBaseline && bl > ulnLimit)
        {
            elevated = peak.Value > bl;
            against = $"{Thousands(p.IecHsFerritinBaselineMultiple)} × baseline {Thousands(baseline!.Value)} ng/mL, baseline above ULN";
        }
        else if (baseLimit is { } bl2 && !p.FerritinAgainstHigherOfUlnAndBaseline && peak.Value <= ulnLimit && peak.Value > bl2)
        {
            elevated = true;
            against = $"{Thousands(p.IecHsFerritinBaselineMultiple)} × baseline {Thousands(baseline!.Value)} ng/mL";
        }
        else
        {
            elevated = peak.Value > ulnLimit;
            against = $"{Thousands(p.IecHsFerritinUlnMultiple)} × {uln.Label} {Thousands(uln.Value)} ng/mL";
        }
        var peakText = $"ferritin {Thousands(peak.Value)} ng/mL ({(elevated ? ">" : "≤")} {against})";
        var evidence = new List<Evidence> { new(peak.Source, peak.Time, peakText) };
        if (baseline is not null) evidence.Add(new Evidence(baseline.Source, baseline.Time, $"baseline ferritin {Thousands(baseline.Value)} ng/mL (latest before infusion)"));

        // Rapidly rising: a value ≥ factor × an earlier value within the rise interval.
        (LabResult Later, LabResult Earlier)? rise = null;
        foreach (var later in recent.OrderByDescending(l => l.Time))
        {
            var earlier = allFerritins
                .Where(e => e.Time < later.Time && e.Time >= later.Time.MinusSaturating(p.FerritinRapidRiseWithin) && e.Value > 0m && later.Value >= p.FerritinRapidRiseFactor * e.Value)
                .MinBy(e => e.Value);
            if (earlier is not null && (rise is null || later.Value / earlier.Value > rise.Value.Later.Value / rise.Value.Earlier.Value)) rise = (later, earlier);
        }
        string? riseText = null;
        if (rise is { } rr)
        {
            riseText = $"ferritin rising {Thousands(rr.Earlier.Value)} → {Thousands(rr.Later.Value)} ng/mL in {Hours(rr.Later.Time - rr.Earlier.Time)} h (≥ {Thousands(p.FerritinRapidRiseFactor)} × within {Hours(p.FerritinRapidRiseWithin)} h)";
            evidence.Add(new Evidence(rr.Earlier.Source, rr.Earlier.Time, $"earlier ferritin {Thousands(rr.Earlier.Value)} ng/mL"));
            evidence.Add(new Evidence(rr.Later.Source, rr.Later.Time, riseText));
        }

        var met = elevated || rise is not null;
        var description = $"ferritin: {(met ? "met" : "not met")} — {peakText}{(riseText is null ? "" : "; " + riseText)}";
        return new IecHsCriterion(IecHsCriterionKind.IecHsFerritin, met, description, evidence);
    }

    private static IecHsCriterion Fibrinogen(List<LabResult> fibrinogens, IecHsParameters p, string period, List<string> missing)
    {
        var lowest = fibrinogens.OrderBy(l => l.Value).ThenByDescending(l => l.Time).FirstOrDefault();
        if (lowest is null)
        {
            missing.Add($"fibrinogen (LOINC 3255-7) {period}");
            return new IecHsCriterion(IecHsCriterionKind.IecHsFibrinogen, false, $"no fibrinogen {period}", []);
        }
        var met = lowest.Value < p.FibrinogenBelowMgPerDl;
        var text = $"fibrinogen {Thousands(lowest.Value)} mg/dL ({(met ? "<" : "≥")} {Thousands(p.FibrinogenBelowMgPerDl)})";
        return new IecHsCriterion(IecHsCriterionKind.IecHsFibrinogen, met, $"hypofibrinogenaemia: {(met ? "met" : "not met")} — {text}",
            [new Evidence(lowest.Source, lowest.Time, text)]);
    }

    // New or worsening cytopenia: below the lower limit and fallen by the fraction from the
    // post-lymphodepletion baseline — the latest count at or before the infusion (lymphodepleting
    // chemotherapy ends before it), so counts low since lymphodepletion are not "new". Without such
    // a count, from the highest earlier count after the infusion.
    private static IecHsCriterion Cytopenia(List<LabResult> platelets, List<LabResult> neutrophils, List<LabResult> reference, CarTInfusion? infusion, IecHsParameters p, string period, List<string> missing)
    {
        if (platelets.Count == 0 && neutrophils.Count == 0)
        {
            missing.Add($"platelets (LOINC 777-3) or neutrophils (LOINC 751-8) {period}");
            return new IecHsCriterion(IecHsCriterionKind.IecHsCytopenia, false, $"no platelet or neutrophil count {period}", []);
        }
        var found = new List<(string Text, LabResult Now, LabResult Before)>();
        var checkedTexts = new List<string>();
        void Judge(List<LabResult> counts, decimal lowerLimit)
        {
            (LabResult Now, LabResult Before, decimal Fall)? best = null;
            foreach (var now in counts)
            {
                var before = (infusion is null ? null : reference.Where(r => r.Test == now.Test && r.Time <= infusion.Time).MaxBy(r => r.Time))
                    ?? reference.Where(r => r.Test == now.Test && r.Time < now.Time && (infusion is null ||
                        // Stryker disable once Equality : a count exactly at the infusion is the baseline above, so this fallback never sees one
                        r.Time > infusion.Time)).MaxBy(r => r.Value);
                if (before is null || before.Value <= 0m) continue;
                var fall = (before.Value - now.Value) / before.Value;
                if (now.Value < lowerLimit && fall >= p.CytopeniaFallFraction && (best is null || fall > best.Value.Fall)) best = (now, before, fall);
            }
            var name = LabTests.Name(counts.Count > 0 ? counts[0].Test : LabTest.Platelets);
            if (best is { } b)
            {
                found.Add(($"{name} {Thousands(b.Now.Value)} ×10⁹/L (< {Thousands(lowerLimit)}), down {Thousands(b.Fall * 100m)} % from {Thousands(b.Before.Value)} (≥ {Thousands(p.CytopeniaFallFraction * 100m)} %)", b.Now, b.Before));
            }
            else if (counts.Count > 0)
            {
                var lowest = counts.MinBy(c => c.Value)!;
                checkedTexts.Add($"{name} lowest {Thousands(lowest.Value)} ×10⁹/L");
            }
        }
        Judge(platelets, p.PlateletsLowerLimitPerNl);
        Judge(neutrophils, p.NeutrophilsLowerLimitPerNl);

        if (found.Count == 0)
        {
            return new IecHsCriterion(IecHsCriterionKind.IecHsCytopenia, false,
                $"new/worse cytopenia: not met — {string.Join("; ", checkedTexts)} (no fall of ≥ {Thousands(p.CytopeniaFallFraction * 100m)} % below the lower limit)", []);
        }
        var evidence = found.SelectMany(f => new[]
        {
            new Evidence(f.Before.Source, f.Before.Time, infusion is not null && f.Before.Time <= infusion.Time
                ? $"{LabTests.Name(f.Before.Test)} {Thousands(f.Before.Value)} ×10⁹/L at infusion (post-lymphodepletion baseline)"
                : $"earlier {LabTests.Name(f.Before.Test)} {Thousands(f.Before.Value)} ×10⁹/L"),
            new Evidence(f.Now.Source, f.Now.Time, f.Text),
        }).ToList();
        return new IecHsCriterion(IecHsCriterionKind.IecHsCytopenia, true, $"new/worse cytopenia: met — {string.Join("; ", found.Select(f => f.Text))}", evidence);
    }

    private static (decimal Value, string Label) Uln(LabResult r, decimal fallback) =>
        r.UpperLimitOfNormal is decimal u && u > 0m ? (u, "laboratory ULN") : (fallback, "default ULN");

    private static string OrganName(IecHsCriterion c) => c.Kind == IecHsCriterionKind.CarHlhHepatic ? "hepatic" : "renal";

    private static string FeatureName(IecHsCriterion c) => c.Kind switch
    {
        IecHsCriterionKind.IecHsTransaminases => "transaminitis",
        IecHsCriterionKind.IecHsFibrinogen => "hypofibrinogenaemia",
        _ => "new/worse cytopenia",
    };

    private static string Unit(LabTest t) => LabTests.Unit(t);




    // Hines 2023: IEC-HS begins as CRS resolves (or worsens after an initial response); the same
    // labs during untreated, still-rising CRS are CRS itself, which CARTOX carHLH covers.
    // ImprovingSince: the start of the first day after the worst day with a lower daily grade (or
    // the current window's start when the daily grades do not show it yet); null when there is no
    // CRS course to compare with.
    private static (bool Met, string? Note, DateTimeOffset? ImprovingSince) CrsTiming(CrsAssessment currentCrs, CrsCourse? course)
    {
        if (course is null) return (true, "IEC-HS timing not checked: no CAR-T infusion on record to follow the CRS course from.", null);
        var current = currentCrs.Grade ?? 0;
        if (course.MaxGrade is not { } max || max == 0) return (true, "IEC-HS features without any CRS since infusion: confirm the timing clinically.", null);
        if (current >= max)
        {
            return (false, $"IEC-HS features are present during CRS still at its worst (grade {current}); IEC-HS is defined by onset as CRS resolves — reassess as CRS improves (not flagged).", null);
        }
        var dayZero = new DateTimeOffset(course.InfusionTime.UtcDateTime.Date, TimeSpan.Zero);
        var better = course.Days.FirstOrDefault(d => d.Grade is { } g && g < max &&
            // Stryker disable once Equality : the day MaxGradeDay has grade max, so "g < max" already excludes it
            d.Day > course.MaxGradeDay);
        var since = better is null ? currentCrs.WindowStart : dayZero.AddDays(better.Day);
        return (true, $"IEC-HS timing: CRS has improved from grade {max} (day {course.MaxGradeDay}) to grade {current}; only results after {When(since)} that are worse than before it count.", since);
    }

    // A criterion judged on the results that emerged after CRS began improving: when results exist
    // but none emerged, it is not met and says why (not "no result", and nothing is "missing").
    private static IecHsCriterion Unless(List<IecHsCriterion> emergence, IecHsCriterionKind kind, List<LabResult>[] emerged, Func<IecHsCriterion> judge)
    {
        var reasons = emergence.Where(e => e.Kind == kind).ToList();
        if (reasons.Count == 0 || emerged.Any(l => l.Count > 0)) return judge();
        var name = kind switch
        {
            IecHsCriterionKind.IecHsFerritin => "ferritin",
            IecHsCriterionKind.IecHsTransaminases => "transaminitis",
            IecHsCriterionKind.IecHsFibrinogen => "hypofibrinogenaemia",
            _ => "new/worse cytopenia",
        };
        return new IecHsCriterion(kind, false, $"{name}: not met — {string.Join("; ", reasons.Select(r => r.Description))}", reasons.SelectMany(r => r.Evidence).ToList());
    }

    private static IecHsCriterionKind KindOf(LabTest t) => t switch
    {
        LabTest.Ferritin => IecHsCriterionKind.IecHsFerritin,
        LabTest.Alt or LabTest.Ast => IecHsCriterionKind.IecHsTransaminases,
        LabTest.Fibrinogen => IecHsCriterionKind.IecHsFibrinogen,
        _ => IecHsCriterionKind.IecHsCytopenia,
    };
}
