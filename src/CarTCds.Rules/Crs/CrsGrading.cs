using System.Globalization;
using CarTCds.Rules.Facts;
using static CarTCds.Rules.ClinicalText;

namespace CarTCds.Rules.Crs;

/// <summary>ASTCT consensus CRS grading.</summary>
/// <remarks>
/// <see href="https://doi.org/10.1016/j.bbmt.2018.12.758">Lee DW et al. ASTCT Consensus Grading for
/// Cytokine Release Syndrome and Neurologic Toxicity. Biol Blood Marrow Transplant 2019;25:625–638</see>,
/// Table 5 (docs/CLINICAL-RULES.md §1). Grade = fever (or masked fever) plus the more severe of
/// hypotension and hypoxia, over <see cref="CrsParameters.LookBack"/>. Paediatric hypotension by age:
/// Mahadeo et al., Nat Rev Clin Oncol 2019, Table 2.
/// </remarks>
public static class CrsGrading
{
    /// <summary>Grades CRS over (<paramref name="at"/> − LookBack, <paramref name="at"/>].</summary>
    /// <param name="facts">The patient's facts; records after <paramref name="at"/> are ignored.</param>
    /// <param name="at">The evaluation time (the request's time, never the wall clock).</param>
    /// <param name="rules">The rule set.</param>
    public static CrsAssessment Assess(ClinicalFacts facts, DateTimeOffset at, RuleSet rules) =>
        Assess(facts, at - rules.Crs.LookBack, at, rules);

    /// <summary>Grades CRS over an explicit window (<paramref name="from"/>, <paramref name="at"/>]
    /// (e.g. one calendar day of the course since infusion).</summary>
    public static CrsAssessment Assess(ClinicalFacts facts, DateTimeOffset from, DateTimeOffset at, RuleSet rules) =>
        Assess(facts, CrsWindowRecords.Of(facts), from, at, rules, course: null);

    /// <summary>Grades CRS over (<paramref name="from"/>, <paramref name="at"/>] reading the
    /// time-stamped records from <paramref name="records"/>, which must hold every record of
    /// <paramref name="facts"/> inside the window, in the facts' own order (more is allowed: the window is
    /// applied here). Fever masking reads the whole CRS episode: from <paramref name="course"/> when
    /// grading the course since infusion day by day, otherwise from <paramref name="facts"/>.</summary>
    internal static CrsAssessment Assess(ClinicalFacts facts, CrsWindowRecords records, DateTimeOffset from, DateTimeOffset at, RuleSet rules,
        CrsEpisodes.CourseEpisodes? course) =>
        Assess(facts, records, from, at, rules, course, describe: true).Assessment!;

    /// <summary>The grade alone of <see cref="Assess(ClinicalFacts, CrsWindowRecords, DateTimeOffset, DateTimeOffset, RuleSet, CrsEpisodes.CourseEpisodes?)"/>
    /// (the same decisions), without the words and evidence that explain it: the course since
    /// infusion grades every day and its readers use only the days' grades (the texts of every day
    /// were most of what a hook call allocated: tests/load/README.md "Run O").</summary>
    internal static int? Grade(ClinicalFacts facts, CrsWindowRecords records, DateTimeOffset from, DateTimeOffset at, RuleSet rules,
        CrsEpisodes.CourseEpisodes? course) =>
        Assess(facts, records, from, at, rules, course, describe: false).Grade;

    // describe: false decides the same grade but builds no text, evidence or assessment (the notes,
    // missing data and drivers lists stay null, so their `?.Add` arguments are never formatted).
    private static (int? Grade, CrsAssessment? Assessment) Assess(ClinicalFacts facts, CrsWindowRecords records, DateTimeOffset from, DateTimeOffset at, RuleSet rules,
        CrsEpisodes.CourseEpisodes? course, bool describe)
    {
        var p = rules.Crs;
        var notes = describe ? new List<string>() : null;
        var missing = describe ? new List<string>() : null;

        // ASTCT 2019: CRS is a response *following* immune-effector therapy. Nothing charted at or
        // before the CAR-T infusion counts (a fever or low pressure that morning is something else),
        // so the window starts at the infusion when the infusion falls inside it.
        var pressorFrom = from;
        if (facts.LatestInfusion(at) is { } infusion && infusion.Time >= from)
        {
            from = infusion.Time;
            pressorFrom = from.AddTicks(1);
            notes?.Add($"The window starts at the CAR-T infusion ({When(infusion.Time)}): findings before it do not count toward CRS.");
        }
        // One delegate for the three domains (a local function passed three times made three).
        Func<DateTimeOffset, bool> inWindow = t => t > from && t <= at;

        var fever = AssessFever(facts, records, course, at, p, inWindow, describe);
        var hypotension = AssessHypotension(facts, records, at, pressorFrom, p, inWindow, missing, notes, describe);
        var hypoxia = AssessHypoxia(records, p, inWindow, describe);

        var worst = Math.Max(hypotension?.Grade ?? 0, hypoxia?.Grade ?? 0);
        int? grade;
        var drivers = describe ? new List<string>() : null;
        if (fever.State == FeverState.Masked && worst == 0)
        {
            // Masking waives the fever criterion for grading hypotension and hypoxia; it is not
            // itself evidence of CRS. Grade 1 needs a measured fever.
            grade = 0;
            notes?.Add($"Fever may be masked ({fever.Description}); no hypotension or hypoxia in the window, so no CRS grade is supported.");
        }
        else if (fever.MeetsCriterion)
        {
            grade = Math.Max(1, worst);
            if (grade == 1) drivers?.Add(fever.Description);
            else
            {
                if (hypotension?.Grade == worst) drivers?.Add(hypotension.Description);
                if (hypoxia?.Grade == worst) drivers?.Add(hypoxia.Description);
            }
        }
        else if (fever.State == FeverState.NoTemperature)
        {
            // Without a temperature, neither "CRS" nor "no CRS" can be said honestly.
            grade = null;
            missing?.Add($"body temperature (LOINC 8310-5) in the {Hours(at - from)} h before evaluation{(fever.LeftOut.Count > 0 ? $" ({string.Join(", ", fever.LeftOut)} was left out)" : "")}");
            if (worst > 0) notes?.Add("Hypotension or hypoxia is present: record a temperature to grade CRS.");
        }
        else
        {
            grade = 0;
            if (fever.LeftOut.Count > 0)
            {
                notes?.Add($"Graded on the usable temperatures only: {string.Join(", ", fever.LeftOut)} in the window was left out (see Left out); if it was a fever, CRS would be graded.");
            }
            if (worst > 0)
            {
                notes?.Add(fever.Masking is { } ended
                    ? $"Hypotension or hypoxia without fever: not CRS by ASTCT criteria; seek another cause (e.g. sepsis). {DrugGroups.Name(ended.Drug)} of {When(ended.DoseTime)} no longer waives fever: its CRS episode ended {When(ended.LastFinding + p.EpisodeEndsAfter)} ({Hours(p.EpisodeEndsAfter)} h without fever, hypotension or oxygen)."
                    : "Hypotension or hypoxia without fever and without tocilizumab, steroids or antipyretics: not CRS by ASTCT criteria; seek another cause (e.g. sepsis).");
            }
        }

        if (!describe) return (grade, null);

        var evidence = fever.Evidence
            .Concat(hypotension?.Evidence ?? [])
            .Concat(hypoxia?.Evidence ?? [])
            .DistinctBy(e => (e.Source, e.Description))
            .OrderBy(e => e.Time ?? DateTimeOffset.MinValue)
            .ToList();

        return (grade, new CrsAssessment(grade, from, at, fever, hypotension, hypoxia, drivers!, evidence, missing!, notes!));
    }

    // The fever findings of an undescribed grading (Assess with describe: false), one per state: only the state is read.
    private static readonly FeverFinding[] Undescribed = [.. Enum.GetValues<FeverState>().Select(s => new FeverFinding(s, "", []))];

    private static FeverFinding AssessFever(ClinicalFacts facts, CrsWindowRecords records, CrsEpisodes.CourseEpisodes? course, DateTimeOffset at,
        CrsParameters p, Func<DateTimeOffset, bool> inWindow, bool describe)
    {
        TemperatureReading? max = null;
        var temperatures = records.Temperatures;
        for (var i = 0; i < temperatures.Count; i++)
        {
            var t = temperatures[i];
            if (inWindow(t.Time) && (max is null || t.Celsius > max.Celsius)) max = t;
        }

        if (max is not null && max.Celsius >= p.FeverCelsius)
        {
            if (!describe) return Undescribed[(int)FeverState.Febrile];
            return new FeverFinding(FeverState.Febrile, $"fever {Celsius(max.Celsius)}",
                [new Evidence(max.Source, max.Time, $"temperature {Celsius(max.Celsius)} (fever ≥ {Celsius(p.FeverCelsius)})")]);
        }

        // ASTCT: "In patients who have CRS then receive antipyretic or anticytokine therapy such as
        // tocilizumab or steroids, fever is no longer required to grade subsequent CRS severity" —
        // within that CRS episode only (CrsEpisodes).
        var (masking, ended) = course?.FindMasking(at) ?? CrsEpisodes.FindMasking(facts, at, p);
        if (masking is not null)
        {
            if (!describe) return Undescribed[(int)FeverState.Masked];
            var ev = new List<Evidence>
            {
                new(masking.DoseSource, masking.DoseTime,
                    $"{DrugGroups.Name(masking.Drug)} given in the CRS episode since {When(masking.EpisodeStart)}: fever no longer required to grade CRS"),
            };
            if (max is not null) ev.Add(new Evidence(max.Source, max.Time, $"highest temperature {Celsius(max.Celsius)}"));
            return new FeverFinding(FeverState.Masked, $"fever masked by {DrugGroups.Name(masking.Drug)}", ev) { Masking = masking };
        }

        if (!describe) return Undescribed[(int)(max is null ? FeverState.NoTemperature : FeverState.Afebrile)];

        // A temperature left out in the window (bad unit, implausible value) may have been a fever:
        // never call the patient afebrile then; name what was left out instead.
        var leftOut = LeftOutTemperatures(facts, inWindow);
        var leftOutText = leftOut.Count == 0 ? "" : $"; {string.Join(", ", leftOut)} left out";
        return max is null
            ? new FeverFinding(FeverState.NoTemperature, leftOut.Count == 0 ? "no temperature recorded" : $"no usable temperature{leftOutText}", []) { Masking = ended, LeftOut = leftOut }
            : new FeverFinding(FeverState.Afebrile, leftOut.Count == 0 ? $"afebrile (max {Celsius(max.Celsius)})" : $"max {Celsius(max.Celsius)} of the usable temperatures{leftOutText}",
                [new Evidence(max.Source, max.Time, $"highest temperature {Celsius(max.Celsius)} (< {Celsius(p.FeverCelsius)})")]) { Masking = ended, LeftOut = leftOut };
    }

    // The temperatures in the window that the facts left out, by FHIR reference (apart from the
    // fever finding: a lambda capturing `inWindow` there would allocate its closure on every call).
    private static List<string> LeftOutTemperatures(ClinicalFacts facts, Func<DateTimeOffset, bool> inWindow) =>
        facts.Excluded.Where(e => e.Kind == RecordKind.Temperature && e.Time is { } t && inWindow(t)).Select(e => e.Source).ToList();

    private static CrsDomainFinding? AssessHypotension(ClinicalFacts facts, CrsWindowRecords records, DateTimeOffset at, DateTimeOffset from, CrsParameters p,
        Func<DateTimeOffset, bool> inWindow, List<string>? missing, List<string>? notes, bool describe)
    {
        // Loops, not LINQ, here and below: the course since infusion grades every day.
        List<DrugAdministration>? pressors = null;
        foreach (var a in facts.Administrations)
        {
            if (DrugGroups.IsVasopressor(a.Drug) && a.Overlaps(from, at)) (pressors ??= []).Add(a);
        }
        if (pressors is not null)
        {
            var concurrent = LargestConcurrentNonVasopressinSet(pressors, from, at);
            if (concurrent.Count >= 2)
            {
                if (!describe) return Undescribed4;
                var names = string.Join(" + ", concurrent.Select(a => DrugGroups.Name(a.Drug)).Distinct());
                return new CrsDomainFinding(4, $"multiple vasopressors ({names})", concurrent.Select(PressorEvidence).ToList());
            }
            // One vasopressor, with or without vasopressin → grade 3.
            if (!describe) return Undescribed3;
            var lead = pressors.FirstOrDefault(a => a.Drug != Drug.Vasopressin) ?? pressors[0];
            var withVasopressin = lead.Drug != Drug.Vasopressin && pressors.Any(a => a.Drug == Drug.Vasopressin);
            var desc = DrugGroups.Name(lead.Drug) + (withVasopressin ? " (+ vasopressin, not counted as a second vasopressor)" : "");
            return new CrsDomainFinding(3, desc, pressors.Select(PressorEvidence).ToList());
        }

        List<Evidence>? evidence = null;
        string? description = null;
        // The lowest pressure in the window (the first of equal ones).
        SystolicPressureReading? lowest = null;
        var pressures = records.SystolicPressures;
        for (var i = 0; i < pressures.Count; i++)
        {
            var s = pressures[i];
            if (inWindow(s.Time) && (lowest is null || s.MmHg < lowest.MmHg)) lowest = s;
        }
        if (lowest is not null)
        {
            if (facts.BirthDate is { } birth)
            {
                var age = Age.CompletedYears(birth, DateOnly.FromDateTime(at.UtcDateTime));
                var threshold = p.HypotensionThresholdMmHg(age);
                if (lowest.MmHg < threshold)
                {
                    if (!describe) return Undescribed2;
                    description = $"hypotension, SBP {Num(lowest.MmHg)} mmHg (< {Num(threshold)} at age {age} y), no vasopressor";
                    evidence = [new Evidence(lowest.Source, lowest.Time, $"systolic BP {Num(lowest.MmHg)} mmHg (hypotension: < {Num(threshold)} mmHg at age {age} y)")];
                }
            }
            else
            {
                missing?.Add("Patient.birthDate (the hypotension threshold depends on age)");
                notes?.Add("Systolic pressures were not judged: the patient's age is unknown.");
            }
        }

        // The latest hypotension record in the window (the first of equally late ones).
        HypotensionRecord? flagged = null;
        var hypotensions = records.HypotensionRecords;
        for (var i = 0; i < hypotensions.Count; i++)
        {
            var h = hypotensions[i];
            if (inWindow(h.Time) && (flagged is null || h.Time > flagged.Time)) flagged = h;
        }
        if (flagged is not null)
        {
            if (!describe) return Undescribed2;
            description ??= "hypotension not requiring vasopressors";
            (evidence ??= []).Add(new Evidence(flagged.Source, flagged.Time, "hypotension recorded (no vasopressor)"));
        }

        return description is null ? null : new CrsDomainFinding(2, description, evidence!);
    }

    // The domain findings of an undescribed grading (Assess with describe: false): only the grade is read.
    private static readonly CrsDomainFinding Undescribed2 = new(2, "", []);
    private static readonly CrsDomainFinding Undescribed3 = new(3, "", []);
    private static readonly CrsDomainFinding Undescribed4 = new(4, "", []);

    // "Multiple vasopressors" means running at the same time; a switch from one to another is one.
    private static List<DrugAdministration> LargestConcurrentNonVasopressinSet(List<DrugAdministration> pressors, DateTimeOffset from, DateTimeOffset at)
    {
        var candidates = pressors.Where(a => a.Drug != Drug.Vasopressin).ToList();
        var best = new List<DrugAdministration>();
        foreach (var probe in candidates)
        {
            // Any set of intervals that overlap pairwise shares a point, and the latest start is one.
            // Stryker disable once Equality : a start exactly at `from` gives the same instant either way
            var t = probe.Start < from ? from : probe.Start;
            var atT = candidates.Where(a => a.Overlaps(t, t)).DistinctBy(a => a.Drug).ToList();
            if (atT.Count > best.Count) best = atT;
        }
        return best;
    }

    private static Evidence PressorEvidence(DrugAdministration a) =>
        new(a.Source, a.Start, $"{DrugGroups.Name(a.Drug)} {(a.IsOngoing ? "running" : a.End is null ? "given" : "infusion")} from {When(a.Start)}");

    // A flow and a device recorded this close together describe the same oxygen support.
    private static readonly TimeSpan SameSupport = TimeSpan.FromHours(1);

    private static CrsDomainFinding? AssessHypoxia(CrsWindowRecords records, CrsParameters p, Func<DateTimeOffset, bool> inWindow, bool describe)
    {
        // The first record of the highest grade is the finding (later ones of the same grade do not replace it).
        CrsDomainFinding? worst = null;
        var (flows, flowTimes) = SupplementalFlows(records.OxygenFlows, inWindow);
        HashSet<OxygenFlowReading>? paired = null;
        var devices = records.OxygenDevices;
        for (var i = 0; i < devices.Count; i++)
        {
            var d = devices[i];
            if (!inWindow(d.Time)) continue;
            var (grade, name) = DeviceGrade(d.Device);
            var flow = d.Device == OxygenDevice.RoomAir ? null : NearestFlow(flows, flowTimes, d.Time);
            if (flow is not null)
            {
                (paired ??= []).Add(flow);
                // ASTCT: low-flow nasal cannula is ≤ 6 L/min; above that it is high-flow (grade 3).
                if (d.Device is OxygenDevice.NasalCannula or OxygenDevice.BlowBy) grade = flow.LitresPerMinute > p.LowFlowMaxLitresPerMinute ? 3 : 2;
            }
            // Words and evidence only for a new worst: this loop runs for every device reading.
            if (grade == 0 || (worst is not null && grade <= worst.Grade)) continue;
            if (!describe)
            {
                worst = UndescribedDomain(grade);
                continue;
            }
            var evidence = new List<Evidence> { new(d.Source, d.Time, $"oxygen by {name}") };
            var description = name;
            if (flow is not null)
            {
                evidence.Add(new Evidence(flow.Source, flow.Time, $"oxygen flow {Num(flow.LitresPerMinute)} L/min"));
                description = $"{name} {Num(flow.LitresPerMinute)} L/min";
                if (d.Device is OxygenDevice.NasalCannula or OxygenDevice.BlowBy)
                {
                    description += flow.LitresPerMinute > p.LowFlowMaxLitresPerMinute
                        ? $" (high-flow, > {Num(p.LowFlowMaxLitresPerMinute)} L/min)"
                        : $" (low-flow, ≤ {Num(p.LowFlowMaxLitresPerMinute)} L/min)";
                }
            }
            worst = new CrsDomainFinding(grade, description, evidence);
        }

        foreach (var f in flows)
        {
            if (paired is not null && paired.Contains(f)) continue;
            var high = f.LitresPerMinute > p.LowFlowMaxLitresPerMinute;
            var grade = high ? 3 : 2;
            if (worst is not null && grade <= worst.Grade) continue;
            if (!describe)
            {
                worst = UndescribedDomain(grade);
                continue;
            }
            var description = high
                ? $"oxygen {Num(f.LitresPerMinute)} L/min (high-flow, > {Num(p.LowFlowMaxLitresPerMinute)} L/min)"
                : $"oxygen {Num(f.LitresPerMinute)} L/min (low-flow, ≤ {Num(p.LowFlowMaxLitresPerMinute)} L/min)";
            worst = new CrsDomainFinding(grade, description, [new Evidence(f.Source, f.Time, $"oxygen flow {Num(f.LitresPerMinute)} L/min")]);
        }
        return worst;
    }

    private static CrsDomainFinding UndescribedDomain(int grade) => grade switch { 2 => Undescribed2, 3 => Undescribed3, _ => Undescribed4 };

    private static readonly List<OxygenFlowReading> NoFlows = [];

    // The flows above 0 L/min in the window, in time order (equal times in list order), and their times;
    // the shared empty list when there is none (most days of a course), which is never added to.
    private static (List<OxygenFlowReading> Flows, DateTimeOffset[] Times) SupplementalFlows(IReadOnlyList<OxygenFlowReading> flows, Func<DateTimeOffset, bool> inWindow)
    {
        List<OxygenFlowReading>? found = null;
        for (var i = 0; i < flows.Count; i++)
        {
            var f = flows[i];
            if (inWindow(f.Time) && f.LitresPerMinute > 0m) (found ??= []).Add(f);
        }
        if (found is null) return (NoFlows, []);
        var sorted = found.OrderBy(f => f.Time).ToList();
        return (sorted, sorted.Select(f => f.Time).ToArray());
    }

    // The flow recorded closest to a device reading, within SameSupport; flows sorted by time.
    private static OxygenFlowReading? NearestFlow(List<OxygenFlowReading> flows, DateTimeOffset[] times, DateTimeOffset at)
    {
        if (flows.Count == 0) return null;
        var i = Array.BinarySearch(times, at);
        if (i < 0) i = ~i;
        OxygenFlowReading? best = null;
        // The two neighbours, on the stack (an array here was allocated for every device reading).
        foreach (var j in (ReadOnlySpan<int>)[i - 1, i])
        {
            if (j < 0 || j >= flows.Count) continue;
            var gap = (flows[j].Time - at).Duration();
            if (gap <= SameSupport && (best is null || gap < (best.Time - at).Duration())) best = flows[j];
        }
        return best;
    }

    /// <summary>The CRS grade a device alone supports (ASTCT Table 5): low-flow nasal cannula or
    /// blow-by → 2; high-flow nasal cannula, facemask, non-rebreather, Venturi → 3; positive
    /// pressure (CPAP, BiPAP, mechanical ventilation) → 4. Nasal cannula counts as low-flow unless
    /// its flow (&gt; 6 L/min) says otherwise.</summary>
    public static (int Grade, string Name) DeviceGrade(OxygenDevice device) => device switch
    {
        OxygenDevice.RoomAir => (0, "room air"),
        OxygenDevice.BlowBy => (2, "blow-by oxygen"),
        OxygenDevice.NasalCannula => (2, "nasal cannula"),
        OxygenDevice.HighFlowNasalCannula => (3, "high-flow nasal cannula"),
        OxygenDevice.FaceMask => (3, "facemask"),
        OxygenDevice.NonRebreatherMask => (3, "non-rebreather mask"),
        OxygenDevice.VenturiMask => (3, "Venturi mask"),
        OxygenDevice.Cpap => (4, "CPAP"),
        OxygenDevice.Bipap => (4, "BiPAP"),
        OxygenDevice.MechanicalVentilation => (4, "mechanical ventilation"),
        _ => throw new ArgumentOutOfRangeException(nameof(device), device, null),
    };



}
