using System.Text.Json;
using System.Text.Json.Serialization;

namespace CarTCds.Fhir.Model;

/// <summary>Base of every FHIR resource. The JSON <c>resourceType</c> is written first and
/// chooses the concrete type on read (<see cref="Serialization.ResourceJsonConverter"/>).</summary>
public abstract class Resource
{
    [JsonPropertyName("resourceType")]
    [JsonPropertyOrder(-100)]
    public abstract string ResourceType { get; }

    private string? _id;
    private string? _typedId;

    [JsonPropertyOrder(-99)]
    [RuleInput]
    public string? Id
    {
        get => _id;
        set
        {
            _id = value;
            _typedId = null;
        }
    }

    [JsonPropertyOrder(-98)]
    [RuleInput]
    public Meta? Meta { get; set; }

    /// <summary>Elements of this resource (not of the resources it contains) that were malformed and
    /// skipped on read because no rule reads them (<see cref="Serialization.LenientElements"/>); empty
    /// when everything was read. A caller that uses the resource names them ("could not read …").</summary>
    [JsonIgnore]
    public IReadOnlyList<Serialization.UnreadElement> UnreadElements { get; internal set; } = [];

    /// <summary><c>ResourceType/id</c>, or null when the resource has no id.</summary>
    [JsonIgnore]
    public string? TypedId => _id is null ? null : _typedId ??= $"{ResourceType}/{_id}";
}

public abstract class DomainResource : Resource
{
    [JsonPropertyOrder(-97)]
    public Narrative? Text { get; set; }

    [JsonPropertyOrder(-96)]
    [RuleInput]
    public List<Resource>? Contained { get; set; }

    [JsonPropertyOrder(-95)]
    public List<Extension>? Extension { get; set; }

    [JsonPropertyOrder(-94)]
    public List<Extension>? ModifierExtension { get; set; }

    /// <summary>Resolves a <c>#id</c> reference against <see cref="Contained"/>; null otherwise.</summary>
    public T? ResolveContained<T>(Reference? reference) where T : Resource
    {
        var r = reference?.ReferenceValue;
        if (Contained is null || r is null || r.Length < 2 || r[0] != '#') return null;
        foreach (var c in Contained)
        {
            if (c is T t && string.Equals(c.Id, r[1..], StringComparison.Ordinal)) return t;
        }
        return null;
    }
}

/// <summary>A resource of a type the lean model does not know. It is kept as raw JSON, so it
/// passes through unchanged (e.g. an Encounter inside a Bundle).</summary>
public sealed class OtherResource : Resource
{
    private readonly string _resourceType;

    public OtherResource(string resourceType, JsonElement json)
    {
        _resourceType = resourceType;
        Json = json;
        Id = json.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String ? id.GetString() : null;
    }

    public override string ResourceType => _resourceType;

    /// <summary>The resource exactly as read.</summary>
    [JsonIgnore]
    public JsonElement Json { get; }
}

/// <summary>A resource the hook request reader skipped unread because no rule reads it (an Observation
/// whose code is outside the data contract; <see cref="Serialization.ObservationRelevance"/>, tests/load/README.md
/// "Read only what the rules need"). It keeps only what the request still needs of it: its type and id
/// (prefetch de-duplication, the card's "Left out" names) and its subject (whose record it is: another
/// patient's refuses the call as if it had been read whole).</summary>
/// <remarks>Never written back: its content was not kept, so writing it would silently drop data.</remarks>
public sealed class SkippedResource : Resource
{
    public SkippedResource(string resourceType, string? id, Reference? subject)
    {
        ResourceType = resourceType;
        Id = id;
        Subject = subject;
    }

    public override string ResourceType { get; }

    /// <summary>Its <c>subject</c> (a subject with anything but <c>reference</c>, <c>type</c> and
    /// <c>display</c> is never skipped), or null when it had none.</summary>
    [JsonIgnore]
    public Reference? Subject { get; }
}

public sealed class Patient : DomainResource
{
    public override string ResourceType => "Patient";
    public List<Identifier>? Identifier { get; set; }
    public bool? Active { get; set; }
    public List<HumanName>? Name { get; set; }
    public string? Gender { get; set; }
    /// <summary>FHIR date: YYYY, YYYY-MM or YYYY-MM-DD.</summary>
    [RuleInput]
    public string? BirthDate { get; set; }
    public bool? DeceasedBoolean { get; set; }
    public string? DeceasedDateTime { get; set; }
}

public sealed class Observation : DomainResource
{
    public override string ResourceType => "Observation";
    public List<Identifier>? Identifier { get; set; }
    [RuleInput]
    public string? Status { get; set; }
    public List<CodeableConcept>? Category { get; set; }
    [RuleInput]
    public CodeableConcept? Code { get; set; }
    [RuleInput]
    public Reference? Subject { get; set; }
    public Reference? Encounter { get; set; }
    [RuleInput]
    public string? EffectiveDateTime { get; set; }
    [RuleInput]
    public Period? EffectivePeriod { get; set; }
    [RuleInput]
    public string? EffectiveInstant { get; set; }
    public string? Issued { get; set; }
    public List<Reference>? Performer { get; set; }
    [RuleInput]
    public Quantity? ValueQuantity { get; set; }
    [RuleInput]
    public CodeableConcept? ValueCodeableConcept { get; set; }
    [RuleInput]
    public string? ValueString { get; set; }
    [RuleInput]
    public bool? ValueBoolean { get; set; }
    [RuleInput]
    public int? ValueInteger { get; set; }
    [RuleInput]
    public Range? ValueRange { get; set; }
    [RuleInput]
    public string? ValueDateTime { get; set; }
    [RuleInput]
    public Period? ValuePeriod { get; set; }
    public CodeableConcept? DataAbsentReason { get; set; }
    public List<CodeableConcept>? Interpretation { get; set; }
    public List<Annotation>? Note { get; set; }
    public CodeableConcept? BodySite { get; set; }
    public CodeableConcept? Method { get; set; }
    [RuleInput]
    public List<ObservationReferenceRange>? ReferenceRange { get; set; }
    public List<Reference>? HasMember { get; set; }
    public List<Reference>? DerivedFrom { get; set; }
    [RuleInput]
    public List<ObservationComponent>? Component { get; set; }
}

public sealed class ObservationReferenceRange
{
    public Quantity? Low { get; set; }
    [RuleInput]
    public Quantity? High { get; set; }
    public CodeableConcept? Type { get; set; }
    public string? Text { get; set; }
}

public sealed class ObservationComponent
{
    [RuleInput]
    public CodeableConcept? Code { get; set; }
    [RuleInput]
    public Quantity? ValueQuantity { get; set; }
    [RuleInput]
    public CodeableConcept? ValueCodeableConcept { get; set; }
    [RuleInput]
    public string? ValueString { get; set; }
    [RuleInput]
    public bool? ValueBoolean { get; set; }
    [RuleInput]
    public int? ValueInteger { get; set; }
    public CodeableConcept? DataAbsentReason { get; set; }
    public List<CodeableConcept>? Interpretation { get; set; }
}

public sealed class Condition : DomainResource
{
    public override string ResourceType => "Condition";
    public List<Identifier>? Identifier { get; set; }
    [RuleInput]
    public CodeableConcept? ClinicalStatus { get; set; }
    [RuleInput]
    public CodeableConcept? VerificationStatus { get; set; }
    public List<CodeableConcept>? Category { get; set; }
    public CodeableConcept? Severity { get; set; }
    [RuleInput]
    public CodeableConcept? Code { get; set; }
    public List<CodeableConcept>? BodySite { get; set; }
    [RuleInput]
    public Reference? Subject { get; set; }
    public Reference? Encounter { get; set; }
    [RuleInput]
    public string? OnsetDateTime { get; set; }
    [RuleInput]
    public Period? OnsetPeriod { get; set; }
    public string? OnsetString { get; set; }
    public string? AbatementDateTime { get; set; }
    public string? RecordedDate { get; set; }
    public List<Annotation>? Note { get; set; }
}

public sealed class Procedure : DomainResource
{
    public override string ResourceType => "Procedure";
    public List<Identifier>? Identifier { get; set; }
    [RuleInput]
    public string? Status { get; set; }
    public CodeableConcept? Category { get; set; }
    [RuleInput]
    public CodeableConcept? Code { get; set; }
    [RuleInput]
    public Reference? Subject { get; set; }
    public Reference? Encounter { get; set; }
    [RuleInput]
    public string? PerformedDateTime { get; set; }
    [RuleInput]
    public Period? PerformedPeriod { get; set; }
    public List<Annotation>? Note { get; set; }
}

public sealed class Medication : DomainResource
{
    public override string ResourceType => "Medication";
    [RuleInput]
    public CodeableConcept? Code { get; set; }
    public string? Status { get; set; }
    public CodeableConcept? Form { get; set; }
    /// <summary>The active ingredients; a product the service does not know by its code is known by these.</summary>
    [RuleInput]
    public List<MedicationIngredient>? Ingredient { get; set; }
}

/// <summary>Medication.ingredient: the substance (itemCodeableConcept) and its strength per unit of
/// the dose form (e.g. 4 mg / 1 tablet).</summary>
public sealed class MedicationIngredient
{
    [RuleInput]
    public CodeableConcept? ItemCodeableConcept { get; set; }
    public Reference? ItemReference { get; set; }
    public bool? IsActive { get; set; }
    [RuleInput]
    public Ratio? Strength { get; set; }
}

public sealed class MedicationRequest : DomainResource
{
    public override string ResourceType => "MedicationRequest";
    public List<Identifier>? Identifier { get; set; }
    [RuleInput]
    public string? Status { get; set; }
    [RuleInput]
    public string? Intent { get; set; }
    public List<CodeableConcept>? Category { get; set; }
    public string? Priority { get; set; }
    [RuleInput]
    public CodeableConcept? MedicationCodeableConcept { get; set; }
    [RuleInput]
    public Reference? MedicationReference { get; set; }
    [RuleInput]
    public Reference? Subject { get; set; }
    public Reference? Encounter { get; set; }
    public string? AuthoredOn { get; set; }
    public Reference? Requester { get; set; }
    public List<CodeableConcept>? ReasonCode { get; set; }
    public List<Reference>? ReasonReference { get; set; }
    public List<Annotation>? Note { get; set; }
    [RuleInput]
    public List<Dosage>? DosageInstruction { get; set; }
}

public sealed class MedicationAdministration : DomainResource
{
    public override string ResourceType => "MedicationAdministration";
    public List<Identifier>? Identifier { get; set; }
    [RuleInput]
    public string? Status { get; set; }
    public CodeableConcept? Category { get; set; }
    [RuleInput]
    public CodeableConcept? MedicationCodeableConcept { get; set; }
    [RuleInput]
    public Reference? MedicationReference { get; set; }
    [RuleInput]
    public Reference? Subject { get; set; }
    public Reference? Context { get; set; }
    [RuleInput]
    public string? EffectiveDateTime { get; set; }
    [RuleInput]
    public Period? EffectivePeriod { get; set; }
    public Reference? Request { get; set; }
    public List<Annotation>? Note { get; set; }
    [RuleInput]
    public MedicationAdministrationDosage? Dosage { get; set; }
}

public sealed class MedicationAdministrationDosage
{
    public string? Text { get; set; }
    public CodeableConcept? Route { get; set; }
    [RuleInput]
    public Quantity? Dose { get; set; }
    public Quantity? RateQuantity { get; set; }
}

public sealed class MedicationStatement : DomainResource
{
    public override string ResourceType => "MedicationStatement";
    [RuleInput]
    public string? Status { get; set; }
    [RuleInput]
    public CodeableConcept? MedicationCodeableConcept { get; set; }
    [RuleInput]
    public Reference? MedicationReference { get; set; }
    [RuleInput]
    public Reference? Subject { get; set; }
    [RuleInput]
    public string? EffectiveDateTime { get; set; }
    [RuleInput]
    public Period? EffectivePeriod { get; set; }
    public string? DateAsserted { get; set; }
    public List<Annotation>? Note { get; set; }
}

public sealed class ServiceRequest : DomainResource
{
    public override string ResourceType => "ServiceRequest";
    public List<Identifier>? Identifier { get; set; }
    [RuleInput]
    public string? Status { get; set; }
    [RuleInput]
    public string? Intent { get; set; }
    public List<CodeableConcept>? Category { get; set; }
    public string? Priority { get; set; }
    [RuleInput]
    public CodeableConcept? Code { get; set; }
    [RuleInput]
    public Reference? Subject { get; set; }
    public Reference? Encounter { get; set; }
    public string? OccurrenceDateTime { get; set; }
    public Period? OccurrencePeriod { get; set; }
    public Timing? OccurrenceTiming { get; set; }
    public string? AuthoredOn { get; set; }
    public Reference? Requester { get; set; }
    public List<CodeableConcept>? ReasonCode { get; set; }
    public List<Reference>? ReasonReference { get; set; }
    public List<Annotation>? Note { get; set; }
    public string? PatientInstruction { get; set; }
}

public sealed class Bundle : Resource
{
    public override string ResourceType => "Bundle";
    public Identifier? Identifier { get; set; }
    [RuleInput]
    public string? Type { get; set; }
    public string? Timestamp { get; set; }
    public int? Total { get; set; }
    [RuleInput]
    public List<BundleLink>? Link { get; set; }
    [RuleInput]
    public List<BundleEntry>? Entry { get; set; }

    /// <summary>The URL of the link with this relation (e.g. <c>next</c>), or null.</summary>
    public string? LinkUrl(string relation) =>
        Link?.FirstOrDefault(l => string.Equals(l.Relation, relation, StringComparison.Ordinal))?.Url;

    /// <summary>The entries' resources, in order, skipping entries without one.</summary>
    public IEnumerable<Resource> Resources()
    {
        if (Entry is null) yield break;
        foreach (var e in Entry)
        {
            if (e.Resource is not null) yield return e.Resource;
        }
    }
}

public sealed class BundleLink
{
    [RuleInput]
    public string? Relation { get; set; }
    [RuleInput]
    public string? Url { get; set; }
}

public sealed class BundleEntry
{
    public List<BundleLink>? Link { get; set; }
    public string? FullUrl { get; set; }
    [RuleInput]
    public Resource? Resource { get; set; }
    [RuleInput]
    public BundleEntrySearch? Search { get; set; }
    public BundleEntryRequest? Request { get; set; }
    public BundleEntryResponse? Response { get; set; }
}

public sealed class BundleEntrySearch
{
    [RuleInput]
    public string? Mode { get; set; }
    public decimal? Score { get; set; }
}

public sealed class BundleEntryRequest
{
    public string? Method { get; set; }
    public string? Url { get; set; }
    public string? IfNoneExist { get; set; }
}

public sealed class BundleEntryResponse
{
    public string? Status { get; set; }
    public string? Location { get; set; }
    public string? Etag { get; set; }
    public string? LastModified { get; set; }
    public Resource? Outcome { get; set; }
}

/// <summary>FHIR OperationOutcome. http://hl7.org/fhir/R4/operationoutcome.html</summary>
public sealed class OperationOutcome : DomainResource
{
    public override string ResourceType => "OperationOutcome";
    public List<OperationOutcomeIssue>? Issue { get; set; }

    /// <summary>An outcome with one issue. <paramref name="code"/> is from
    /// http://hl7.org/fhir/R4/valueset-issue-type.html (invalid, required, value, structure,
    /// not-found, not-supported, too-costly, processing, exception, timeout, incomplete, …).</summary>
    public static OperationOutcome Single(string severity, string code, string diagnostics, string? expression = null) => new()
    {
        Issue = [new OperationOutcomeIssue
        {
            Severity = severity,
            Code = code,
            Diagnostics = diagnostics,
            Expression = expression is null ? null : [expression],
        }],
    };

    /// <summary>Shorthand for an error outcome with one issue.</summary>
    public static OperationOutcome Error(string code, string diagnostics, string? expression = null) =>
        Single("error", code, diagnostics, expression);

    /// <summary>The diagnostics (or details text) of every issue, joined; for messages and logs.</summary>
    [JsonIgnore]
    public string Summary => string.Join("; ", (Issue ?? []).Select(i => i.Diagnostics ?? i.Details?.Text ?? i.Code ?? "issue"));
}

public sealed class OperationOutcomeIssue
{
    public string? Severity { get; set; }
    public string? Code { get; set; }
    public CodeableConcept? Details { get; set; }
    public string? Diagnostics { get; set; }
    public List<string>? Location { get; set; }
    public List<string>? Expression { get; set; }
}
