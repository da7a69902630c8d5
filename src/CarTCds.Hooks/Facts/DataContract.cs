namespace CarTCds.Hooks.Facts;

/// <summary>The input codes of DATA-CONTRACT.md (profiles/ states them formally).</summary>
public static class DataContract
{
    /// <summary>The project CodeSystem, for facts that have no standard code.</summary>
    public const string CarTCds = "http://cartcds.org/fhir/CodeSystem/cartcds";

    public const string LoincBodyTemperature = "8310-5";
    public const string LoincSystolicBp = "8480-6";
    public const string LoincBloodPressurePanel = "85354-9";
    public const string LoincOxygenFlow = "3151-8";
    public const string LoincBodyWeight = "29463-7";

    public const string Hypotension = "hypotension";
    public const string OxygenDelivery = "oxygen-delivery";
    public const string CarTInfusion = "car-t-infusion";

    /// <summary>Tisagenlecleucel (Kymriah) NDC labeler-product code; package codes extend it.</summary>
    public const string TisagenlecleucelNdc = "0078-0846";
}
