namespace CarTCds.Rules.Crs.OlderScales;

/// <summary>Readings of the older CRS scales (Lee 2014, Penn, CTCAE v5) where their wording does not
/// map onto the facts the engine has (docs/CLINICAL-RULES.md §1a).</summary>
public sealed class OlderCrsScaleParameters
{
    /// <summary>Whether CPAP/BiPAP counts as "requirement for ventilator support" (Lee 2014 grade 4).
    /// Default false [U]: Lee et al. 2014 Table 2 does not say; seed 003 grades patient 1
    /// ("high-dose norepinephrine + BiPAP") as grade 3, which only fits when non-invasive ventilation
    /// is not ventilator support. When false, CPAP/BiPAP is read as an oxygen requirement of unknown
    /// FiO₂ (grade 2, or 3 at ≥ 40 %); when true, it is grade 4.</summary>
    public bool Lee2014NonInvasiveVentilationIsVentilatorSupport { get; init; }
}
