namespace CarTCds.Rules.IecHs;

/// <summary>The carHLH / IEC-HS screen: a flag for clinician confirmation, never a diagnosis.</summary>
/// <param name="Flag">True when the CARTOX carHLH criteria or the ASTCT IEC-HS pattern are met by the data.</param>
/// <param name="Screened">False when no ferritin was found in either window: the screen could not
/// run (<see cref="Flag"/> is then false and <see cref="Missing"/> says what is needed).</param>
/// <param name="RaisedBy">The criteria set(s) that raised the flag; empty without a flag.</param>
/// <param name="CarHlh">The CARTOX carHLH criteria (Neelapu 2018) and how each fared.</param>
/// <param name="IecHs">The ASTCT IEC-HS features (Hines 2023, [U]) and how each fared.</param>
/// <param name="Evidence">Every laboratory result a criterion rests on (met or not), in time order.</param>
/// <param name="NotAssessable">Criteria the data cannot show (pulmonary oedema, haemophagocytosis, oliguria, timing).</param>
/// <param name="Missing">Data whose absence stopped a criterion being judged (e.g. no ferritin since infusion).</param>
/// <param name="Notes">Caveats a clinician should read; always says this is a flag, not a diagnosis.</param>
/// <param name="ManagementPointers">Advisory text when flagged (anakinra ± corticosteroids first line;
/// ruxolitinib, emapalumab, etoposide if refractory); empty without a flag.</param>
public sealed record IecHsAssessment(
    bool Flag,
    bool Screened,
    IReadOnlyList<IecHsCriteriaSet> RaisedBy,
    IecHsCriteriaResult CarHlh,
    IecHsCriteriaResult IecHs,
    IReadOnlyList<Evidence> Evidence,
    IReadOnlyList<string> NotAssessable,
    IReadOnlyList<string> Missing,
    IReadOnlyList<string> Notes,
    IReadOnlyList<string> ManagementPointers);

/// <summary>The criteria sets the screen applies.</summary>
public enum IecHsCriteriaSet
{
    /// <summary>CARTOX carHLH (Neelapu et al., Nat Rev Clin Oncol 2018): ferritin &gt; 10,000 ng/mL
    /// during CRS plus two organ criteria [S].</summary>
    CartoxCarHlh,
    /// <summary>ASTCT IEC-HS (Hines et al., Transplant Cell Ther 2023): raised or rapidly rising
    /// ferritin plus transaminitis, hypofibrinogenaemia or new/worse cytopenia [U].</summary>
    AstctIecHs,
}

/// <summary>One criteria set's verdict.</summary>
/// <param name="Set">Which set.</param>
/// <param name="Met">Whether the data meet it.</param>
/// <param name="From">Start (exclusive) of the period its laboratory results were taken from.</param>
/// <param name="To">End (inclusive) of that period.</param>
/// <param name="Summary">One line, e.g. <c>ferritin 45,000 ng/mL + 2 organ criteria (hepatic, renal)</c>.</param>
/// <param name="Criteria">Each criterion that was judged, met or not.</param>
public sealed record IecHsCriteriaResult(
    IecHsCriteriaSet Set,
    bool Met,
    DateTimeOffset From,
    DateTimeOffset To,
    string Summary,
    IReadOnlyList<IecHsCriterion> Criteria)
{
    /// <summary>The criterion of that kind, or null when it was not judged.</summary>
    public IecHsCriterion? Criterion(IecHsCriterionKind kind) => Criteria.FirstOrDefault(c => c.Kind == kind);
}

/// <summary>The criteria the data can show.</summary>
public enum IecHsCriterionKind
{
    /// <summary>CARTOX: peak ferritin &gt; 10,000 ng/mL in the CRS period.</summary>
    CarHlhFerritin,
    /// <summary>CARTOX: grade ≥ 3 ALT, AST or bilirubin rise (counts once).</summary>
    CarHlhHepatic,
    /// <summary>CARTOX: grade ≥ 3 creatinine rise (&gt; 3 × ULN or &gt; 3 × baseline).</summary>
    CarHlhRenal,
    /// <summary>IEC-HS: ferritin &gt; 2 × ULN or baseline, or rapidly rising.</summary>
    IecHsFerritin,
    /// <summary>IEC-HS: ALT or AST &gt; 5 × ULN.</summary>
    IecHsTransaminases,
    /// <summary>IEC-HS: fibrinogen &lt; 150 mg/dL.</summary>
    IecHsFibrinogen,
    /// <summary>IEC-HS: new or worsening cytopenia (platelets or neutrophils falling).</summary>
    IecHsCytopenia,
}

/// <param name="Kind">Which criterion.</param>
/// <param name="Met">Whether it is met.</param>
/// <param name="Description">With values and thresholds, e.g. <c>ALT 510 U/L (&gt; 5 × ULN 40 U/L, laboratory)</c>.</param>
/// <param name="Evidence">The results judged (the worst value; and the baseline or earlier value compared with).</param>
public sealed record IecHsCriterion(IecHsCriterionKind Kind, bool Met, string Description, IReadOnlyList<Evidence> Evidence);
