namespace CarTCds.Rules.IecHs;

/// <summary>Parameters of the carHLH / IEC-HS screen (docs/CLINICAL-RULES.md §3). The screen raises a flag
/// for clinician confirmation, never a diagnosis. CARTOX carHLH values are [S] (faithful secondary
/// reproduction of Neelapu et al. 2018); every ASTCT IEC-HS value is [U] (docs/CLINICAL-RULES.md: "criteria
/// from memory") and so is every default upper limit of normal: institutions should set them.</summary>
public sealed class IecHsParameters
{
    // ---- CARTOX carHLH (Neelapu et al., Nat Rev Clin Oncol 2018) --------------------------------

    /// <summary>carHLH: peak ferritin must be strictly above this, in ng/mL. Default 10,000 (CARTOX) [S].</summary>
    public decimal CarHlhFerritinNgPerMl { get; init; } = 10_000m;

    /// <summary>carHLH: the "CRS period" in which ferritin and organ criteria are looked for, in whole
    /// days after the CAR-T infusion: (infusion, infusion + this]. Default 5 (CARTOX: "typically the
    /// first 5 days") [S]. Without an infusion on record <see cref="LookBackWithoutInfusion"/> is used.</summary>
    public int CarHlhFerritinWindowDays { get; init; } = 5;

    /// <summary>carHLH: how many organ criteria must accompany the ferritin. Default 2 ("plus any two
    /// of", CARTOX) [S]. Hepatic (ALT, AST or bilirubin) counts once.</summary>
    public int CarHlhMinOrganCriteria { get; init; } = 2;

    /// <summary>carHLH hepatic criterion: ALT or AST strictly above this × ULN. Default 5 (CTCAE v5.0
    /// grade 3 "&gt; 5.0–20.0 × ULN") [U: CTCAE is not quoted in docs/CLINICAL-RULES.md].</summary>
    public decimal CarHlhTransaminaseUlnMultiple { get; init; } = 5m;

    /// <summary>carHLH hepatic criterion: total bilirubin strictly above this × ULN. Default 3 (CTCAE
    /// v5.0 grade 3 "&gt; 3.0–10.0 × ULN") [U].</summary>
    public decimal CarHlhBilirubinUlnMultiple { get; init; } = 3m;

    /// <summary>carHLH renal criterion: creatinine strictly above this × ULN. Default 3 (CTCAE v5.0
    /// grade 3 "&gt; 3.0–6.0 × ULN") [U].</summary>
    public decimal CarHlhCreatinineUlnMultiple { get; init; } = 3m;

    /// <summary>carHLH renal criterion: creatinine strictly above this × baseline. Default 3 (CTCAE
    /// v5.0 grade 3 "&gt; 3.0 × baseline") [U]. Baseline: see <see cref="BaselineLookBack"/>.</summary>
    public decimal CarHlhCreatinineBaselineMultiple { get; init; } = 3m;

    // ---- Upper limits of normal, used only when the laboratory sent none -----------------------

    /// <summary>ALT upper limit of normal, U/L, when the result has no reference range. Default 40 [U].</summary>
    public decimal AltUlnUnitsPerL { get; init; } = 40m;

    /// <summary>AST upper limit of normal, U/L, when the result has no reference range. Default 40 [U].</summary>
    public decimal AstUlnUnitsPerL { get; init; } = 40m;

    /// <summary>Total bilirubin upper limit of normal, mg/dL, when the result has no reference range. Default 1.2 [U].</summary>
    public decimal BilirubinUlnMgPerDl { get; init; } = 1.2m;

    /// <summary>Creatinine upper limit of normal, mg/dL, when the result has no reference range.
    /// Default 1.0 [U] (an adult value; children's limits are lower — prefer the laboratory's).</summary>
    public decimal CreatinineUlnMgPerDl { get; init; } = 1.0m;

    /// <summary>Ferritin upper limit of normal, ng/mL, when the result has no reference range.
    /// Default 300 [U] (a common adult upper reference; varies with age, sex and laboratory).</summary>
    public decimal FerritinUlnNgPerMl { get; init; } = 300m;

    // ---- Windows --------------------------------------------------------------------------------

    /// <summary>Baseline values come from [infusion − this, infusion]: creatinine baseline = the
    /// earliest creatinine there (before lymphodepletion); ferritin baseline = the latest ferritin
    /// there ("at the time of infusion", Hines 2023); platelet and neutrophil baseline = the latest
    /// count there, i.e. after lymphodepleting chemotherapy (Hines 2023: cytopenias are compared with
    /// the post-lymphodepletion baseline). Default 30 days [U]: a value from years ago
    /// (a smaller child) is no baseline.</summary>
    public TimeSpan BaselineLookBack { get; init; } = TimeSpan.FromDays(30);

    /// <summary>When no CAR-T infusion is on record, the carHLH "CRS period" and the reference values
    /// for falling counts are taken from (at − this, at]. Default 14 days [U] (CRS and carHLH fall in
    /// the first weeks after infusion); no baseline can be known then.</summary>
    public TimeSpan LookBackWithoutInfusion { get; init; } = TimeSpan.FromDays(14);

    // ---- ASTCT IEC-HS (Hines et al., Transplant Cell Ther 2023;29:438) — all [U] ----------------

    /// <summary>IEC-HS features are looked for in (at − this, at], and never before the infusion.
    /// Default 72 h [U] (labs are daily while at risk; 72 h tolerates one missed day).</summary>
    public TimeSpan IecHsLookBack { get; init; } = TimeSpan.FromHours(72);

    /// <summary>IEC-HS ferritin feature: ferritin strictly above this × ULN. Default 2 [U].</summary>
    public decimal IecHsFerritinUlnMultiple { get; init; } = 2m;

    /// <summary>IEC-HS ferritin feature: ferritin strictly above this × baseline (at infusion). Default 2 [U].</summary>
    public decimal IecHsFerritinBaselineMultiple { get; init; } = 2m;

    /// <summary>How "&gt; 2 × ULN or baseline" is read. True (default) [U]: against the higher of ULN
    /// and baseline, so a ferritin raised before infusion (e.g. transfusional iron overload) must
    /// double again. False: either comparison suffices (the literal "&gt; 2 × ULN or &gt; 2 × baseline",
    /// under which a patient whose baseline already exceeds 2 × ULN meets the feature before any
    /// toxicity).</summary>
    public bool FerritinAgainstHigherOfUlnAndBaseline { get; init; } = true;

    /// <summary>IEC-HS "rapidly rising" ferritin: a value at least this × an earlier ferritin taken
    /// within <see cref="FerritinRapidRiseWithin"/> before it. Default 2 [U] (Hines: "per clinical
    /// judgement"; the number is this engine's).</summary>
    public decimal FerritinRapidRiseFactor { get; init; } = 2m;

    /// <summary>See <see cref="FerritinRapidRiseFactor"/>. Default 48 h [U].</summary>
    public TimeSpan FerritinRapidRiseWithin { get; init; } = TimeSpan.FromHours(48);

    /// <summary>IEC-HS transaminitis: ALT or AST strictly above this × ULN. Default 5 [U].</summary>
    public decimal IecHsTransaminaseUlnMultiple { get; init; } = 5m;

    /// <summary>IEC-HS hypofibrinogenaemia: fibrinogen strictly below this, mg/dL (149 counts, 150
    /// does not). Default 150 [U].</summary>
    public decimal FibrinogenBelowMgPerDl { get; init; } = 150m;

    /// <summary>New or worsening cytopenia: platelets below this (×10⁹/L) and fallen by
    /// <see cref="CytopeniaFallFraction"/>. Default 150 (the usual lower reference limit) [U].</summary>
    public decimal PlateletsLowerLimitPerNl { get; init; } = 150m;

    /// <summary>New or worsening cytopenia: neutrophils below this (×10⁹/L) and fallen by
    /// <see cref="CytopeniaFallFraction"/>. Default 1.5 (the usual lower reference limit) [U].</summary>
    public decimal NeutrophilsLowerLimitPerNl { get; init; } = 1.5m;

    /// <summary>New or worsening cytopenia: the count has fallen by at least this fraction (0–1) from
    /// the post-lymphodepletion baseline (the latest count at or before the infusion; without one,
    /// the highest earlier count after the infusion). Default 0.5 [U] (Hines names no number; the
    /// value is this engine's).</summary>
    public decimal CytopeniaFallFraction { get; init; } = 0.5m;

    /// <summary>How many of transaminitis, hypofibrinogenaemia and new/worse cytopenia must accompany
    /// the ferritin feature for the IEC-HS criteria set to raise the flag. Default 1 [U].</summary>
    public int IecHsMinAdditionalFeatures { get; init; } = 1;

    /// <summary>Whether the ASTCT IEC-HS set also needs CRS to be improving (current grade below the
    /// maximum since infusion), per Hines 2023 "onset as CRS resolves". Default true [U]; without an
    /// infusion on record the timing is not checked and a note says so. When on and CRS is
    /// improving, each feature must start or worsen after CRS began improving (the start of the
    /// first day after the worst day with a lower daily grade): only results after that moment that
    /// are worse than the last result up to it count — a ferritin must rise again, not fall from
    /// its CRS peak; fibrinogen and counts must fall further.</summary>
    public bool IecHsRequiresCrsImproving { get; init; } = true;

    internal IEnumerable<string> Validate()
    {
        if (CarHlhFerritinNgPerMl is < 500m or > 100_000m) yield return $"IecHs.CarHlhFerritinNgPerMl must be between 500 and 100,000 ng/mL (was {CarHlhFerritinNgPerMl}).";
        if (CarHlhFerritinWindowDays is < 1 or > 60) yield return $"IecHs.CarHlhFerritinWindowDays must be between 1 and 60 days (was {CarHlhFerritinWindowDays}).";
        if (CarHlhMinOrganCriteria is < 1 or > 4) yield return $"IecHs.CarHlhMinOrganCriteria must be between 1 and 4 (was {CarHlhMinOrganCriteria}).";
        foreach (var (name, v) in new[]
        {
            ("CarHlhTransaminaseUlnMultiple", CarHlhTransaminaseUlnMultiple), ("CarHlhBilirubinUlnMultiple", CarHlhBilirubinUlnMultiple),
            ("CarHlhCreatinineUlnMultiple", CarHlhCreatinineUlnMultiple), ("CarHlhCreatinineBaselineMultiple", CarHlhCreatinineBaselineMultiple),
            ("IecHsFerritinUlnMultiple", IecHsFerritinUlnMultiple), ("IecHsFerritinBaselineMultiple", IecHsFerritinBaselineMultiple),
            ("FerritinRapidRiseFactor", FerritinRapidRiseFactor), ("IecHsTransaminaseUlnMultiple", IecHsTransaminaseUlnMultiple),
        })
        {
            if (v is <= 1m or > 50m) yield return $"IecHs.{name} must be more than 1 and at most 50 (was {v}).";
        }
        foreach (var (name, v, max) in new[]
        {
            ("AltUlnUnitsPerL", AltUlnUnitsPerL, 500m), ("AstUlnUnitsPerL", AstUlnUnitsPerL, 500m),
            ("BilirubinUlnMgPerDl", BilirubinUlnMgPerDl, 10m), ("CreatinineUlnMgPerDl", CreatinineUlnMgPerDl, 10m),
            ("FerritinUlnNgPerMl", FerritinUlnNgPerMl, 5_000m),
        })
        {
            if (v <= 0m || v > max) yield return $"IecHs.{name} must be more than 0 and at most {max} (was {v}).";
        }
        if (BaselineLookBack <= TimeSpan.Zero || BaselineLookBack > TimeSpan.FromDays(365)) yield return $"IecHs.BaselineLookBack must be more than 0 and at most 365 days (was {BaselineLookBack}).";
        if (LookBackWithoutInfusion <= TimeSpan.Zero || LookBackWithoutInfusion > TimeSpan.FromDays(365)) yield return $"IecHs.LookBackWithoutInfusion must be more than 0 and at most 365 days (was {LookBackWithoutInfusion}).";
        if (IecHsLookBack <= TimeSpan.Zero || IecHsLookBack > TimeSpan.FromDays(30)) yield return $"IecHs.IecHsLookBack must be more than 0 and at most 30 days (was {IecHsLookBack}).";
        if (FerritinRapidRiseWithin <= TimeSpan.Zero || FerritinRapidRiseWithin > TimeSpan.FromDays(14)) yield return $"IecHs.FerritinRapidRiseWithin must be more than 0 and at most 14 days (was {FerritinRapidRiseWithin}).";
        if (FibrinogenBelowMgPerDl is <= 0m or > 400m) yield return $"IecHs.FibrinogenBelowMgPerDl must be more than 0 and at most 400 mg/dL (was {FibrinogenBelowMgPerDl}).";
        if (PlateletsLowerLimitPerNl is <= 0m or > 500m) yield return $"IecHs.PlateletsLowerLimitPerNl must be more than 0 and at most 500 ×10⁹/L (was {PlateletsLowerLimitPerNl}).";
        if (NeutrophilsLowerLimitPerNl is <= 0m or > 10m) yield return $"IecHs.NeutrophilsLowerLimitPerNl must be more than 0 and at most 10 ×10⁹/L (was {NeutrophilsLowerLimitPerNl}).";
        if (CytopeniaFallFraction is <= 0m or >= 1m) yield return $"IecHs.CytopeniaFallFraction must be between 0 and 1, exclusive (was {CytopeniaFallFraction}).";
        if (IecHsMinAdditionalFeatures is < 1 or > 3) yield return $"IecHs.IecHsMinAdditionalFeatures must be between 1 and 3 (was {IecHsMinAdditionalFeatures}).";
    }
}
