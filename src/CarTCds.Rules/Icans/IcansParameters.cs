namespace CarTCds.Rules.Icans;

/// <summary>Parameters of ICANS grading (ASTCT 2019, Lee et al. Table 6; docs/CLINICAL-RULES.md §2).
/// Defaults follow docs/CLINICAL-RULES.md; values tagged [U] there are unverified and must stay configurable.</summary>
public sealed class IcansParameters
{
    /// <summary>How far back from the evaluation time the current grade looks: the window is
    /// (at − LookBack, at]. Default 24 h, as for CRS (a daily grade is how ASTCT grades are reported;
    /// ICE/CAPD are done at least twice daily while at risk, docs/CLINICAL-RULES.md §4).</summary>
    public TimeSpan LookBack { get; init; } = TimeSpan.FromHours(24);

    /// <summary>Oldest age, in completed years, graded by CAPD rather than ICE: age ≤ this → CAPD,
    /// age &gt; this → ICE. Default 12: the NCI Thesaurus definition of ICANS
    /// (<see href="https://ncit.nci.nih.gov/ncitbrowser/ConceptReport.jsp?dictionary=NCI_Thesaurus&amp;code=C188936">C188936</see>)
    /// uses ICE "for adults and children over 12" and CAPD "for children 12 and under". Some summaries
    /// say CAPD under 12 (set 11 for that); docs/CLINICAL-RULES.md §2 makes this default supersede an
    /// issue's "ICE for age ≥ 12", so a 12-year-old is graded by CAPD.</summary>
    public int CapdMaxAgeYears { get; init; } = 12;

    /// <summary>Lowest ICE score (0–10) that is ICANS grade 1 rather than 2: ICE 7–9 → grade 1,
    /// ICE 10 → no encephalopathy. Default 7 (ASTCT 2019 Table 6) [S].</summary>
    public int IceGrade1MinScore { get; init; } = 7;

    /// <summary>Lowest ICE score (0–10) that is ICANS grade 2 rather than 3: ICE 3–6 → grade 2,
    /// ICE 0–2 → grade 3 (grade 4 when the patient is unarousable). Default 3 (ASTCT 2019 Table 6) [S].</summary>
    public int IceGrade2MinScore { get; init; } = 3;

    /// <summary>CAPD score (0–32) at or above which encephalopathy is ICANS grade 3 (a positive CAPD).
    /// CAPD 1 to this − 1 → grade 1 (ASTCT lists 1–8 under grades 1 and 2; grade 2 then comes from
    /// the level of consciousness). Default 9 (ASTCT 2019 Table 6; CAPD ≥ 9 is positive) [V].</summary>
    public int CapdGrade3MinScore { get; init; } = 9;

    internal IEnumerable<string> Validate()
    {
        if (LookBack <= TimeSpan.Zero || LookBack > TimeSpan.FromDays(7)) yield return $"Icans.LookBack must be more than 0 and at most 7 days (was {LookBack}).";
        if (CapdMaxAgeYears is < 0 or > 25) yield return $"Icans.CapdMaxAgeYears must be between 0 and 25 years (was {CapdMaxAgeYears}).";
        if (IceGrade1MinScore is < 2 or > 9) yield return $"Icans.IceGrade1MinScore must be between 2 and 9 (was {IceGrade1MinScore}).";
        if (IceGrade2MinScore < 1 || IceGrade2MinScore >= IceGrade1MinScore) yield return $"Icans.IceGrade2MinScore must be at least 1 and below IceGrade1MinScore (was {IceGrade2MinScore}, IceGrade1MinScore {IceGrade1MinScore}).";
        if (CapdGrade3MinScore is < 2 or > 32) yield return $"Icans.CapdGrade3MinScore must be between 2 and 32 (was {CapdGrade3MinScore}).";
    }
}
