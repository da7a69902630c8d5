using CarTCds.Fhir.Validation;
using CarTCds.Hooks.Contract;
using CarTCds.Hooks.Facts;

namespace CarTCds.Hooks.Catalog;

/// <summary>One prefetch key of a service.</summary>
/// <param name="Key">The key in the discovery document and in the request's <c>prefetch</c>.</param>
/// <param name="Template">The FHIR query template (CDS Hooks prefetch tokens).</param>
/// <param name="ResourceType">What the key holds: a single resource of this type (a read), or,
/// when <paramref name="IsSearch"/>, a searchset Bundle of this type.</param>
/// <param name="IsSearch">True for a type search, false for a read.</param>
/// <param name="Required">When true (default) the service cannot answer without this data (412);
/// when false it answers without it and every card says what could not be read.</param>
public sealed record PrefetchKey(string Key, string Template, string ResourceType, bool IsSearch, bool Required = true)
{
    /// <summary>How the service reads this key from <c>fhirServer</c> itself, instead of
    /// <see cref="Template"/>: the union of these queries, the <see cref="ServerQuery.Recent"/> ones
    /// bounded by date to the rules' look-back (CDS Hooks 2.0 prefetch tokens cannot express a
    /// relative date, the service's own queries can). Null: the template.</summary>
    public IReadOnlyList<ServerQuery>? ServerQueries { get; init; }

    /// <summary>The same key, but the service can answer without it.</summary>
    public PrefetchKey Optional() => this with { Required = false };
}

/// <summary>One query of <see cref="PrefetchKey.ServerQueries"/>.</summary>
/// <param name="Template">The query template (CDS Hooks prefetch tokens).</param>
/// <param name="Recent">True when the service appends <c>&amp;date=ge…</c>, the start of the rules'
/// look-back (<see cref="CarTCds.Rules.LookBack.EarliestRecentRecord"/>).</param>
public sealed record ServerQuery(string Template, bool Recent);

/// <summary>A CDS service this deployment offers.</summary>
public sealed record CdsServiceDefinition(
    string Id,
    string Hook,
    string Title,
    string Description,
    string Version,
    string HookVersion,
    IReadOnlyList<PrefetchKey> Prefetch,
    string? UsageRequirements = null)
{
    public CdsServiceDescriptor ToDescriptor() => new()
    {
        Id = Id,
        Hook = Hook,
        Title = Title,
        Description = Description,
        Version = Version,
        HookVersion = HookVersion,
        UsageRequirements = UsageRequirements,
        Prefetch = Prefetch.ToDictionary(p => p.Key, p => p.Template, StringComparer.Ordinal),
    };
}

/// <summary>The services of docs/ARCHITECTURE.md "Interfaces". Ids never change meaning.</summary>
public sealed class CdsServiceCatalog
{
    public const string ToxicityId = "cart-toxicity";
    public const string EligibilityId = "cart-eligibility";
    public const string OrderCheckId = "cart-order-check";

    // Patient-scoped searches only. References are written "Patient/<id>": every FHIR server
    // accepts that form, and some (Medplum 4.5) accept no other.
    public static readonly PrefetchKey Patient = new("patient", "Patient/{{context.patientId}}", "Patient", false);
    public static readonly PrefetchKey Observations = ContractObservations(ProfileValidator.Default);
    public static readonly PrefetchKey MedicationAdministrations = new("medicationAdministrations", "MedicationAdministration?patient=Patient/{{context.patientId}}&_count=1000", "MedicationAdministration", true);
    public static readonly PrefetchKey Procedures = new("procedures", "Procedure?patient=Patient/{{context.patientId}}&_count=200", "Procedure", true);
    public static readonly PrefetchKey Conditions = new("conditions", "Condition?patient=Patient/{{context.patientId}}&_count=200", "Condition", true);
    public static readonly PrefetchKey MedicationStatements = new("medicationStatements", "MedicationStatement?patient=Patient/{{context.patientId}}&_count=200", "MedicationStatement", true);

    private const string Usage = "Send the prefetch or a fhirServer the service may read with fhirAuthorization (patient/*.read). Observations use the codes of the CarTCds data contract (profiles/).";

    public IReadOnlyList<CdsServiceDefinition> Services { get; } =
    [
        new(ToxicityId, "patient-view", "CAR-T toxicity (CRS / ICANS)",
            "Grades cytokine release syndrome and neurotoxicity after CAR T-cell therapy (tisagenlecleucel) by the ASTCT 2019 consensus, from the last 24 h of vitals, oxygen support and vasopressors, and says which event set the grade.",
            // Conditions only inform monitoring advice (seizure disorder); vasopressors, masking drugs and
            // the infusion day change the grade, so those keys are required.
            "1.0.0", "1.0", [Patient, Observations, MedicationAdministrations, Procedures, Conditions.Optional()], Usage),
        new(EligibilityId, "order-select", "Tisagenlecleucel eligibility",
            "Checks the label indication of tisagenlecleucel (age up to 25, B-cell precursor ALL, refractory or second or later relapse) when a CAR-T referral or tisagenlecleucel order is selected.",
            // Prior CD19-directed therapy is information, not a criterion.
            "1.0.0", "1.0", [Patient, Conditions, Observations, Procedures, MedicationAdministrations.Optional(), MedicationStatements.Optional()], Usage),
        new(OrderCheckId, "order-sign", "CAR-T order check",
            "Checks tocilizumab doses, corticosteroids after infusion and tisagenlecleucel orders before they are signed.",
            "1.0.0", "1.0", [Patient, Observations, MedicationAdministrations, Procedures, Conditions.Optional()], Usage),
    ];

    /// <summary>The Observation key: only the codes a rule reads (<see cref="ClinicalFactsMapper.ObservationCodesRead"/>:
    /// the codes that select an Observation profile in profiles/ and that the facts mapper reads) — not every Observation of the
    /// chart (a child two years into ALL treatment has tens of thousands). Read by the service itself:
    /// whole-history codes unbounded, recent ones (vitals, neurology, labs) from the rules' look-back.</summary>
    public static PrefetchKey ContractObservations(ProfileValidator profiles)
    {
        var codes = ClinicalFactsMapper.ObservationCodesRead(profiles);
        static string Query(IEnumerable<(string System, string Code, ObservationReach Reach)> list) =>
            "Observation?patient=Patient/{{context.patientId}}&code=" + string.Join(',', list.Select(c => $"{c.System}|{c.Code}")) + "&_count=1000";
        return new PrefetchKey("observations", Query(codes), "Observation", true)
        {
            ServerQueries =
            [
                new(Query(codes.Where(c => c.Reach == ObservationReach.WholeHistory)), Recent: false),
                new(Query(codes.Where(c => c.Reach == ObservationReach.Recent)), Recent: true),
            ],
        };
    }

    /// <summary>The service with this id, or null.</summary>
    public CdsServiceDefinition? Find(string id) => Services.FirstOrDefault(s => string.Equals(s.Id, id, StringComparison.Ordinal));

    public CdsDiscoveryResponse ToDiscovery() => new() { Services = Services.Select(s => s.ToDescriptor()).ToList() };
}
