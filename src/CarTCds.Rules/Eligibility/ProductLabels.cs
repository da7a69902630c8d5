namespace CarTCds.Rules.Eligibility;

/// <summary>The CD19-directed CAR-T products with a US label for B-cell precursor ALL.</summary>
public enum CarTProduct
{
    /// <summary>Kymriah (Novartis); criteria in <see cref="EligibilityParameters"/>.</summary>
    Tisagenlecleucel,
    /// <summary>Tecartus (Kite).</summary>
    BrexucabtageneAutoleucel,
    /// <summary>Aucatzyl (Autolus).</summary>
    ObecabtageneAutoleucel,
}

/// <summary>How a label words the disease status it covers.</summary>
public enum LabelDiseaseStatus
{
    /// <summary>"refractory or in second or later relapse" (Kymriah).</summary>
    RefractoryOrSecondOrLaterRelapse,
    /// <summary>"relapsed or refractory" (Tecartus, Aucatzyl): any relapse or refractory disease.</summary>
    RelapsedOrRefractory,
}

/// <summary>The facts of one label's B-ALL indication, versioned, with where they were read.</summary>
public sealed class ProductLabel
{
    /// <summary>Brand name (<c>Tecartus</c>).</summary>
    public string Brand { get; init; } = "";

    /// <summary>Which label revision these facts are from (<c>US PI 11/2024</c>); shown on the card.</summary>
    public string LabelVersion { get; init; } = "";

    /// <summary>The B-ALL indication as the label words it (§1 Indications and Usage).</summary>
    public string Indication { get; init; } = "";

    /// <summary>Where the label can be read.</summary>
    public string SourceUrl { get; init; } = "";

    /// <summary>Youngest age covered, in completed years on the date judged (inclusive); null = no lower limit.</summary>
    public int? MinAgeYears { get; init; }

    /// <summary>Oldest age covered, in completed years (inclusive); null = no upper limit.</summary>
    public int? MaxAgeYears { get; init; }

    /// <summary>The date the B-ALL indication was approved: before it, the label does not apply (so a
    /// chart evaluated "as of" 2013 is not offered a 2021 product). Null = no date check.</summary>
    public DateOnly? ApprovedOn { get; init; }

    /// <summary>The disease status the label covers.</summary>
    public LabelDiseaseStatus DiseaseStatus { get; init; } = LabelDiseaseStatus.RelapsedOrRefractory;

    internal IEnumerable<string> Validate(string name)
    {
        if (string.IsNullOrWhiteSpace(Brand) || string.IsNullOrWhiteSpace(LabelVersion) || string.IsNullOrWhiteSpace(Indication))
            yield return $"ProductLabels.{name}: Brand, LabelVersion and Indication must not be empty.";
        if (MinAgeYears is < 0 or > 120) yield return $"ProductLabels.{name}.MinAgeYears must be between 0 and 120 years (was {MinAgeYears}).";
        if (MaxAgeYears is < 0 or > 120 || MaxAgeYears < MinAgeYears) yield return $"ProductLabels.{name}.MaxAgeYears must be between MinAgeYears and 120 years (was {MaxAgeYears}).";
    }
}

/// <summary>Label facts of every CD19 CAR-T product for B-ALL assessed side by side at referral
/// (docs/CLINICAL-RULES.md §5a). Tisagenlecleucel's criteria stay in <see cref="EligibilityParameters"/>;
/// here only its label version.</summary>
public sealed class ProductLabelParameters
{
    /// <summary>Kymriah label revision shown on the card. Default "US PI 12/2025 (B-ALL indication
    /// unchanged since approval 08/2017)" [S]: openFDA label with major changes dated 6/2025 and
    /// 12/2025; indication wording verified on Novartis' HCP site [V].</summary>
    public string TisagenlecleucelLabelVersion { get; init; } = "US PI 12/2025 (B-ALL indication unchanged since approval 08/2017)";

    /// <summary>Where the Kymriah label can be read (FDA).</summary>
    public string TisagenlecleucelSourceUrl { get; init; } = "https://www.fda.gov/media/107296/download";

    /// <summary>Tecartus (brexucabtagene autoleucel). Indication [V, tecartushcp.com]: "adult patients
    /// with relapsed or refractory B-cell precursor acute lymphoblastic leukemia (ALL)"; FDA approval
    /// for ALL 2021-10-01 [S]. Adult = ≥ 18 years (US) [S].</summary>
    public ProductLabel BrexucabtageneAutoleucel { get; init; } = new()
    {
        Brand = "Tecartus",
        LabelVersion = "US PI (B-ALL indication approved 2021-10-01)",
        Indication = "adult patients with relapsed or refractory B-cell precursor acute lymphoblastic leukemia (ALL)",
        SourceUrl = "https://api.fda.gov/drug/label.json?search=openfda.generic_name:%22BREXUCABTAGENE+AUTOLEUCEL%22",
        MinAgeYears = 18,
        ApprovedOn = new DateOnly(2021, 10, 1),
        DiseaseStatus = LabelDiseaseStatus.RelapsedOrRefractory,
    };

    /// <summary>Aucatzyl (obecabtagene autoleucel). Indication [S, FDA/AABB/Autolus announcements of
    /// 2024-11-08; the PI text itself not re-read]: "adult patients with relapsed or refractory B-cell
    /// precursor acute lymphoblastic leukemia (ALL)". The EU authorisation (2025) covers adults from
    /// 26 years [S]; this rule set follows the US label. Adult = ≥ 18 years (US) [S].</summary>
    public ProductLabel ObecabtageneAutoleucel { get; init; } = new()
    {
        Brand = "Aucatzyl",
        LabelVersion = "US PI 11/2024 (approval 2024-11-08)",
        Indication = "adult patients with relapsed or refractory B-cell precursor acute lymphoblastic leukemia (ALL)",
        SourceUrl = "https://dailymed.nlm.nih.gov/dailymed/drugInfo.cfm?setid=4fef6986-b988-45e4-8c20-b14f0ef1f538",
        MinAgeYears = 18,
        ApprovedOn = new DateOnly(2024, 11, 8),
        DiseaseStatus = LabelDiseaseStatus.RelapsedOrRefractory,
    };

    internal IEnumerable<string> Validate()
    {
        if (string.IsNullOrWhiteSpace(TisagenlecleucelLabelVersion)) yield return "ProductLabels.TisagenlecleucelLabelVersion must not be empty.";
        foreach (var e in BrexucabtageneAutoleucel.Validate(nameof(BrexucabtageneAutoleucel))) yield return e;
        foreach (var e in ObecabtageneAutoleucel.Validate(nameof(ObecabtageneAutoleucel))) yield return e;
    }
}
