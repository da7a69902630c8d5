namespace CarTCds.Rules.Facts;

/// <summary>A laboratory result in its canonical unit (<see cref="LabTests.Unit"/>).</summary>
/// <param name="Time">Specimen/effective time.</param>
/// <param name="Test">Which test.</param>
/// <param name="Value">Value in the canonical unit.</param>
/// <param name="UpperLimitOfNormal">The laboratory's upper reference limit (Observation.referenceRange.high), in the canonical unit, when sent.</param>
/// <param name="Source">FHIR reference.</param>
public sealed record LabResult(DateTimeOffset Time, LabTest Test, decimal Value, decimal? UpperLimitOfNormal, string Source);

public enum LabTest
{
    /// <summary>LOINC 2276-4, ng/mL.</summary>
    Ferritin,
    /// <summary>LOINC 1988-5, mg/L.</summary>
    Crp,
    /// <summary>LOINC 26881-3, pg/mL.</summary>
    Interleukin6,
    /// <summary>LOINC 3255-7, mg/dL.</summary>
    Fibrinogen,
    /// <summary>LOINC 1920-8, U/L.</summary>
    Ast,
    /// <summary>LOINC 1742-6, U/L.</summary>
    Alt,
    /// <summary>LOINC 1975-2, mg/dL.</summary>
    Bilirubin,
    /// <summary>LOINC 2160-0, mg/dL.</summary>
    Creatinine,
    /// <summary>LOINC 2532-0 / 14804-9, U/L.</summary>
    Ldh,
    /// <summary>LOINC 2465-3, mg/dL.</summary>
    IgG,
    /// <summary>LOINC 8116-6, cells/µL.</summary>
    Cd19Count,
    /// <summary>LOINC 8117-4, % of lymphocytes.</summary>
    Cd19Percent,
    /// <summary>LOINC 777-3, 10^9/L.</summary>
    Platelets,
    /// <summary>LOINC 751-8, 10^9/L.</summary>
    Neutrophils,
}

public static class LabTests
{
    /// <summary>The canonical unit (UCUM) each test is converted to.</summary>
    public static string Unit(LabTest t) => t switch
    {
        LabTest.Ferritin => "ng/mL",
        LabTest.Crp => "mg/L",
        LabTest.Interleukin6 => "pg/mL",
        LabTest.Fibrinogen => "mg/dL",
        LabTest.Ast or LabTest.Alt or LabTest.Ldh => "U/L",
        LabTest.Bilirubin or LabTest.Creatinine or LabTest.IgG => "mg/dL",
        LabTest.Cd19Count => "/uL",
        LabTest.Cd19Percent => "%",
        LabTest.Platelets or LabTest.Neutrophils => "10*9/L",
        _ => throw new ArgumentOutOfRangeException(nameof(t), t, null),
    };

    /// <summary>Clinical name (<c>ferritin</c>, <c>ALT</c>).</summary>
    public static string Name(LabTest t) => t switch
    {
        LabTest.Ast => "AST",
        LabTest.Alt => "ALT",
        LabTest.Crp => "CRP",
        LabTest.Ldh => "LDH",
        LabTest.IgG => "IgG",
        LabTest.Interleukin6 => "IL-6",
        LabTest.Cd19Count => "CD19+ B cells",
        LabTest.Cd19Percent => "CD19+ B cells (%)",
        _ => t.ToString().ToLowerInvariant(),
    };
}

/// <summary>Body weight in kg (LOINC 29463-7).</summary>
public sealed record BodyWeight(DateTimeOffset Time, decimal Kilograms, string Source);
