namespace CarTCds.Rules.Facts;

/// <summary>Immune effector Cell-associated Encephalopathy score, 0–10 (ASTCT 2019 Table 3):
/// orientation 4, naming 3, following commands 1, writing 1, attention 1.</summary>
public sealed record IceScore(DateTimeOffset Time, int Score, string Source);

/// <summary>Cornell Assessment of Pediatric Delirium, 0–32 (8 items scored 0–4); ≥ 9 is positive.</summary>
public sealed record CapdScore(DateTimeOffset Time, int Score, string Source);

/// <summary>Level of consciousness (cartcds#consciousness).</summary>
public sealed record ConsciousnessReading(DateTimeOffset Time, ConsciousnessLevel Level, string Source);

public enum ConsciousnessLevel
{
    Alert,
    AwakensSpontaneously,
    AwakensToVoice,
    AwakensToTouch,
    Unarousable,
}

/// <summary>A seizure (cartcds#seizure).</summary>
public sealed record SeizureEvent(DateTimeOffset Time, SeizureKind Kind, string Source);

public enum SeizureKind
{
    /// <summary>Any clinical seizure that resolves rapidly, or non-convulsive EEG seizure resolving with intervention (ICANS grade 3).</summary>
    RapidlyResolving,
    /// <summary>Prolonged (&gt; 5 min) or repetitive without return to baseline (ICANS grade 4).</summary>
    ProlongedOrRepetitive,
}

/// <summary>Deep focal motor weakness, e.g. hemiparesis or paraparesis (cartcds#motor-weakness deep-focal; ICANS grade 4).</summary>
public sealed record MotorWeakness(DateTimeOffset Time, string Source);

/// <summary>Cerebral oedema or raised intracranial pressure (cartcds#cerebral-edema).</summary>
public sealed record CerebralEdema(DateTimeOffset Time, EdemaKind Kind, string Source);

public enum EdemaKind
{
    /// <summary>Focal/local oedema on neuroimaging (ICANS grade 3).</summary>
    Focal,
    /// <summary>Diffuse cerebral oedema on neuroimaging (grade 4).</summary>
    Diffuse,
    /// <summary>Decerebrate/decorticate posturing, cranial nerve VI palsy, papilloedema or Cushing's triad (grade 4).</summary>
    RaisedIcpSigns,
}
