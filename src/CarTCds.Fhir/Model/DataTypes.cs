namespace CarTCds.Fhir.Model;

// The lean FHIR R4 data types: only the elements CarTCds reads or writes.
// Elements not modelled here are skipped on read (FHIR's "must ignore unknown" is not the
// rule for resources in general, but for a read-only consumer of a subset it is the only
// workable one); a resource we must pass through unchanged is kept raw (OtherResource).
// http://hl7.org/fhir/R4/datatypes.html

/// <summary>FHIR Coding. http://hl7.org/fhir/R4/datatypes.html#Coding</summary>
public sealed class Coding
{
    [RuleInput]
    public string? System { get; set; }
    public string? Version { get; set; }
    [RuleInput]
    public string? Code { get; set; }
    [RuleInput]
    public string? Display { get; set; }
    public bool? UserSelected { get; set; }

    public Coding() { }

    public Coding(string system, string code, string? display = null)
    {
        System = system;
        Code = code;
        Display = display;
    }

    /// <summary>True when both system and code match exactly (FHIR codes are case-sensitive).</summary>
    public bool Is(string system, string code) =>
        string.Equals(System, system, StringComparison.Ordinal) && string.Equals(Code, code, StringComparison.Ordinal);
}

/// <summary>FHIR CodeableConcept. http://hl7.org/fhir/R4/datatypes.html#CodeableConcept</summary>
public sealed class CodeableConcept
{
    [RuleInput]
    public List<Coding>? Coding { get; set; }
    [RuleInput]
    public string? Text { get; set; }

    public CodeableConcept() { }

    public CodeableConcept(string system, string code, string? display = null, string? text = null)
    {
        Coding = [new Coding(system, code, display)];
        Text = text;
    }

    /// <summary>True when any coding has this system and code.</summary>
    public bool Has(string system, string code)
    {
        if (Coding is null) return false;
        foreach (var c in Coding)
        {
            if (c.Is(system, code)) return true;
        }
        return false;
    }

    /// <summary>The code of the first coding in <paramref name="system"/>, or null.</summary>
    public string? CodeIn(string system)
    {
        if (Coding is null) return null;
        foreach (var c in Coding)
        {
            if (string.Equals(c.System, system, StringComparison.Ordinal) && c.Code is not null) return c.Code;
        }
        return null;
    }
}

/// <summary>FHIR Quantity (also used for SimpleQuantity, Age, Duration). Units are UCUM when
/// <see cref="System"/> is http://unitsofmeasure.org; <see cref="Code"/> carries the UCUM code,
/// <see cref="Unit"/> the human display.</summary>
public sealed class Quantity
{
    [RuleInput]
    public decimal? Value { get; set; }
    [RuleInput]
    public string? Comparator { get; set; }
    [RuleInput]
    public string? Unit { get; set; }
    [RuleInput]
    public string? System { get; set; }
    [RuleInput]
    public string? Code { get; set; }

    public Quantity() { }

    public Quantity(decimal value, string ucumCode, string? unit = null)
    {
        Value = value;
        System = FhirSystems.Ucum;
        Code = ucumCode;
        Unit = unit ?? ucumCode;
    }
}

/// <summary>FHIR Period; either end may be absent (an open period).</summary>
public sealed class Period
{
    [RuleInput]
    public string? Start { get; set; }
    [RuleInput]
    public string? End { get; set; }
}

/// <summary>FHIR Ratio (e.g. a strength: 4 mg / 1 tablet).</summary>
public sealed class Ratio
{
    [RuleInput]
    public Quantity? Numerator { get; set; }
    [RuleInput]
    public Quantity? Denominator { get; set; }
}

/// <summary>FHIR Range.</summary>
public sealed class Range
{
    public Quantity? Low { get; set; }
    public Quantity? High { get; set; }
}

/// <summary>FHIR Reference. Literal references are relative (<c>Patient/123</c>), absolute
/// URLs, or <c>#id</c> for a contained resource.</summary>
public sealed class Reference
{
    [System.Text.Json.Serialization.JsonPropertyName("reference")]
    [RuleInput]
    public string? ReferenceValue { get; set; }
    public string? Type { get; set; }
    public Identifier? Identifier { get; set; }
    public string? Display { get; set; }

    public Reference() { }

    public Reference(string reference) => ReferenceValue = reference;
}

public sealed class Identifier
{
    public string? Use { get; set; }
    public CodeableConcept? Type { get; set; }
    public string? System { get; set; }
    public string? Value { get; set; }
    public Period? Period { get; set; }
}

public sealed class HumanName
{
    public string? Use { get; set; }
    public string? Text { get; set; }
    public string? Family { get; set; }
    public List<string>? Given { get; set; }
    public List<string>? Prefix { get; set; }
    public List<string>? Suffix { get; set; }
}

public sealed class Meta
{
    public string? VersionId { get; set; }
    public string? LastUpdated { get; set; }
    public string? Source { get; set; }
    [RuleInput]
    public List<string>? Profile { get; set; }
    public List<Coding>? Security { get; set; }
    public List<Coding>? Tag { get; set; }
}

public sealed class Narrative
{
    public string? Status { get; set; }
    public string? Div { get; set; }
}

/// <summary>FHIR Extension with the value types CarTCds reads; an extension with another value
/// type keeps its url and nested extensions but loses the value.</summary>
public sealed class Extension
{
    public string? Url { get; set; }
    public string? ValueString { get; set; }
    public string? ValueCode { get; set; }
    public string? ValueUri { get; set; }
    public bool? ValueBoolean { get; set; }
    public int? ValueInteger { get; set; }
    public decimal? ValueDecimal { get; set; }
    public string? ValueDateTime { get; set; }
    public string? ValueDate { get; set; }
    public Coding? ValueCoding { get; set; }
    public CodeableConcept? ValueCodeableConcept { get; set; }
    public Quantity? ValueQuantity { get; set; }
    public Reference? ValueReference { get; set; }

    [System.Text.Json.Serialization.JsonPropertyName("extension")]
    public List<Extension>? NestedExtension { get; set; }
}

public sealed class Annotation
{
    public string? AuthorString { get; set; }
    public Reference? AuthorReference { get; set; }
    public string? Time { get; set; }
    public string? Text { get; set; }
}

public sealed class Timing
{
    public List<string>? Event { get; set; }
    public TimingRepeat? Repeat { get; set; }
    public CodeableConcept? Code { get; set; }
}

public sealed class TimingRepeat
{
    public int? Count { get; set; }
    public int? Frequency { get; set; }
    public decimal? Period { get; set; }
    public string? PeriodUnit { get; set; }
    public Period? BoundsPeriod { get; set; }
}

public sealed class Dosage
{
    public int? Sequence { get; set; }
    public string? Text { get; set; }
    public string? PatientInstruction { get; set; }
    public Timing? Timing { get; set; }
    public bool? AsNeededBoolean { get; set; }
    public CodeableConcept? Route { get; set; }
    public CodeableConcept? Method { get; set; }
    [RuleInput]
    public List<DosageDoseAndRate>? DoseAndRate { get; set; }
    public Quantity? MaxDosePerAdministration { get; set; }
}

public sealed class DosageDoseAndRate
{
    public CodeableConcept? Type { get; set; }
    [RuleInput]
    public Quantity? DoseQuantity { get; set; }
    public Range? DoseRange { get; set; }
    public Quantity? RateQuantity { get; set; }
}

/// <summary>Code system URIs used across the FHIR layer.</summary>
public static class FhirSystems
{
    public const string Ucum = "http://unitsofmeasure.org";
    public const string Loinc = "http://loinc.org";
    public const string Snomed = "http://snomed.info/sct";
    public const string RxNorm = "http://www.nlm.nih.gov/research/umls/rxnorm";
    public const string Icd10Cm = "http://hl7.org/fhir/sid/icd-10-cm";
    public const string Ndc = "http://hl7.org/fhir/sid/ndc";
    public const string ObservationCategory = "http://terminology.hl7.org/CodeSystem/observation-category";
    public const string ConditionClinical = "http://terminology.hl7.org/CodeSystem/condition-clinical";
    public const string ConditionVerification = "http://terminology.hl7.org/CodeSystem/condition-ver-status";
}
