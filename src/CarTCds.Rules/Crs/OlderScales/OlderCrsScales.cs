using CarTCds.Rules.Facts;

namespace CarTCds.Rules.Crs.OlderScales;

/// <summary>The CRS scales that preceded ASTCT 2019 and are still found in trial reports and
/// referral letters.</summary>
public enum OlderCrsScale
{
    /// <summary><see href="https://doi.org/10.1182/blood-2014-05-552729">Lee DW et al. Current concepts in
    /// the diagnosis and management of cytokine release syndrome. Blood 2014;124:188–195</see>, Table 2.</summary>
    Lee2014,
    /// <summary>The Penn (UPenn/CHOP) scale used by the tisagenlecleucel trials (ELIANA, Maude et al.
    /// N Engl J Med 2018;378:439): <see href="https://doi.org/10.1186/s13045-018-0571-y">Porter D et al.
    /// Grading of cytokine release syndrome associated with the CAR T cell therapy tisagenlecleucel.
    /// J Hematol Oncol 2018;11:35</see>, Table 1.</summary>
    Penn,
    /// <summary>NCI Common Terminology Criteria for Adverse Events v5.0 (2017), "Cytokine release syndrome".</summary>
    Ctcae5,
}

/// <summary>What one older scale gives for the same window the ASTCT grade covers.</summary>
/// <param name="Scale">Which scale.</param>
/// <param name="Grade">The grade the recorded data establishes under the stated readings (a lower
/// bound); null when not gradable (the ASTCT grade is not gradable either: no temperature).</param>
/// <param name="UpperGrade">The highest grade the unrecorded criteria (vasopressor dose, FiO₂,
/// fluid boluses, hospitalisation) could give; equal to <see cref="Grade"/> when the data decides it.</param>
/// <param name="Readings">How each criterion present was read, in words, with the scale's wording.</param>
/// <param name="Missing">What would decide the range (empty when decided).</param>
/// <param name="Evidence">The records the grade rests on (the same records as the ASTCT grade).</param>
public sealed record OlderScaleGrade(OlderCrsScale Scale, int? Grade, int? UpperGrade, IReadOnlyList<string> Readings,
    IReadOnlyList<string> Missing, IReadOnlyList<Evidence> Evidence)
{
    /// <summary>True when the data cannot decide between <see cref="Grade"/> and <see cref="UpperGrade"/>.</summary>
    public bool IsRange => Grade is not null && UpperGrade > Grade;

    /// <summary>The finding code: <c>crs-grade-lee2014</c>, <c>crs-grade-penn</c>, <c>crs-grade-ctcae5</c>.</summary>
    public string Code => "crs-grade-" + Scale switch
    {
        OlderCrsScale.Lee2014 => "lee2014",
        OlderCrsScale.Penn => "penn",
        _ => "ctcae5",
    };

    /// <summary>The grade as clinicians write it: <c>3</c>, <c>2–3</c>, <c>not gradable</c>.</summary>
    public string Text => Grade is null ? "not gradable" : IsRange ? $"{Grade}–{UpperGrade}" : $"{Grade}";

    /// <summary>The machine value: <c>3</c> (number), <c>"2-3"</c> (a range) or <c>"not-gradable"</c>.</summary>
    public string? RangeValue => Grade is null ? "not-gradable" : IsRange ? $"{Grade}-{UpperGrade}" : null;
}

/// <summary>Grades the same CRS window by Lee 2014, Penn and CTCAE v5, so trial data and older reports
/// can be compared with the ASTCT grade (docs/CLINICAL-RULES.md §1a).</summary>
/// <remarks>
/// Whether there is CRS at all is decided once, by the ASTCT fever rule (fever ≥ threshold, or masked
/// after anti-cytokine/antipyretic therapy): no ASTCT CRS → grade 0 on every scale; ASTCT not gradable →
/// not gradable. The older scales then grade the same hypotension and oxygen findings. Their criteria
/// that the data contract does not carry — vasopressor dose rate ("high-dose"), FiO₂, fluid boluses,
/// hospitalisation — are never guessed: the grade is what the data establishes, and the upper end of
/// the range says what the missing criterion could make it. Organ toxicity (Lee 2014, Penn) and
/// coagulopathy (Penn) are not assessed; they can only raise these grades.
/// </remarks>
public static class OlderCrsScales
{
    private const string PressorRate = "vasopressor infusion rate (\"high-dose\" is defined by rate; the data contract records no rate)";
    private const string Fio2 = "FiO₂ of the oxygen given (LOINC 3150-0; not in the data contract)";
    private const string FluidBoluses = "fluid boluses given for blood pressure (not in the data contract)";
    private const string Hospitalisation = "hospitalisation or IV therapy for CRS symptoms (not in the data contract)";
    private const string Judgement = "whether the clinician judges it life-threatening, needing urgent intervention (CTCAE grade 4)";

    /// <summary>The three older grades for the window of <paramref name="astct"/>.</summary>
    /// <param name="astct">The ASTCT grade over the window (its fever, hypotension and hypoxia findings are reused).</param>
    /// <param name="facts">The facts (to tell mechanical ventilation from CPAP/BiPAP).</param>
    /// <param name="rules">The rule set.</param>
    public static IReadOnlyList<OlderScaleGrade> Assess(CrsAssessment astct, ClinicalFacts facts, RuleSet rules) =>
    [
        Grade(OlderCrsScale.Lee2014, astct, facts, rules),
        Grade(OlderCrsScale.Penn, astct, facts, rules),
        Grade(OlderCrsScale.Ctcae5, astct, facts, rules),
    ];

    /// <summary>The blood-pressure state a window shows, from the ASTCT hypotension finding.</summary>
    public enum PressureState { Normal, HypotensionWithoutVasopressor, OneVasopressor, MultipleVasopressors }

    /// <summary>The oxygen support a window shows, from the ASTCT hypoxia finding.</summary>
    public enum OxygenState { None, LowFlow, HighFlowOrMask, NonInvasivePositivePressure, MechanicalVentilation }

    /// <summary>A criterion's contribution on one scale: the grade it establishes, the grade it could
    /// reach, how it was read, and what would decide it.</summary>
    public sealed record Band(int Floor, int Ceiling, string Reading, string? Deciding);

    /// <summary>The band a fever (or masked fever) alone gives on <paramref name="scale"/>.</summary>
    public static Band FeverBand(OlderCrsScale scale) => scale switch
    {
        // Lee 2014 grade 1: "symptoms are not life-threatening and require symptomatic treatment only (e.g. fever …)".
        OlderCrsScale.Lee2014 => new(1, 1, "fever: grade 1 (symptomatic treatment only)", null),
        // Penn grade 1 "mild reaction, supportive care"; grade 2 adds hospitalisation for CRS / IV therapies.
        OlderCrsScale.Penn => new(1, 2, "fever: grade 1 (mild reaction); grade 2 if hospitalised for CRS or needing IV therapies", Hospitalisation),
        // CTCAE v5 grade 1: "fever with or without constitutional symptoms".
        _ => new(1, 1, "fever: grade 1", null),
    };

    /// <summary>The band a blood-pressure state gives on <paramref name="scale"/>; null for normal pressure.</summary>
    public static Band? PressureBand(OlderCrsScale scale, PressureState state) => (scale, state) switch
    {
        (_, PressureState.Normal) => null,
        // Lee 2014: 2 "hypotension responsive to fluids or low dose of one vasopressor"; 3 "high-dose or multiple vasopressors".
        (OlderCrsScale.Lee2014, PressureState.HypotensionWithoutVasopressor) => new(2, 2, "hypotension without vasopressor: grade 2 (responsive to fluids)", null),
        (OlderCrsScale.Lee2014, PressureState.OneVasopressor) => new(2, 3, "one vasopressor: grade 2 at low dose, 3 at high dose", PressorRate),
        (OlderCrsScale.Lee2014, PressureState.MultipleVasopressors) => new(3, 3, "multiple vasopressors: grade 3", null),
        // Penn: 3 "hypotension treated with IV fluids (multiple fluid boluses) or low-dose vasopressors"; 4 "high-dose vasopressors".
        (OlderCrsScale.Penn, PressureState.HypotensionWithoutVasopressor) => new(1, 3, "hypotension without vasopressor: grade 3 only if treated with multiple fluid boluses", FluidBoluses),
        (OlderCrsScale.Penn, PressureState.OneVasopressor) => new(3, 4, "vasopressor: grade 3 at low dose, 4 at high dose", PressorRate),
        (OlderCrsScale.Penn, PressureState.MultipleVasopressors) => new(3, 4, "vasopressors: grade 3 at low dose, 4 at high dose (Penn judges combinations by their summed dose)", PressorRate),
        // CTCAE v5: 2 "hypotension responding to fluids"; 3 "managed with one pressor"; 4 "life-threatening; urgent intervention".
        (OlderCrsScale.Ctcae5, PressureState.HypotensionWithoutVasopressor) => new(2, 2, "hypotension without vasopressor: grade 2 (responding to fluids)", null),
        (OlderCrsScale.Ctcae5, PressureState.OneVasopressor) => new(3, 3, "one vasopressor: grade 3 (managed with one pressor)", null),
        (OlderCrsScale.Ctcae5, PressureState.MultipleVasopressors) => new(4, 4, "more than one vasopressor: beyond grade 3 (\"one pressor\"), read as grade 4", null),
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, null),
    };

    /// <summary>The band an oxygen state gives on <paramref name="scale"/>; null without oxygen.</summary>
    public static Band? OxygenBand(OlderCrsScale scale, OxygenState state, OlderCrsScaleParameters p) => (scale, state) switch
    {
        (_, OxygenState.None) => null,
        // Lee 2014: 2 "oxygen requirement < 40 %"; 3 "≥ 40 %"; 4 "requirement for ventilator support".
        (OlderCrsScale.Lee2014, OxygenState.LowFlow or OxygenState.HighFlowOrMask) => new(2, 3, "oxygen: grade 2 below 40 % FiO₂, 3 at ≥ 40 %", Fio2),
        (OlderCrsScale.Lee2014, OxygenState.NonInvasivePositivePressure) when p.Lee2014NonInvasiveVentilationIsVentilatorSupport =>
            new(4, 4, "CPAP/BiPAP read as ventilator support: grade 4 (rule-set reading)", null),
        (OlderCrsScale.Lee2014, OxygenState.NonInvasivePositivePressure) =>
            new(2, 3, "CPAP/BiPAP not read as ventilator support (rule-set reading): grade 2 below 40 % FiO₂, 3 at ≥ 40 %", Fio2),
        (OlderCrsScale.Lee2014, OxygenState.MechanicalVentilation) => new(4, 4, "mechanical ventilation: grade 4 (ventilator support)", null),
        // Penn: 3 "hypoxia requiring supplemental oxygen (nasal cannula, high-flow, CPAP or BiPAP)"; 4 "mechanical ventilation".
        (OlderCrsScale.Penn, OxygenState.LowFlow or OxygenState.HighFlowOrMask or OxygenState.NonInvasivePositivePressure) =>
            new(3, 3, "supplemental oxygen (nasal cannula, high-flow, CPAP or BiPAP): grade 3", null),
        (OlderCrsScale.Penn, OxygenState.MechanicalVentilation) => new(4, 4, "mechanical ventilation: grade 4", null),
        // CTCAE v5: 2 "hypoxia responding to < 40 % O₂"; 3 "requiring ≥ 40 % O₂"; 4 "urgent intervention indicated".
        (OlderCrsScale.Ctcae5, OxygenState.LowFlow or OxygenState.HighFlowOrMask) => new(2, 3, "oxygen: grade 2 below 40 %, 3 at ≥ 40 %", Fio2),
        (OlderCrsScale.Ctcae5, OxygenState.NonInvasivePositivePressure) =>
            new(2, 4, "CPAP/BiPAP: grade 2 below 40 %, 3 at ≥ 40 %, 4 if judged urgent life-saving intervention", Fio2 + "; " + Judgement),
        (OlderCrsScale.Ctcae5, OxygenState.MechanicalVentilation) => new(4, 4, "mechanical ventilation: read as urgent intervention, grade 4", null),
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, null),
    };

    /// <summary>The blood-pressure state from the ASTCT hypotension finding (its grade encodes it).</summary>
    public static PressureState PressureOf(CrsAssessment a) => a.Hypotension?.Grade switch
    {
        null => PressureState.Normal,
        2 => PressureState.HypotensionWithoutVasopressor,
        3 => PressureState.OneVasopressor,
        _ => PressureState.MultipleVasopressors,
    };

    /// <summary>The oxygen state from the ASTCT hypoxia finding; positive pressure is split into
    /// mechanical ventilation (any such device reading in the window) and CPAP/BiPAP.</summary>
    public static OxygenState OxygenOf(CrsAssessment a, ClinicalFacts facts) => a.Hypoxia?.Grade switch
    {
        null => OxygenState.None,
        2 => OxygenState.LowFlow,
        3 => OxygenState.HighFlowOrMask,
        _ => VentilationReading(a, facts) is null ? OxygenState.NonInvasivePositivePressure : OxygenState.MechanicalVentilation,
    };

    private static OxygenDeviceReading? VentilationReading(CrsAssessment a, ClinicalFacts facts) =>
        facts.OxygenDevices.Where(d => d.Device == OxygenDevice.MechanicalVentilation && d.Time > a.WindowStart && d.Time <= a.WindowEnd)
            .MaxBy(d => d.Time);

    private static OlderScaleGrade Grade(OlderCrsScale scale, CrsAssessment a, ClinicalFacts facts, RuleSet rules)
    {
        if (a.Grade is null)
        {
            return new OlderScaleGrade(scale, null, null, ["not gradable: the ASTCT fever criterion cannot be judged (no temperature)"], a.Missing, []);
        }
        if (a.Grade == 0)
        {
            return new OlderScaleGrade(scale, 0, 0, ["no CRS by the fever rule shared with ASTCT"], [], a.Evidence);
        }

        var bands = new List<Band>();
        var oxygen = OxygenOf(a, facts);
        var evidence = new List<Evidence>(a.Evidence);
        if (oxygen == OxygenState.MechanicalVentilation && VentilationReading(a, facts) is { } mv)
        {
            evidence.Add(new Evidence(mv.Source, mv.Time, "mechanical ventilation"));
        }
        if (a.Fever.State == FeverState.Febrile || (a.Hypotension is null && a.Hypoxia is null)) bands.Add(FeverBand(scale));
        if (PressureBand(scale, PressureOf(a)) is { } pressure) bands.Add(pressure);
        if (OxygenBand(scale, oxygen, rules.OlderCrsScales) is { } o2) bands.Add(o2);

        var floor = bands.Max(b => b.Floor);
        var ceiling = bands.Max(b => b.Ceiling);
        // Only what could lift the grade above the floor is worth asking for.
        var missing = bands.Where(b => b.Deciding is not null && b.Ceiling > floor).Select(b => b.Deciding!).Distinct().ToList();
        var ordered = evidence.DistinctBy(e => (e.Source, e.Description)).OrderBy(e => e.Time ?? DateTimeOffset.MinValue).ToList();
        return new OlderScaleGrade(scale, floor, ceiling, bands.Select(b => b.Reading).ToList(), missing, ordered);
    }
}
