using CarTCds.Hooks.Contract;

namespace CarTCds.Hooks.Cards;

/// <summary>The published sources cards link to (docs/CLINICAL-RULES.md "Sources").</summary>
public static class References
{
    public static readonly Link Astct2019 = new() { Label = "ASTCT consensus grading for CRS and ICANS (Lee et al. 2019)", Url = "https://doi.org/10.1016/j.bbmt.2018.12.758" };
    public static readonly Link Mahadeo2019 = new() { Label = "Paediatric CAR-T toxicity management (Mahadeo et al. 2019)", Url = "https://doi.org/10.1038/s41571-018-0075-2" };
    public static readonly Link Cartox2018 = new() { Label = "CARTOX: carHLH criteria (Neelapu et al. 2018)", Url = "https://doi.org/10.1038/nrclinonc.2017.148" };
    public static readonly Link IecHs2023 = new() { Label = "ASTCT IEC-HS consensus (Hines et al. 2023)", Url = "https://doi.org/10.1016/j.jtct.2023.03.006" };
    public static readonly Link Asco2021 = new() { Label = "ASCO guideline: immune effector cell toxicities (Santomasso et al. 2021)", Url = "https://doi.org/10.1200/JCO.21.01992" };
    public static readonly Link KymriahLabel = new() { Label = "Kymriah (tisagenlecleucel) US prescribing information", Url = "https://www.fda.gov/media/107296/download" };

    /// <summary>The CarTCds CodeSystem for card topics and override reasons.</summary>
    public const string OverrideReasonSystem = "http://cartcds.org/fhir/CodeSystem/cartcds-override-reason";
}
