namespace CarTCds.Hooks.Facts;

/// <summary>The input codes of docs/DATA-CONTRACT.md (profiles/ states them formally).</summary>
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

    public const string IceScore = "ice-score";
    public const string CapdScore = "capd-score";
    public const string Consciousness = "consciousness";
    public const string Seizure = "seizure";
    public const string MotorWeakness = "motor-weakness";
    public const string CerebralEdema = "cerebral-edema";
    public const string DiseaseStatus = "disease-status";
    public const string Cd19Expression = "cd19-expression";
    public const string MarrowBlasts = "marrow-blasts";
    public const string CnsStatus = "cns-status";
    public const string Lansky = "lansky";
    public const string AllogeneicHsct = "allogeneic-hsct";
    public const string Gvhd = "gvhd";
    public const string Cd19DirectedTherapy = "cd19-directed-therapy";
    public const string CarTReferral = "car-t-referral";

    public const string LoincKarnofsky = "89243-0";
    public const string SnomedBCellAll = "277571004";
    public const string SnomedAllogeneicHsct = "234336002";
    public const string SnomedDownSyndrome = "41040004";
    public const string RxNormBlinatumomab = "1597258";

    /// <summary>ICD-O-3 morphology (lineage of a leukaemia coded that way).</summary>
    public const string IcdO3 = "http://terminology.hl7.org/CodeSystem/icd-o-3";

    /// <summary>Tisagenlecleucel (Kymriah) NDC labeler-product code; package codes extend it.</summary>
    public const string TisagenlecleucelNdc = "0078-0846";
}

/// <summary>How far back the rules read an input Observation.</summary>
public enum ObservationReach
{
    /// <summary>Within the rules' look-back windows (vitals, neurological scores, labs): the
    /// service's own reads ask only from <see cref="CarTCds.Rules.LookBack.EarliestRecentRecord"/> on.</summary>
    Recent,

    /// <summary>At any age (weight, disease history, performance status, seizures): read whole.</summary>
    WholeHistory,
}
