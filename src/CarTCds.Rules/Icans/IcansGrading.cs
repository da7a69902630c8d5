using CarTCds.Rules.Facts;
using static CarTCds.Rules.ClinicalText;

namespace CarTCds.Rules.Icans;

/// <summary>ASTCT consensus ICANS grading.</summary>
/// <remarks>
/// <see href="https://doi.org/10.1016/j.bbmt.2018.12.758">Lee DW et al. ASTCT Consensus Grading for
/// Cytokine Release Syndrome and Neurologic Toxicity Associated with Immune Effector Cells. Biol Blood
/// Marrow Transplant 2019;25:625–638</see>, Table 6 (adults, ICE) and the paediatric table (CAPD);
/// docs/CLINICAL-RULES.md §2. Grade = the most severe domain over <see cref="IcansParameters.LookBack"/>:
/// encephalopathy score (ICE or CAPD by age), depressed level of consciousness, seizure, motor
/// findings, raised ICP / cerebral oedema. Tremor and myoclonus do not count (they are not facts).
/// A patient intubated/sedated for another reason is "not gradable" unless a seizure, motor or
/// oedema finding grades them.
/// </remarks>
public static class IcansGrading
{
    // An ICE score and a level of consciousness recorded this close together describe the same assessment.
    private static readonly TimeSpan SameAssessment = TimeSpan.FromHours(1);

    /// <summary>Grades ICANS over (<paramref name="at"/> − LookBack, <paramref name="at"/>].</summary>
    /// <param name="facts">The patient's facts; records after <paramref name="at"/> are ignored.</param>
    /// <param name="at">The evaluation time (the request's time, never the wall clock).</param>
    /// <param name="rules">The rule set.</param>
    /// <remarks>
    /// Edge cases: the worst record of each domain in the window counts (not the latest). ICE 0 is
    /// grade 4 only when an "unarousable" level of consciousness was recorded within 1 h of it,
    /// otherwise grade 3. Mechanical ventilation (an oxygen-delivery record) in the window makes ICE,
    /// CAPD and consciousness unusable until a later non-ventilator oxygen-delivery record
    /// (extubation); assessments after that are graded normally.
    /// </remarks>
    public static IcansAssessment Assess(ClinicalFacts facts, DateTimeOffset at, RuleSet rules)
    {
        var p = rules.Icans;
        var from = at - p.LookBack;
        bool InWindow(DateTimeOffset t) => t > from && t <= at;

        var notes = new List<string>();
        var missing = new List<string>();
        int? age = facts.BirthDate is { } birth ? Age.CompletedYears(birth, DateOnly.FromDateTime(at.UtcDateTime)) : null;

        // Objective findings: sedation does not hide them (ASTCT Table 6, seizure / motor / ICP rows).
        var seizure = AssessSeizure(facts, InWindow);
        var motor = AssessMotor(facts, InWindow);
        var oedema = AssessOedema(facts, InWindow);
        var hasObjective = seizure is not null || motor is not null || oedema is not null;

        // Intubated/sedated: encephalopathy and consciousness cannot be assessed (ASTCT: depressed
        // consciousness must not be attributable to another cause, e.g. sedating medication).
        var ventilation = AssessVentilation(facts, InWindow);
        bool Usable(DateTimeOffset t) => ventilation is null || (ventilation.ExtubatedAt is { } ext && t >= ext);

        var ices = facts.IceScores.Where(s => InWindow(s.Time)).ToList();
        var capds = facts.CapdScores.Where(s => InWindow(s.Time)).ToList();
        var levels = facts.Consciousness.Where(c => InWindow(c.Time)).ToList();
        DropOutOfRange(ices, capds, notes);

        if (ventilation is not null)
        {
            NoteAssessmentsSetAside(
                ices.Where(s => !Usable(s.Time)).ToList(), capds.Where(s => !Usable(s.Time)).ToList(),
                levels.Where(c => !Usable(c.Time)).ToList(), p, notes);
            ices = ices.Where(s => Usable(s.Time)).ToList();
            capds = capds.Where(s => Usable(s.Time)).ToList();
            levels = levels.Where(c => Usable(c.Time)).ToList();
        }

        var (encephalopathy, tool) = AssessEncephalopathy(ices, capds, levels, age, p, notes, missing);
        var consciousness = AssessConsciousness(levels, notes);

        var findings = new[] { encephalopathy, consciousness, seizure, motor, oedema }.OfType<IcansDomainFinding>().ToList();
        var ventilationEvidence = ventilation?.Evidence ?? [];

        int? grade;
        IcansStatus status;
        if (ventilation is { ExtubatedAt: null } && !hasObjective)
        {
            grade = null;
            status = IcansStatus.NotGradableIntubatedOrSedated;
            notes.Insert(0, $"Not gradable: intubated/sedated — encephalopathy cannot be assessed (mechanical ventilation recorded {When(ventilation.LastVentilated)}).");
            missing.Add("an ICE or CAPD score and a level of consciousness taken off sedation (not gradable while intubated/sedated)");
        }
        else if (findings.Count == 0)
        {
            grade = null;
            status = IcansStatus.NoNeurologicalAssessment;
            if (ventilation?.ExtubatedAt is { } ext)
            {
                notes.Insert(0, $"No neurological assessment since extubation ({When(ext)}); earlier assessments were under mechanical ventilation.");
                missing.Add($"an ICE or CAPD score since extubation ({When(ext)})");
            }
            else
            {
                notes.Insert(0, $"No neurological assessment in the last {Hours(p.LookBack)} h.");
                missing.Add($"an ICE or CAPD score (ICE above age {p.CapdMaxAgeYears}, CAPD at {p.CapdMaxAgeYears} and under) in the last {Hours(p.LookBack)} h");
                missing.Add("a level of consciousness");
            }
        }
        else
        {
            grade = findings.Max(f => f.Grade);
            status = IcansStatus.Graded;
            if (encephalopathy is null)
            {
                missing.Add($"an ICE or CAPD score{(ventilation is null ? $" in the last {Hours(p.LookBack)} h" : " taken off sedation")}");
                notes.Add(ventilation is { ExtubatedAt: null }
                    ? "Intubated/sedated: encephalopathy and level of consciousness cannot be assessed; the grade rests on seizure, motor and oedema findings only and may understate ICANS."
                    : "No ICE or CAPD score in the window: encephalopathy was not assessed, so the grade rests on the other domains and may understate ICANS.");
            }
        }

        var drivers = grade is > 0 ? findings.Where(f => f.Grade == grade).Select(f => f.Description).ToList() : [];

        var evidence = findings.SelectMany(f => f.Evidence)
            .Concat(ventilationEvidence)
            .DistinctBy(e => e.Source) // one entry per record: the first (most specific) description wins
            .OrderBy(e => e.Time ?? DateTimeOffset.MinValue)
            .ToList();

        return new IcansAssessment(grade, status, from, at, age, encephalopathy is null ? null : tool, findings, drivers, evidence, missing, notes);
    }

    /// <summary>The ICANS grade an ICE score alone supports (ASTCT 2019 Table 6): 10 → 0; 7–9 → 1;
    /// 3–6 → 2; 0–2 → 3. ICE 0 in an unarousable patient is grade 4, which needs the level of
    /// consciousness (see <see cref="Assess"/>).</summary>
    public static int IceGrade(int score, IcansParameters p) =>
        score >= 10 ? 0
        : score >= p.IceGrade1MinScore ? 1
        : score >= p.IceGrade2MinScore ? 2
        : 3;

    /// <summary>The ICANS grade a CAPD score alone supports (ASTCT 2019, paediatric table): 0 → 0;
    /// 1–8 → 1 (ASTCT lists 1–8 under grades 1 and 2; grade 2 needs "awakens to voice"); ≥ 9 → 3.
    /// "Unable to perform CAPD" (grade 4) is not a score: it comes from "unarousable".</summary>
    public static int CapdGrade(int score, IcansParameters p) =>
        score <= 0 ? 0
        : score >= p.CapdGrade3MinScore ? 3
        : 1;

    /// <summary>The ICANS grade a level of consciousness supports (ASTCT 2019 Table 6): alert → 0;
    /// awakens spontaneously → 1; to voice → 2; only to tactile stimulus → 3; unarousable → 4.</summary>
    public static (int Grade, string Name) ConsciousnessGrade(ConsciousnessLevel level) => level switch
    {
        ConsciousnessLevel.Alert => (0, "alert"),
        ConsciousnessLevel.AwakensSpontaneously => (1, "awakens spontaneously"),
        ConsciousnessLevel.AwakensToVoice => (2, "awakens to voice"),
        ConsciousnessLevel.AwakensToTouch => (3, "awakens only to tactile stimulus"),
        ConsciousnessLevel.Unarousable => (4, "unarousable"),
        _ => throw new ArgumentOutOfRangeException(nameof(level), level, null),
    };

    private static void DropOutOfRange(List<IceScore> ices, List<CapdScore> capds, List<string> notes)
    {
        foreach (var s in ices.Where(s => s.Score is < 0 or > 10).ToList())
        {
            ices.Remove(s);
            notes.Add($"{s.Source}: ICE {s.Score} is outside 0–10 and was not used.");
        }
        foreach (var s in capds.Where(s => s.Score is < 0 or > 32).ToList())
        {
            capds.Remove(s);
            notes.Add($"{s.Source}: CAPD {s.Score} is outside 0–32 and was not used.");
        }
    }

    private static (IcansDomainFinding? Finding, EncephalopathyTool Tool) AssessEncephalopathy(
        List<IceScore> ices, List<CapdScore> capds, List<ConsciousnessReading> levels, int? age,
        IcansParameters p, List<string> notes, List<string> missing)
    {
        if (ices.Count == 0 && capds.Count == 0) return (null, EncephalopathyTool.Ice);

        // Stryker disable once Equality : WorstIce of no scores also returns (null, null)
        var (ice, iceScore) = ices.Count > 0 ? WorstIce(ices, levels, p) : (null, null);
        var capd = capds.Count > 0 ? WorstCapd(capds, p) : null;

        EncephalopathyTool tool;
        if (age is int a)
        {
            var byAge = a <= p.CapdMaxAgeYears ? EncephalopathyTool.Capd : EncephalopathyTool.Ice;
            var ageRule = byAge == EncephalopathyTool.Capd ? $"age {a} ≤ {p.CapdMaxAgeYears}" : $"age {a} > {p.CapdMaxAgeYears}";
            var hasByAge = byAge == EncephalopathyTool.Capd ? capd is not null : ice is not null;
            if (hasByAge)
            {
                tool = byAge;
                if (ice is not null && capd is not null)
                {
                    var unused = byAge == EncephalopathyTool.Capd ? "ICE" : "CAPD";
                    notes.Add($"{unused} scores in the window were not used: at {ageRule} the tool is {Name(byAge)}.");
                }
            }
            else if (byAge == EncephalopathyTool.Ice)
            {
                tool = EncephalopathyTool.Capd;
                notes.Add($"Graded by CAPD at {ageRule} (no ICE score in the window): ASTCT uses CAPD for older patients with developmental delay.");
            }
            else
            {
                tool = EncephalopathyTool.Ice;
                notes.Add($"Graded by ICE at {ageRule} (no CAPD score in the window): CAPD is the age-appropriate tool; a young child may score low on ICE for developmental reasons — confirm with CAPD.");
            }
        }
        else
        {
            missing.Add("Patient.birthDate (age decides between ICE and CAPD)");
            if (ice is not null && capd is not null)
            {
                tool = capd.Grade > ice.Grade ? EncephalopathyTool.Capd : EncephalopathyTool.Ice;
                notes.Add($"Age unknown and both ICE and CAPD recorded: the worse ({Name(tool)}: {(tool == EncephalopathyTool.Ice ? ice : capd).Description} vs {(tool == EncephalopathyTool.Ice ? capd : ice).Description}) was used.");
            }
            else
            {
                tool = ice is not null ? EncephalopathyTool.Ice : EncephalopathyTool.Capd;
                notes.Add($"Age unknown: graded by {Name(tool)}, the only encephalopathy score recorded.");
            }
        }

        var finding = tool == EncephalopathyTool.Ice ? ice! : capd!;
        if (tool == EncephalopathyTool.Ice && iceScore is { Score: 0 } zero && finding.Grade == 3 && !levels.Any(l => Near(l.Time, zero.Time)))
        {
            notes.Add("ICE 0 is grade 3 if the patient is awake (e.g. global aphasia) and grade 4 if unarousable; no level of consciousness was recorded with it — record one.");
        }
        if (tool == EncephalopathyTool.Capd && finding.Grade == 1)
        {
            notes.Add(levels.Count > 0
                ? $"{finding.Description}: CAPD 1–{p.CapdGrade3MinScore - 1} fits ICANS grade 1 or 2 (ASTCT); graded 1 from CAPD alone — grade 2 comes from the level of consciousness (awakens to voice)."
                : $"{finding.Description}: CAPD 1–{p.CapdGrade3MinScore - 1} fits ICANS grade 1 or 2 (ASTCT); graded 1 from CAPD alone — no level of consciousness was recorded, so grade 2 (awakens to voice) cannot be excluded.");
        }
        return (finding, tool);
    }

    private static (IcansDomainFinding Finding, IceScore Score) WorstIce(List<IceScore> ices, List<ConsciousnessReading> levels, IcansParameters p)
    {
        IcansDomainFinding? worst = null;
        IceScore? worstScore = null;
        foreach (var s in ices)
        {
            var grade = IceGrade(s.Score, p);
            var description = $"ICE {s.Score}";
            var evidence = new List<Evidence> { new(s.Source, s.Time, $"ICE score {s.Score}/10 ({IceBand(s.Score, p)})") };
            if (s.Score == 0)
            {
                // ASTCT Table 6 footnote: ICE 0 awake (e.g. global aphasia) → 3; ICE 0 unarousable → 4.
                var unarousable = levels.Where(l => l.Level == ConsciousnessLevel.Unarousable && Near(l.Time, s.Time))
                    .MinBy(l => (l.Time - s.Time).Duration());
                if (unarousable is not null)
                {
                    grade = 4;
                    description = "ICE 0, unarousable";
                    evidence.Add(new Evidence(unarousable.Source, unarousable.Time, "level of consciousness: unarousable (ICE 0 because unarousable → grade 4)"));
                }
            }
            // Worst grade first; among equal grades the lowest score, then the latest.
            if (worst is null || grade > worst.Grade
                || (grade == worst.Grade && (s.Score < worstScore!.Score || (s.Score == worstScore.Score && s.Time > worstScore.Time))))
            {
                worst = new IcansDomainFinding(IcansDomain.Encephalopathy, grade, description, evidence);
                worstScore = s;
            }
        }
        return (worst!, worstScore!);
    }

    private static IcansDomainFinding WorstCapd(List<CapdScore> capds, IcansParameters p)
    {
        var worst = capds.OrderByDescending(s => CapdGrade(s.Score, p)).ThenByDescending(s => s.Score).ThenByDescending(s => s.Time).First();
        var grade = CapdGrade(worst.Score, p);
        var band = grade switch
        {
            0 => "no delirium",
            3 => $"≥ {p.CapdGrade3MinScore}: grade 3",
            _ => $"1–{p.CapdGrade3MinScore - 1}: grade 1–2",
        };
        return new IcansDomainFinding(IcansDomain.Encephalopathy, grade, $"CAPD {worst.Score}",
            [new Evidence(worst.Source, worst.Time, $"CAPD score {worst.Score}/32 ({band})")]);
    }

    private static IcansDomainFinding? AssessConsciousness(List<ConsciousnessReading> levels, List<string> notes)
    {
        if (levels.Count == 0) return null;
        var worst = levels.OrderByDescending(l => ConsciousnessGrade(l.Level).Grade).ThenByDescending(l => l.Time).First();
        var (grade, name) = ConsciousnessGrade(worst.Level);
        if (grade > 0)
        {
            notes.Add("A depressed level of consciousness counts for ICANS only when no other cause explains it (e.g. sedating medication, ASTCT Table 6).");
        }
        return new IcansDomainFinding(IcansDomain.Consciousness, grade, name,
            [new Evidence(worst.Source, worst.Time, $"level of consciousness: {name}")]);
    }

    private static IcansDomainFinding? AssessSeizure(ClinicalFacts facts, Func<DateTimeOffset, bool> inWindow)
    {
        var worst = facts.Seizures.Where(s => inWindow(s.Time))
            .OrderByDescending(s => s.Kind == SeizureKind.ProlongedOrRepetitive).ThenByDescending(s => s.Time).FirstOrDefault();
        if (worst is null) return null;
        var (grade, description, detail) = worst.Kind switch
        {
            // ASTCT Table 6: clinical seizure resolving rapidly, or EEG seizure resolving with intervention → 3.
            SeizureKind.RapidlyResolving => (3, "seizure (rapidly resolving)", "seizure, resolving rapidly"),
            // Prolonged > 5 min, or repetitive without return to baseline → 4.
            SeizureKind.ProlongedOrRepetitive => (4, "seizure (prolonged or repetitive)", "seizure, prolonged (> 5 min) or repetitive without return to baseline"),
            _ => throw new ArgumentOutOfRangeException(nameof(facts), worst.Kind, null),
        };
        return new IcansDomainFinding(IcansDomain.Seizure, grade, description, [new Evidence(worst.Source, worst.Time, detail)]);
    }

    // ASTCT Table 6: deep focal motor weakness (hemiparesis, paraparesis) → 4.
    private static IcansDomainFinding? AssessMotor(ClinicalFacts facts, Func<DateTimeOffset, bool> inWindow)
    {
        var latest = facts.MotorWeakness.Where(m => inWindow(m.Time)).MaxBy(m => m.Time);
        return latest is null ? null
            : new IcansDomainFinding(IcansDomain.Motor, 4, "deep focal motor weakness",
                [new Evidence(latest.Source, latest.Time, "deep focal motor weakness (e.g. hemiparesis, paraparesis)")]);
    }

    // ASTCT Table 6: focal/local oedema on imaging → 3; diffuse oedema, posturing, CN VI palsy,
    // papilloedema or Cushing's triad → 4.
    private static IcansDomainFinding? AssessOedema(ClinicalFacts facts, Func<DateTimeOffset, bool> inWindow)
    {
        var worst = facts.CerebralEdema.Where(e => inWindow(e.Time))
            .OrderByDescending(e => e.Kind != EdemaKind.Focal).ThenByDescending(e => e.Time).FirstOrDefault();
        if (worst is null) return null;
        var (grade, description, detail) = worst.Kind switch
        {
            EdemaKind.Focal => (3, "focal cerebral oedema", "focal/local cerebral oedema on neuroimaging"),
            EdemaKind.Diffuse => (4, "diffuse cerebral oedema", "diffuse cerebral oedema on neuroimaging"),
            EdemaKind.RaisedIcpSigns => (4, "signs of raised intracranial pressure", "raised ICP: decerebrate/decorticate posturing, CN VI palsy, papilloedema or Cushing's triad"),
            _ => throw new ArgumentOutOfRangeException(nameof(facts), worst.Kind, null),
        };
        return new IcansDomainFinding(IcansDomain.RaisedIcpOrCerebralOedema, grade, description, [new Evidence(worst.Source, worst.Time, detail)]);
    }

    private sealed record Ventilation(DateTimeOffset LastVentilated, DateTimeOffset? ExtubatedAt, IReadOnlyList<Evidence> Evidence);

    /// <summary>Mechanical ventilation in the window, and whether a later non-ventilator
    /// oxygen-delivery record shows extubation.</summary>
    /// <summary>Whether the patient is intubated/sedated at <paramref name="at"/>: mechanical
    /// ventilation recorded in the ICANS look-back and no later non-ventilator oxygen-delivery record
    /// (extubation). ICE and CAPD cannot be done then, so no assessment is "overdue".</summary>
    public static bool IsIntubatedOrSedated(ClinicalFacts facts, DateTimeOffset at, RuleSet rules)
    {
        var from = at - rules.Icans.LookBack;
        return AssessVentilation(facts, t => t > from && t <= at) is { ExtubatedAt: null };
    }

    private static Ventilation? AssessVentilation(ClinicalFacts facts, Func<DateTimeOffset, bool> inWindow)
    {
        var devices = facts.OxygenDevices.Where(d => inWindow(d.Time)).ToList();
        var lastMv = devices.Where(d => d.Device == OxygenDevice.MechanicalVentilation).MaxBy(d => d.Time);
        if (lastMv is null) return null;
        var extubation = devices.Where(d => d.Device != OxygenDevice.MechanicalVentilation && d.Time > lastMv.Time).MinBy(d => d.Time);
        var evidence = new List<Evidence> { new(lastMv.Source, lastMv.Time, "mechanical ventilation (intubated/sedated: encephalopathy cannot be assessed)") };
        if (extubation is not null)
        {
            evidence.Add(new Evidence(extubation.Source, extubation.Time, $"off the ventilator ({DeviceName(extubation.Device)}): assessments from here on are graded"));
        }
        return new Ventilation(lastMv.Time, extubation?.Time, evidence);
    }

    // Abnormal assessments made before or during ventilation are not graded, but a clinician must see them.
    private static void NoteAssessmentsSetAside(List<IceScore> ices, List<CapdScore> capds, List<ConsciousnessReading> levels,
        IcansParameters p, List<string> notes)
    {
        var abnormal = new List<(DateTimeOffset Time, string Text)>();
        foreach (var s in ices.Where(s => IceGrade(s.Score, p) > 0))
        {
            abnormal.Add((s.Time, $"ICE {s.Score} at {When(s.Time)} ({s.Source})"));
        }
        foreach (var s in capds.Where(s => CapdGrade(s.Score, p) > 0))
        {
            abnormal.Add((s.Time, $"CAPD {s.Score} at {When(s.Time)} ({s.Source})"));
        }
        foreach (var l in levels.Where(l => ConsciousnessGrade(l.Level).Grade > 0))
        {
            abnormal.Add((l.Time, $"{ConsciousnessGrade(l.Level).Name} at {When(l.Time)} ({l.Source})"));
        }
        if (abnormal.Count > 0)
        {
            notes.Add($"Not graded because recorded before or during mechanical ventilation — review: {string.Join("; ", abnormal.OrderBy(x => x.Time).Select(x => x.Text))}.");
        }
    }

    private static bool Near(DateTimeOffset a, DateTimeOffset b) => (a - b).Duration() <= SameAssessment;

    private static string IceBand(int score, IcansParameters p) =>
        score >= 10 ? "normal"
        : score >= p.IceGrade1MinScore ? $"{p.IceGrade1MinScore}–9: grade 1"
        : score >= p.IceGrade2MinScore ? $"{p.IceGrade2MinScore}–{p.IceGrade1MinScore - 1}: grade 2"
        : $"0–{p.IceGrade2MinScore - 1}: grade 3";

    private static string Name(EncephalopathyTool t) => t == EncephalopathyTool.Ice ? "ICE" : "CAPD";

    private static string DeviceName(OxygenDevice d) => Crs.CrsGrading.DeviceGrade(d).Name;


}
