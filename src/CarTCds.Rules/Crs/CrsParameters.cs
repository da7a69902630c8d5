namespace CarTCds.Rules.Crs;

/// <summary>Parameters of ASTCT CRS grading. Defaults and sources from docs/CLINICAL-RULES.md §1;
/// those tagged [U] there are unverified and must stay configurable.</summary>
public sealed class CrsParameters
{
    /// <summary>Fever: temperature ≥ this, in °C. Default 38.0 (ASTCT 2019, Lee et al. Table 5).
    /// Some institutions use 38.3.</summary>
    public decimal FeverCelsius { get; init; } = 38.0m;

    /// <summary>How far back from the evaluation time the current grade looks. Default 24 h
    /// (issue "Clinical engine"; a daily grade is how ASTCT grades are reported).</summary>
    public TimeSpan LookBack { get; init; } = TimeSpan.FromHours(24);

    /// <summary>Highest oxygen flow, in L/min, that is still "low-flow nasal cannula" (grade 2);
    /// above it is high-flow (grade 3). Default 6 (ASTCT 2019 Table 5 footnote).</summary>
    public decimal LowFlowMaxLitresPerMinute { get; init; } = 6m;

    /// <summary>Whether antipyretics (acetaminophen, ibuprofen) waive the fever requirement like
    /// tocilizumab and steroids do. Default true: Lee 2019 names "antipyretic or anticytokine
    /// therapy"; other summaries name anti-cytokine therapy only [U]. Applied only when a fever was
    /// documented since infusion before the antipyretic, so pre-infusion premedication with
    /// acetaminophen never masks anything.</summary>
    public bool AntipyreticsMaskFever { get; init; } = true;

    /// <summary>When no infusion is on record, how far back a fever-masking drug counts. Default
    /// 14 days [U] (CRS onset is typically within 14 days of infusion).</summary>
    public TimeSpan MaskingLookBackWithoutInfusion { get; init; } = TimeSpan.FromDays(14);

    /// <summary>How many calendar days, ending with the evaluation day, the CRS course since
    /// infusion is graded over day by day. Default 365. CRS after tisagenlecleucel begins within
    /// the first weeks (ELIANA: median onset day 3, range 1–22; Maude et al., N Engl J Med
    /// 2018;378:439–448, https://doi.org/10.1056/NEJMoa1709866), so a year holds every course;
    /// the bound keeps an infusion dated decades back (year 0001 is valid FHIR) from costing one
    /// grading per day since then. An older infusion's course is graded over the last this-many
    /// days only, and the card says so.</summary>
    public int CourseMaxDays { get; init; } = 365;

    /// <summary>A CRS episode ends once this long passes without any CRS-qualifying finding (fever
    /// ≥ <see cref="FeverCelsius"/>, hypotension, a vasopressor, supplemental oxygen); a finding
    /// exactly this long after the previous one starts a new episode. Fever masking by an
    /// antipyretic, tocilizumab or a steroid lasts only to the end of the episode it was given in
    /// (ASTCT 2019: fever is waived for "subsequent CRS", i.e. the same episode after its
    /// treatment). Default 24 h [U]: no source we read defines when a CRS episode ends; 24 h is
    /// the grading window (daily grades). Must be at least <see cref="LookBack"/>, so that one
    /// grading window never holds the end of one episode and the start of the next.</summary>
    public TimeSpan EpisodeEndsAfter { get; init; } = TimeSpan.FromHours(24);

    /// <summary>Hypotension, age ≥ <see cref="PaediatricFormulaMinAgeYears"/> and ≤
    /// <see cref="PaediatricFormulaMaxAgeYears"/>: SBP &lt; base + perYear × age (mmHg).
    /// Defaults 70 and 2 (Mahadeo et al. 2019 Table 2) [V].</summary>
    public decimal PaediatricSbpBaseMmHg { get; init; } = 70m;

    /// <inheritdoc cref="PaediatricSbpBaseMmHg"/>
    public decimal PaediatricSbpPerYearMmHg { get; init; } = 2m;

    /// <summary>Youngest age (years) for the formula. Default 1 (Mahadeo Table 2).</summary>
    public int PaediatricFormulaMinAgeYears { get; init; } = 1;

    /// <summary>Oldest age (years) for the formula. Default 10 (Mahadeo Table 2).</summary>
    public int PaediatricFormulaMaxAgeYears { get; init; } = 10;

    /// <summary>Hypotension under age 1: SBP &lt; this (mmHg). Default 70 [U] (PALS 1–12 months).</summary>
    public decimal InfantSbpMmHg { get; init; } = 70m;

    /// <summary>Hypotension above the formula's ages (children &gt; 10 y and adults): SBP &lt; this
    /// (mmHg). Default 90 (Mahadeo Table 2 [V]; adults [S]; ASTCT sets no number [U]).</summary>
    public decimal OlderSbpMmHg { get; init; } = 90m;

    /// <summary>The SBP below which a patient of this age is hypotensive, in mmHg.</summary>
    public decimal HypotensionThresholdMmHg(int ageYears) =>
        ageYears < PaediatricFormulaMinAgeYears ? InfantSbpMmHg
        : ageYears <= PaediatricFormulaMaxAgeYears ? PaediatricSbpBaseMmHg + (PaediatricSbpPerYearMmHg * ageYears)
        : OlderSbpMmHg;

    internal IEnumerable<string> Validate()
    {
        if (FeverCelsius is < 37m or > 40m) yield return $"Crs.FeverCelsius must be between 37 and 40 °C (was {FeverCelsius}).";
        if (LookBack <= TimeSpan.Zero || LookBack > TimeSpan.FromDays(7)) yield return $"Crs.LookBack must be more than 0 and at most 7 days (was {LookBack}).";
        if (LowFlowMaxLitresPerMinute is <= 0m or > 15m) yield return $"Crs.LowFlowMaxLitresPerMinute must be in (0, 15] L/min (was {LowFlowMaxLitresPerMinute}).";
        if (MaskingLookBackWithoutInfusion <= TimeSpan.Zero) yield return "Crs.MaskingLookBackWithoutInfusion must be positive.";
        if (CourseMaxDays is < 30 or > 3660) yield return $"Crs.CourseMaxDays must be between 30 and 3660 days (was {CourseMaxDays}).";
        if (EpisodeEndsAfter < LookBack || EpisodeEndsAfter > TimeSpan.FromDays(14)) yield return $"Crs.EpisodeEndsAfter must be at least Crs.LookBack ({LookBack}) and at most 14 days (was {EpisodeEndsAfter}).";
        if (PaediatricFormulaMinAgeYears < 0 || PaediatricFormulaMaxAgeYears < PaediatricFormulaMinAgeYears) yield return "Crs paediatric formula ages must satisfy 0 ≤ min ≤ max.";
        foreach (var (name, v) in new[] { ("InfantSbpMmHg", InfantSbpMmHg), ("OlderSbpMmHg", OlderSbpMmHg), ("PaediatricSbpBaseMmHg", PaediatricSbpBaseMmHg) })
        {
            if (v is < 40m or > 120m) yield return $"Crs.{name} must be between 40 and 120 mmHg (was {v}).";
        }
        if (PaediatricSbpPerYearMmHg is < 0m or > 5m) yield return $"Crs.PaediatricSbpPerYearMmHg must be between 0 and 5 (was {PaediatricSbpPerYearMmHg}).";
    }
}
