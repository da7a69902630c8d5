using System.Globalization;
using CarTCds.Rules.Facts;
using static CarTCds.Rules.ClinicalText;

namespace CarTCds.Rules.Monitoring;

/// <summary>Monitoring advice after CAR-T infusion (docs/CLINICAL-RULES.md §4): neurological assessment
/// gaps, seizure prophylaxis, immunoglobulin replacement, relapse risk and post-infusion logistics.</summary>
/// <remarks>
/// Pure: facts and the evaluation time in, advice out. Records dated after the evaluation time are
/// ignored. "The infusion" is the latest <see cref="CarTInfusion"/> at or before the evaluation time;
/// "day N" is the calendar day after it (<see cref="CarTInfusion.CalendarDayAfter"/>, as on the CRS and ICANS cards). Every threshold is
/// in <see cref="MonitoringParameters"/>; the ICE-vs-CAPD age cut-off is
/// <see cref="Icans.IcansParameters.CapdMaxAgeYears"/> and the weight staleness limit
/// <see cref="Orders.OrderCheckParameters.WeightStaleAfter"/>, so each is configured in one place.
/// </remarks>
public static class MonitoringAdvice
{
    /// <summary>All monitoring advice that applies at <paramref name="at"/>.</summary>
    /// <param name="facts">The patient's facts; records after <paramref name="at"/> are ignored.</param>
    /// <param name="at">The evaluation time (the request's time, never the wall clock).</param>
    /// <param name="rules">The rule set.</param>
    /// <returns>Items ordered warnings first, then in rule order: neuro assessment, seizure
    /// prophylaxis, IgG, relapse risk, logistics. Without an infusion on record only seizure
    /// prophylaxis can apply (before a planned infusion).</returns>
    public static MonitoringAssessment Assess(ClinicalFacts facts, DateTimeOffset at, RuleSet rules)
    {
        var infusion = facts.LatestInfusion(at);
        int? day = infusion is null ? null : DayAfterInfusion(infusion.Time, at);
        var missing = new List<string>();
        var notes = new List<string>();
        if (infusion is null)
        {
            notes.Add("No CAR-T infusion on record: post-infusion monitoring advice is not given; seizure prophylaxis is advised ahead of a planned infusion when indicated.");
        }

        var items = new List<MonitoringItem?>
        {
            NeuroAssessment(facts, at, rules, infusion, day),
            SeizureProphylaxis(facts, at, rules, infusion, day),
            IgGReplacement(facts, at, rules, infusion, day, missing, notes),
            RelapseRisk(facts, at, rules, infusion, day, missing),
            Logistics(rules.Monitoring, infusion, day, facts.BirthDate is { } birth ? Age.CompletedYears(birth, DateOnly.FromDateTime(at.UtcDateTime)) : null),
        };

        var ordered = items.OfType<MonitoringItem>().OrderByDescending(i => i.Severity).ToList();
        return new MonitoringAssessment(at, infusion, day, ordered, missing, notes);
    }

    /// <summary>Calendar day (UTC) of <paramref name="at"/> after the day of <paramref name="infusion"/>
    /// (day 0); see <see cref="CarTInfusion.CalendarDayAfter"/>.</summary>
    public static int DayAfterInfusion(DateTimeOffset infusion, DateTimeOffset at) => CarTInfusion.CalendarDayAfter(infusion, at);

    // ── 1. ICE/CAPD overdue ────────────────────────────────────────────────────────────────
    // docs/CLINICAL-RULES.md §4 "ICE/CAPD at least twice daily while at risk" [V]; Mahadeo et al. 2019.

    private sealed record NeuroScore(DateTimeOffset Time, string Description, string Source);

    private static MonitoringItem? NeuroAssessment(ClinicalFacts facts, DateTimeOffset at, RuleSet rules, CarTInfusion? infusion, int? day)
    {
        var p = rules.Monitoring;
        if (infusion is null || day > p.NeuroMonitoringDays) return null;
        // Intubated/sedated: ICE and CAPD cannot be done, the ICANS card says "not gradable"; an
        // "overdue" card would ask for the impossible.
        if (Icans.IcansGrading.IsIntubatedOrSedated(facts, at, rules)) return null;

        var last = facts.IceScores.Where(s => s.Time <= at).Select(s => new NeuroScore(s.Time, $"ICE {s.Score}/10", s.Source))
            .Concat(facts.CapdScores.Where(s => s.Time <= at).Select(s => new NeuroScore(s.Time, $"CAPD {s.Score}/32", s.Source)))
            .MaxBy(s => s.Time);
        if (last is not null && at - last.Time < p.NeuroAssessmentInterval) return null;

        var missing = new List<string>();
        var (tool, toolWhy) = NeuroTool(facts, at, rules, missing);
        var every = Hours(p.NeuroAssessmentInterval);
        missing.Insert(0, $"{(tool.StartsWith('I') ? "an" : "a")} {tool} score in the last {every} h");

        var evidence = new List<Evidence> { InfusionEvidence(infusion) };
        string summary;
        string lastText;
        if (last is null)
        {
            summary = $"{tool} overdue: none on record; day {day} after CAR-T infusion, assess at least every {every} h";
            lastText = "No ICE or CAPD score is on record.";
        }
        else
        {
            var ago = Ago(at - last.Time);
            var baseline = last.Time < infusion.Time ? ", before infusion" : "";
            summary = $"{tool} overdue: last neuro assessment {ago} ago ({last.Description}); day {day} after CAR-T, assess every {every} h";
            lastText = $"Last assessment: {last.Description} at {When(last.Time)} ({ago} ago{baseline}).";
            evidence.Add(new Evidence(last.Source, last.Time, $"{last.Description} ({ago} before evaluation)"));
        }

        var detail =
            $"{lastText} While at risk of ICANS (day 0–{p.NeuroMonitoringDays} after CAR-T infusion; today is day {day}), " +
            $"assess {toolWhy} at least twice daily, i.e. every {every} h, so that ICANS is graded and treated early. " +
            "A score charted elsewhere but not recorded as an observation is not seen by this rule.";

        return new MonitoringItem(MonitoringCodes.NeuroAssessmentOverdue, MonitoringSeverity.Warning, summary, detail,
            Ordered(evidence), missing,
            new MonitoringSource("Mahadeo KM et al., Nat Rev Clin Oncol 2019 (ICE/CAPD at least twice daily while at risk)", MahadeoUrl));
    }

    private static (string Tool, string Why) NeuroTool(ClinicalFacts facts, DateTimeOffset at, RuleSet rules, List<string> missing)
    {
        var capdMax = rules.Icans.CapdMaxAgeYears;
        if (facts.BirthDate is not { } birth)
        {
            missing.Add("Patient.birthDate (decides ICE or CAPD)");
            return ("ICE/CAPD", $"ICE (age > {capdMax}) or CAPD (age ≤ {capdMax}; age unknown)");
        }
        var age = Age.CompletedYears(birth, DateOnly.FromDateTime(at.UtcDateTime));
        return age <= capdMax
            ? ("CAPD", $"CAPD (age {age} y ≤ {capdMax})")
            : ("ICE", $"ICE (age {age} y > {capdMax})");
    }

    // ── 2. Seizure prophylaxis ─────────────────────────────────────────────────────────────
    // Mahadeo et al. 2019 (levetiracetam 10 mg/kg, max 500 mg, q12h × 30 days) [S];
    // seed 003 (Hucks & Rheingold 2019): "most experts recommend levetiracetam for 30–60 days".

    private static MonitoringItem? SeizureProphylaxis(ClinicalFacts facts, DateTimeOffset at, RuleSet rules, CarTInfusion? infusion, int? day)
    {
        var p = rules.Monitoring;
        if (infusion is not null && day > p.NeuroMonitoringDays) return null;

        var cns = facts.CnsStatus.Where(c => c.Time <= at && c.Status is CnsStatus.Cns2 or CnsStatus.Cns3).MaxBy(c => c.Time);
        var disorder = facts.NotableConditions.FirstOrDefault(c => c.Kind == NotableConditionKind.SeizureDisorder);
        var seizureBefore = facts.Seizures.Where(s => s.Time <= at && (infusion is null || s.Time < infusion.Time)).MaxBy(s => s.Time);
        if (cns is null && disorder is null && seizureBefore is null) return null;

        var levetiracetam = facts.Administrations.Where(a => a.Drug == Drug.Levetiracetam && a.Start <= at).ToList();
        if (levetiracetam.Any(a => a.IsOngoing || (a.End ?? a.Start) >= at - p.LevetiracetamCurrentWithin)) return null;
        var lastGiven = levetiracetam.MaxBy(a => a.End ?? a.Start);

        var evidence = new List<Evidence>();
        var reasons = new List<string>();
        if (infusion is not null) evidence.Add(InfusionEvidence(infusion));
        if (cns is not null)
        {
            var name = CnsName(cns.Status);
            reasons.Add($"{name} disease on {Date(cns.Time)}");
            evidence.Add(new Evidence(cns.Source, cns.Time, $"{name} disease (CNS involvement by leukaemia)"));
        }
        if (disorder is not null)
        {
            reasons.Add("a seizure disorder");
            evidence.Add(new Evidence(disorder.Source, null, "seizure disorder"));
        }
        if (seizureBefore is not null)
        {
            reasons.Add($"a seizure on {Date(seizureBefore.Time)}{(infusion is null ? "" : ", before infusion")}");
            evidence.Add(new Evidence(seizureBefore.Source, seizureBefore.Time, "seizure" + (infusion is null ? "" : " before CAR-T infusion")));
        }
        var why = cns is not null && (disorder is not null || seizureBefore is not null) ? $"{CnsName(cns.Status)} disease and seizure history"
            : cns is not null ? $"{CnsName(cns.Status)} disease"
            : "seizure history";

        var missing = new List<string>();
        var (dose, doseText, noDoseReason) = LevetiracetamDose(facts, at, rules, evidence, missing);
        var q = $"q{Hours(p.LevetiracetamInterval)}h";
        var perKg = $"{Num(p.LevetiracetamMgPerKg)} mg/kg, max {Num(p.LevetiracetamMaxDoseMg)} mg";
        var summary = dose.DoseMg is { } mg
            ? $"Consider levetiracetam {Num(mg)} mg {q} for {p.LevetiracetamDays} days ({perKg}): {why}"
            : $"Consider levetiracetam {perKg.Replace(", max", " (max", StringComparison.Ordinal)}) {q} for {p.LevetiracetamDays} days ({noDoseReason}): {why}";

        var timing = infusion is null
            ? "No CAR-T infusion is on record yet: plan it to start with the infusion."
            : $"Today is day {day} after CAR-T infusion (at-risk window day 0–{p.NeuroMonitoringDays}).";
        var previous = lastGiven is null ? ""
            : $" Levetiracetam was last given {When(lastGiven.End ?? lastGiven.Start)}, more than {Hours(p.LevetiracetamCurrentWithin)} h ago: check whether it was stopped on purpose.";
        if (lastGiven is not null) evidence.Add(new Evidence(lastGiven.Source, lastGiven.Start, $"levetiracetam{(lastGiven.DoseMg is { } d ? $" {Num(d)} mg" : "")} given"));

        var detail =
            $"Risk factors: {string.Join("; ", reasons)}. Seizure prophylaxis is reasonable to consider (not mandated) for children with CNS disease or a seizure history: " +
            $"levetiracetam {perKg}, {q}, for {p.LevetiracetamDays} days after infusion (Mahadeo 2019; seed 003: 30–60 days). {doseText} " +
            $"Adjust for renal impairment. {timing}{previous}";

        return new MonitoringItem(MonitoringCodes.SeizureProphylaxis, MonitoringSeverity.Info, summary, detail, Ordered(evidence), missing,
            new MonitoringSource("Mahadeo KM et al., Nat Rev Clin Oncol 2019; Hucks & Rheingold, Blood Cancer J 2019 (seed 003)", MahadeoUrl))
        {
            Dose = dose,
        };
    }

    private static (DoseSuggestion Dose, string Text, string? NoDoseReason) LevetiracetamDose(ClinicalFacts facts, DateTimeOffset at, RuleSet rules, List<Evidence> evidence, List<string> missing)
    {
        var p = rules.Monitoring;
        var weights = facts.Weights.Where(w => w.Time <= at && w.Kilograms > 0m).ToList();
        var latest = weights.MaxBy(w => w.Time);
        if (latest is null)
        {
            missing.Add("body weight (LOINC 29463-7) for the levetiracetam dose");
            return (new DoseSuggestion(Drug.Levetiracetam, null, p.LevetiracetamMgPerKg, p.LevetiracetamMaxDoseMg, p.LevetiracetamInterval, p.LevetiracetamDays, null, false),
                "No body weight on record: the dose is not computed.", "no weight on record");
        }

        var sameTime = weights.Where(w => w.Time == latest.Time).ToList();
        if (sameTime.Select(w => w.Kilograms).Distinct().Count() > 1)
        {
            foreach (var w in sameTime) evidence.Add(new Evidence(w.Source, w.Time, $"body weight {Num(w.Kilograms)} kg"));
            missing.Add("one current body weight (conflicting weights at the same time)");
            var list = string.Join(" and ", sameTime.Select(w => $"{Num(w.Kilograms)} kg"));
            return (new DoseSuggestion(Drug.Levetiracetam, null, p.LevetiracetamMgPerKg, p.LevetiracetamMaxDoseMg, p.LevetiracetamInterval, p.LevetiracetamDays, null, false),
                $"Conflicting body weights at {When(latest.Time)} ({list}): the dose is not computed.", "conflicting weights");
        }

        var stale = at - latest.Time > rules.Orders.WeightStaleAfter;
        var mg = Math.Min(p.LevetiracetamMgPerKg * latest.Kilograms, p.LevetiracetamMaxDoseMg);
        var capped = p.LevetiracetamMgPerKg * latest.Kilograms > p.LevetiracetamMaxDoseMg;
        evidence.Add(new Evidence(latest.Source, latest.Time, $"body weight {Num(latest.Kilograms)} kg{(stale ? " (stale)" : "")}"));
        if (stale) missing.Add($"a current body weight (latest is {Ago(at - latest.Time)} old)");
        var text = $"Dose {Num(mg)} mg = " + (capped
            ? $"the {Num(p.LevetiracetamMaxDoseMg)} mg cap ({Num(p.LevetiracetamMgPerKg)} mg/kg × {Num(latest.Kilograms)} kg = {Num(p.LevetiracetamMgPerKg * latest.Kilograms)} mg)"
            : $"{Num(p.LevetiracetamMgPerKg)} mg/kg × {Num(latest.Kilograms)} kg") +
            $", weight of {Date(latest.Time)}" + (stale ? $", which is {Ago(at - latest.Time)} old: weigh again." : ".");
        return (new DoseSuggestion(Drug.Levetiracetam, mg, p.LevetiracetamMgPerKg, p.LevetiracetamMaxDoseMg, p.LevetiracetamInterval, p.LevetiracetamDays, latest, stale), text, null);
    }

    // ── 3. IgG ─────────────────────────────────────────────────────────────────────────────
    // docs/CLINICAL-RULES.md §4 "consider replacement if IgG < 400 mg/dL (with infections)" [V];
    // Hill JA et al., Blood Rev 2019: consider IgG replacement at IgG ≤ 400 mg/dL after CAR-T.

    private static MonitoringItem? IgGReplacement(ClinicalFacts facts, DateTimeOffset at, RuleSet rules, CarTInfusion? infusion, int? day,
        List<string> assessmentMissing, List<string> notes)
    {
        var p = rules.Monitoring;
        if (infusion is null) return null;

        // Any infusion on record starts B-cell aplasia: an IgG after the first one counts, so a
        // re-infusion does not hide a low IgG measured a few days before it.
        var first = facts.Infusions.Where(i => i.Time <= at).MinBy(i => i.Time)!;
        var results = facts.Labs.Where(l => l.Test == LabTest.IgG && l.Time > first.Time && l.Time <= at).ToList();
        if (results.Count == 0)
        {
            assessmentMissing.Add("IgG (LOINC 2465-3) since CAR-T infusion: monitor IgG while B-cell aplasia lasts");
            return null;
        }

        var latestTime = results.Max(l => l.Time);
        var sameTime = results.Where(l => l.Time == latestTime).ToList();
        var latest = sameTime.MinBy(l => l.Value)!;
        var conflicting = sameTime.Select(l => l.Value).Distinct().Count() > 1;
        if (conflicting)
        {
            notes.Add($"Conflicting IgG results at {When(latestTime)} ({string.Join(", ", sameTime.Select(l => $"{Num(l.Value)} mg/dL"))}): the lowest is used.");
        }

        var low = p.IgGThresholdInclusive ? latest.Value <= p.IgGThresholdMgPerDl : latest.Value < p.IgGThresholdMgPerDl;
        if (!low) return null;

        var op = p.IgGThresholdInclusive ? "≤" : "<";
        var iggDay = DayAfterInfusion(first.Time, latest.Time);
        var summary = $"IgG {Num(latest.Value)} mg/dL ({op} {Num(p.IgGThresholdMgPerDl)}) after CAR-T: consider immunoglobulin replacement, especially with infections";
        var evidence = new List<Evidence> { InfusionEvidence(first) };
        evidence.AddRange(sameTime.Select(l => new Evidence(l.Source, l.Time, $"IgG {Num(l.Value)} mg/dL ({op} {Num(p.IgGThresholdMgPerDl)} mg/dL)")));
        var detail =
            $"Latest IgG {Num(latest.Value)} mg/dL on {Date(latest.Time)} (day {iggDay} after the first CAR-T infusion; {Ago(at - latest.Time)} ago)" +
            (conflicting ? ", the lowest of conflicting results at that time" : "") + ". " +
            "B-cell aplasia after CD19-directed CAR-T causes hypogammaglobulinaemia; consider immunoglobulin replacement, especially with serious or recurrent infections (Hill 2019). " +
            "Infections and immunoglobulin already given are not read by this rule: check whether replacement is already running.";

        return new MonitoringItem(MonitoringCodes.IgGReplacement, MonitoringSeverity.Info, summary, detail, Ordered(evidence), [],
            new MonitoringSource("Hill JA et al., Blood Rev 2019 (IgG replacement after CAR-T)", "https://doi.org/10.1016/j.blre.2019.100596"));
    }

    // ── 4. Relapse risk ────────────────────────────────────────────────────────────────────
    // docs/CLINICAL-RULES.md §4: loss of B-cell aplasia (CD19+ B cells > 1 % or ≥ 100 cells/µL,
    // confirmed) or positive MRD in the first year → high relapse risk [V]; Pulsipher MA et al.,
    // Blood Cancer Discov 2022; seed 003: 23–28 % of relapses are CD19-negative.

    private sealed record BCellSample(DateTimeOffset Time, IReadOnlyList<LabResult> Results, bool Lost);

    private static MonitoringItem? RelapseRisk(ClinicalFacts facts, DateTimeOffset at, RuleSet rules, CarTInfusion? infusion, int? day, List<string> assessmentMissing)
    {
        var p = rules.Monitoring;
        if (infusion is null || day > p.RelapseSurveillanceDays) return null;

        var from = infusion.Time + TimeSpan.FromDays(p.BCellRecoveryFromDay);
        bool Lost(LabResult l) => l.Test == LabTest.Cd19Count ? l.Value >= p.Cd19CountLossPerMicrolitre : l.Value > p.Cd19PercentLoss;
        var samples = facts.Labs
            .Where(l => l.Test is LabTest.Cd19Count or LabTest.Cd19Percent && l.Time > infusion.Time && l.Time >= from && l.Time <= at)
            .GroupBy(l => l.Time)
            .OrderBy(g => g.Key)
            .Select(g => new BCellSample(g.Key, g.ToList(), g.Any(Lost)))
            .ToList();
        if (samples.Count == 0 && day >= p.BCellRecoveryFromDay)
        {
            assessmentMissing.Add($"CD19+ B cells (LOINC 8116-6 count or 8117-4 %) since day {p.BCellRecoveryFromDay} after infusion: B-cell aplasia is not being followed");
        }

        // Confirmed: two consecutive samples both meet the threshold (the latest such pair).
        // Unconfirmed: only the latest sample meets it.
        (BCellSample First, BCellSample Second)? confirmed = null;
        for (var i = samples.Count - 1; i >= 1 && confirmed is null; i--)
        {
            if (samples[i].Lost && samples[i - 1].Lost) confirmed = (samples[i - 1], samples[i]);
        }
        var unconfirmed = confirmed is null && samples.Count > 0 && samples[^1].Lost ? samples[^1] : null;

        // Disease status: the latest event after infusion decides; a later remission supersedes an earlier MRD.
        var status = facts.DiseaseStatus.Where(s => s.Time > infusion.Time && s.Time <= at).MaxBy(s => s.Time);
        var disease = status is not null && status.Status != DiseaseStatus.Remission ? status : null;

        if (confirmed is null && unconfirmed is null && disease is null) return null;

        var evidence = new List<Evidence> { InfusionEvidence(infusion) };
        var findings = new List<string>();
        var parts = new List<string>();
        if (confirmed is { } pair)
        {
            var shown = KeyValue(pair.Second, Lost);
            parts.Add($"B-cell aplasia lost ({shown}, confirmed)");
            findings.Add($"Loss of B-cell aplasia, confirmed by two consecutive results ({Describe(pair.First)} on day {DayAfterInfusion(infusion.Time, pair.First.Time)}; {Describe(pair.Second)} on day {DayAfterInfusion(infusion.Time, pair.Second.Time)})." +
                (!ReferenceEquals(samples[^1], pair.Second) && !samples[^1].Lost ? $" The latest result ({Describe(samples[^1])}) is below the threshold." : ""));
            evidence.AddRange(pair.First.Results.Concat(pair.Second.Results).Select(l => LabEvidence(l, Lost(l), p)));
            if (!ReferenceEquals(samples[^1], pair.Second)) evidence.AddRange(samples[^1].Results.Select(l => LabEvidence(l, Lost(l), p)));
        }
        else if (unconfirmed is not null)
        {
            parts.Add($"B-cell aplasia lost ({KeyValue(unconfirmed, Lost)}, unconfirmed: repeat to confirm)");
            findings.Add($"Possible loss of B-cell aplasia: {Describe(unconfirmed)} on day {DayAfterInfusion(infusion.Time, unconfirmed.Time)}, a single result — unconfirmed: repeat the CD19 B-cell count to confirm.");
            evidence.AddRange(unconfirmed.Results.Select(l => LabEvidence(l, Lost(l), p)));
        }
        if (disease is not null)
        {
            var name = StatusName(disease.Status);
            parts.Add(name);
            findings.Add($"{char.ToUpperInvariant(name[0])}{name[1..]} on {Date(disease.Time)} (day {DayAfterInfusion(infusion.Time, disease.Time)} after infusion).");
            evidence.Add(new Evidence(disease.Source, disease.Time, $"{name} after CAR-T infusion"));
        }
        var cd19Negative = facts.Cd19Expression.Where(c => c.Time > infusion.Time && c.Time <= at && c.Status is Cd19Status.Negative or Cd19Status.Dim).MaxBy(c => c.Time);
        if (cd19Negative is not null)
        {
            var word = cd19Negative.Status == Cd19Status.Negative ? "negative" : "dim";
            findings.Add($"Blasts CD19-{word} on {Date(cd19Negative.Time)}: CD19-directed therapy may not work.");
            evidence.Add(new Evidence(cd19Negative.Source, cd19Negative.Time, $"blasts CD19-{word}"));
        }

        const string tail = "; MRD must detect CD19-negative blasts";
        var summary = $"High relapse risk: {string.Join("; ", parts)}{tail}";
        if (summary.Length >= 140) summary = $"High relapse risk: B-cell aplasia lost{(confirmed is null ? " (unconfirmed)" : "")} and {parts[^1]}{tail}";

        var detail =
            $"{string.Join(" ", findings)} Loss of B-cell aplasia (CD19+ B cells ≥ {Num(p.Cd19CountLossPerMicrolitre)}/µL or > {Num(p.Cd19PercentLoss)} %, from day {p.BCellRecoveryFromDay}) " +
            $"signals loss of functional CAR-T cells; it and detectable MRD in the first {p.RelapseSurveillanceDays} days after infusion predict relapse (Pulsipher 2022). " +
            "About 23–28 % of relapses after CD19 CAR-T are CD19-negative (seed 003): MRD surveillance must use a method that detects CD19-negative blasts " +
            "(e.g. NGS-MRD, or flow cytometry not gated on CD19). Discuss relapse prevention (e.g. transplant, re-infusion) with the treating centre.";

        return new MonitoringItem(MonitoringCodes.RelapseRisk, MonitoringSeverity.Warning, summary, detail, Ordered(evidence), [],
            new MonitoringSource("Pulsipher MA et al., Blood Cancer Discov 2022; Hucks & Rheingold, Blood Cancer J 2019 (seed 003)", "https://pmc.ncbi.nlm.nih.gov/articles/PMC9924295"));
    }

    private static string KeyValue(BCellSample s, Func<LabResult, bool> lost)
    {
        // Prefer the absolute count when it meets the threshold; otherwise the percentage.
        var r = s.Results.Where(lost).OrderBy(l => l.Test == LabTest.Cd19Count ? 0 : 1).First();
        return CellValue(r);
    }

    private static string Describe(BCellSample s) =>
        string.Join(", ", s.Results.OrderBy(l => l.Test == LabTest.Cd19Count ? 0 : 1).Select(CellValue));

    private static string CellValue(LabResult l) =>
        l.Test == LabTest.Cd19Count ? $"CD19+ {Num(l.Value)}/µL" : $"CD19+ {Num(l.Value)} %";

    private static Evidence LabEvidence(LabResult l, bool lost, MonitoringParameters p) =>
        new(l.Source, l.Time, l.Test == LabTest.Cd19Count
            ? $"CD19+ B cells {Num(l.Value)} cells/µL ({(lost ? "≥" : "<")} {Num(p.Cd19CountLossPerMicrolitre)})"
            : $"CD19+ B cells {Num(l.Value)} % of lymphocytes ({(lost ? ">" : "≤")} {Num(p.Cd19PercentLoss)} %)");

    private static string StatusName(DiseaseStatus s) => s switch
    {
        DiseaseStatus.MrdPositive => "MRD positive",
        DiseaseStatus.Relapse => "relapse",
        DiseaseStatus.RefractoryRelapse => "refractory relapse",
        DiseaseStatus.PrimaryRefractory => "refractory disease",
        _ => s.ToString().ToLowerInvariant(),
    };

    // ── 5. Post-infusion logistics ─────────────────────────────────────────────────────────
    // Kymriah US prescribing information, June 2025 update (REMS removed): stay within 2 h of the
    // treating centre and do not drive for at least 2 weeks [S] (previously 4 and 8 weeks).

    // The label's driving advice is for patients who drive: a child too young for any learner's permit
    // (MonitoringParameters.DrivingAdviceFromAgeYears) gets the caregiver wording; age unknown → the label's.
    private static MonitoringItem? Logistics(MonitoringParameters p, CarTInfusion? infusion, int? day, int? ageYears)
    {
        if (infusion is null || day is not { } d || d < 0) return null;
        var near = d <= p.LogisticsDays;
        var noDriving = d <= p.NoDrivingDays;
        if (!near && !noDriving) return null;
        var child = ageYears is { } age && age < p.DrivingAdviceFromAgeYears;

        var stay = child ? $"keep the child within {Num(p.ProximityHours)} h of the treating centre" : $"stay within {Num(p.ProximityHours)} h of the treating centre";
        var drive = child ? "supervise closely (no hazardous play)" : "no driving or machinery";
        string action = near && noDriving
            ? p.LogisticsDays == p.NoDrivingDays
                ? $"{stay} and {drive} through day {p.LogisticsDays}"
                : $"{stay} through day {p.LogisticsDays}; {drive} through day {p.NoDrivingDays}"
            : near ? $"{stay} through day {p.LogisticsDays}"
            : $"{drive} through day {p.NoDrivingDays}";
        var summary = $"Day {d} after CAR-T: {(child ? "caregivers " : "")}{action}";

        var hazards = child
            ? $"avoid hazardous activities for at least {p.NoDrivingDays} days (through {Date(infusion.Time.AddDays(p.NoDrivingDays))}). At age {ageYears} the label's advice " +
              $"not to drive does not apply (it is for patients who drive; the youngest learner's-permit age in the US is {p.DrivingAdviceFromAgeYears}): caregivers keep the " +
              "child close to the centre, supervise play that could hurt a child who became confused or had a seizure (climbing, cycling, swimming), "
            : $"not drive, operate heavy machinery or do other hazardous activities for at least {p.NoDrivingDays} days (through {Date(infusion.Time.AddDays(p.NoDrivingDays))}); a caregiver should ";
        var detail =
            $"Kymriah US label ({p.LabelVersion}, after the June 2025 removal of the REMS): the patient should stay within {Num(p.ProximityHours)} hours of the treating centre " +
            $"for at least {p.LogisticsDays} days after infusion (through {Date(infusion.Time.AddDays(p.LogisticsDays))}) and {hazards}" +
            $"watch for fever, confusion or seizures and seek care at once. Today is day {d}. Labels before June 2025 said 4 weeks near the centre and 8 weeks without driving.";

        return new MonitoringItem(MonitoringCodes.PostInfusionLogistics, MonitoringSeverity.Info, summary, detail, [InfusionEvidence(infusion)], [],
            new MonitoringSource($"Kymriah (tisagenlecleucel) US prescribing information, {p.LabelVersion}", KymriahUrl));
    }

    // ── helpers ────────────────────────────────────────────────────────────────────────────

    private const string MahadeoUrl = "https://doi.org/10.1038/s41571-018-0075-2";
    private const string KymriahUrl = "https://www.fda.gov/vaccines-blood-biologics/cellular-gene-therapy-products/kymriah-tisagenlecleucel";

    private static Evidence InfusionEvidence(CarTInfusion i) => new(i.Source, i.Time, $"CAR-T infusion {When(i.Time)} (day 0)");

    private static IReadOnlyList<Evidence> Ordered(List<Evidence> evidence) =>
        evidence.DistinctBy(e => (e.Source, e.Description)).OrderBy(e => e.Time ?? DateTimeOffset.MinValue).ToList();

    private static string CnsName(CnsStatus s) => s switch
    {
        CnsStatus.Cns1 => "CNS1",
        CnsStatus.Cns2 => "CNS2",
        CnsStatus.Cns3 => "CNS3",
        _ => s.ToString(),
    };



    private static string Ago(TimeSpan t) => t < TimeSpan.FromHours(48)
        ? $"{Hours(t)} h"
        : $"{t.TotalDays.ToString("0", CultureInfo.InvariantCulture)} days";

}
