namespace CarTCds.Rules.Facts;

/// <summary>A leukaemia diagnosis (Condition).</summary>
/// <param name="Kind">What the codes say.</param>
/// <param name="Onset">Onset, when recorded.</param>
/// <param name="Description">The code or text it was read from, for evidence.</param>
/// <param name="Source">FHIR reference.</param>
public sealed record Diagnosis(DiagnosisKind Kind, DateTimeOffset? Onset, string Description, string Source);

public enum DiagnosisKind
{
    /// <summary>B-cell (precursor) ALL: SNOMED 277571004.</summary>
    BCellAll,
    /// <summary>ALL coded only as ICD-10-CM C91.0x, which covers B- and T-lineage alike.</summary>
    AllLineageUnspecified,
    /// <summary>T-cell ALL.</summary>
    TCellAll,
    /// <summary>Another leukaemia (e.g. AML).</summary>
    OtherLeukaemia,
}

/// <summary>One disease-status event (cartcds#disease-status): each relapse is its own event with its date.</summary>
public sealed record DiseaseStatusEvent(DateTimeOffset Time, DiseaseStatus Status, string Source);

public enum DiseaseStatus
{
    PrimaryRefractory,
    Relapse,
    RefractoryRelapse,
    Remission,
    MrdPositive,
}

/// <summary>CD19 expression on blasts (cartcds#cd19-expression).</summary>
public sealed record Cd19Expression(DateTimeOffset Time, Cd19Status Status, string Source);

public enum Cd19Status
{
    Positive,
    Negative,
    Dim,
}

/// <summary>Marrow blasts in % (cartcds#marrow-blasts).</summary>
public sealed record MarrowBlasts(DateTimeOffset Time, decimal Percent, string Source);

/// <summary>CNS status (cartcds#cns-status).</summary>
public sealed record CnsStatusReading(DateTimeOffset Time, CnsStatus Status, string Source);

public enum CnsStatus
{
    Cns1,
    Cns2,
    Cns3,
}

/// <summary>An allogeneic haematopoietic stem-cell transplant (Procedure).</summary>
public sealed record AllogeneicTransplant(DateTimeOffset Time, string Source);

/// <summary>Active graft-versus-host disease (Condition cartcds#gvhd, clinicalStatus active).</summary>
public sealed record ActiveGvhd(DateTimeOffset? Onset, string Source);

/// <summary>Prior CD19-directed therapy (blinatumomab or cartcds#cd19-directed-therapy).</summary>
public sealed record PriorCd19Therapy(DateTimeOffset? Time, string Description, string Source);

/// <summary>Karnofsky (≥ 16 y) or Lansky (&lt; 16 y) performance status, 0–100.</summary>
public sealed record PerformanceStatus(DateTimeOffset Time, PerformanceScale Scale, int Score, string Source);

public enum PerformanceScale
{
    Karnofsky,
    Lansky,
}

/// <summary>A condition worth knowing (Down syndrome; seizure disorder), informational.</summary>
public sealed record NotableCondition(NotableConditionKind Kind, string Source);

public enum NotableConditionKind
{
    DownSyndrome,
    SeizureDisorder,
}
