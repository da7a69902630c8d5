using CarTCds.Fhir.Validation;
using Firely.Fhir.Validation;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using Hl7.Fhir.Specification.Snapshot;
using Hl7.Fhir.Specification.Source;
using Hl7.Fhir.Specification.Terminology;
using Hl7.Fhir.Utility;

namespace CarTCds.Conformance;

/// <summary>One finding of the reference validator (Firely), in the terms of an OperationOutcome issue.</summary>
/// <param name="Severity"><c>fatal</c>, <c>error</c>, <c>warning</c> or <c>information</c>.</param>
/// <param name="Code">FHIR issue type (e.g. <c>invariant</c>, <c>code-invalid</c>, <c>structure</c>).</param>
/// <param name="Location">FHIRPath of the element Firely names, e.g. <c>Observation.code[0]</c>; null when it names none.</param>
/// <param name="Message">Firely's diagnostics text.</param>
public sealed record ReferenceIssue(string Severity, string Code, string? Location, string Message)
{
    public bool IsError => Severity is "error" or "fatal";

    public override string ToString() => $"{Severity} {Location}: {Message}";
}

/// <summary>The official FHIR R4 validator (Firely.Fhir.Validation on Hl7.Fhir.R4) over R4 core
/// (the <c>specification.zip</c> of Hl7.Fhir.Specification.Data.R4, restored by NuGet and copied beside
/// the binary) and the CarTCds conformance resources: the reference the lean reader and
/// <c>ProfileValidator</c> of CarTCds.Fhir are proven against. Slow to build (≈ 5 s, ≈ 350 MB: it
/// reads the core specification) and ≈ 1.4 ms per resource warm, so never on the hook path; build
/// one and reuse it (snapshots and compiled schemas are cached inside). Thread-safe for
/// <see cref="Validate"/> calls.</summary>
public sealed class ReferenceValidator
{
    private readonly Validator _validator;
    private readonly IAsyncResourceResolver _resolver;
    private readonly IReadOnlyDictionary<string, StructureDefinition> _profiles;

    // Recoverable: a value of the wrong JSON type is reported as an issue instead of stopping the
    // parse, so a broken instance still gets the rest of its verdict.
    private static readonly FhirJsonDeserializer Parser = new(new DeserializerSettings().UsingMode(DeserializationMode.Recoverable));

    private ReferenceValidator(IReadOnlyList<Resource> conformance, string? specificationZip)
    {
        var core = specificationZip is null ? ZipSource.CreateValidationSource() : ZipSource.CreateValidationSource(specificationZip);
        var ours = new InMemoryResourceResolver(conformance);
        _resolver = new CachedResolver(new SnapshotSource(new MultiResolver(ours, core)));
        _validator = new Validator(_resolver, new LocalTerminologyService(_resolver));
        _profiles = conformance.OfType<StructureDefinition>().Where(sd => sd.Url is not null).ToDictionary(sd => sd.Url!, StringComparer.Ordinal);
    }

    /// <summary>Builds the validator over R4 core and these conformance resources (CodeSystems,
    /// ValueSets, StructureDefinitions as (name, JSON); the name only appears in errors).</summary>
    /// <param name="conformanceResources">E.g. <c>ProfileValidator.EmbeddedFiles()</c>.</param>
    /// <param name="specificationZip">The R4 core <c>specification.zip</c>; default the one beside the binary.</param>
    /// <exception cref="InvalidOperationException">A file is not a FHIR R4 resource Firely can read.</exception>
    public static ReferenceValidator Create(IEnumerable<(string Name, string Json)> conformanceResources, string? specificationZip = null)
    {
        var resources = new List<Resource>();
        foreach (var (name, json) in conformanceResources)
        {
            try
            {
                resources.Add(new FhirJsonDeserializer().DeserializeResource(json));
            }
            catch (DeserializationFailedException ex)
            {
                throw new InvalidOperationException($"{name}: not a FHIR R4 resource Firely can read: {ex.Message}", ex);
            }
        }
        return new ReferenceValidator(resources, specificationZip);
    }

    /// <summary>The canonical URLs of the StructureDefinitions given, sorted.</summary>
    public IReadOnlyList<string> Profiles => [.. _profiles.Keys.Order(StringComparer.Ordinal)];

    /// <summary>Generates the snapshot of one of our profiles against its base (R4 core, a core
    /// profile such as vital signs, or another of ours) and returns what Firely's snapshot generator
    /// reported: an error means the profile does not load (the base forbids what the differential
    /// says, an element is out of base order, the base is not available…).</summary>
    /// <exception cref="ArgumentException">No such profile was given.</exception>
    public async Task<IReadOnlyList<ReferenceIssue>> CompileAsync(string profileUrl)
    {
        if (!_profiles.TryGetValue(profileUrl, out var given)) throw new ArgumentException($"no profile {profileUrl}", nameof(profileUrl));
        // A copy: the resolver's own copy gets its snapshot through SnapshotSource when validating.
        var sd = (StructureDefinition)given.DeepCopy();
        var generator = new SnapshotGenerator(_resolver, SnapshotGeneratorSettings.CreateDefault());
        try
        {
            await generator.UpdateAsync(sd).ConfigureAwait(false);
        }
        catch (InvalidOperationException ex)
        {
            // Firely throws instead of reporting for some differentials the base cannot take
            // (a choice type the base does not allow: "choice type of diff does not occur in snap").
            return [new ReferenceIssue("error", "exception", profileUrl, ex.Message)];
        }
        var issues = Issues(generator.Outcome).ToList();
        if (sd.Snapshot is null || sd.Snapshot.Element.Count == 0)
        {
            issues.Add(new ReferenceIssue("error", "exception", profileUrl, "no snapshot was generated"));
        }
        return issues;
    }

    /// <summary>Validates one resource (JSON; a Bundle with its entries) against R4 core, the profiles
    /// its <c>meta.profile</c> names, and <paramref name="profileUrl"/> when given. Parse problems are
    /// issues too.</summary>
    public IReadOnlyList<ReferenceIssue> Validate(string json, string? profileUrl = null)
    {
        var issues = new List<ReferenceIssue>();
        Resource resource;
        try
        {
            resource = Parser.DeserializeResource(json);
        }
        catch (DeserializationFailedException ex)
        {
            // Recoverable mode still returns what it could read, with the problems.
            foreach (var e in ex.Exceptions) issues.Add(new ReferenceIssue("error", "structure", null, e.Message));
            if (ex.PartialResult is not Resource partial) return issues;
            resource = partial;
        }
        issues.AddRange(Issues(_validator.Validate(resource, profileUrl)));
        return issues;
    }

    /// <summary>Validates a resource or Bundle as the service reads it: the whole against R4 core and the
    /// profiles its <c>meta.profile</c> names (for a Bundle, each entry too), then every resource (each
    /// entry of a Bundle) against the CarTCds profile <paramref name="selector"/> applies to it
    /// (<see cref="ProfileValidator.ProfilesFor"/>: by type and code when none is declared). An entry's
    /// issues from that second pass are located under <c>Bundle.entry[i].resource</c>; one Firely already
    /// reported for that entry is not repeated.</summary>
    /// <param name="json">The resource as sent.</param>
    /// <param name="read">The same resource as the lean reader read it (<c>FhirJson.Parse</c>).</param>
    /// <param name="selector">The profiles the hook path applies (e.g. <see cref="ProfileValidator.Default"/>).</param>
    public IReadOnlyList<ReferenceIssue> ValidateAsRead(string json, CarTCds.Fhir.Model.Resource read, ProfileValidator selector)
    {
        var issues = Validate(json).ToList();
        if (read is not CarTCds.Fhir.Model.Bundle bundle)
        {
            issues.AddRange(Undeclared(read, selector).SelectMany(url => Validate(json, url)).Where(i => !issues.Contains(i)));
            return issues;
        }
        var entries = System.Text.Json.Nodes.JsonNode.Parse(json)?["entry"]?.AsArray();
        for (var i = 0; i < (bundle.Entry?.Count ?? 0); i++)
        {
            if (bundle.Entry![i].Resource is not { } resource || entries?[i]?["resource"] is not { } node) continue;
            var prefix = $"Bundle.entry[{i}].resource";
            var known = issues.Where(x => x.Location?.StartsWith($"Bundle.entry[{i}]", StringComparison.Ordinal) == true).Select(x => x.Message).ToHashSet(StringComparer.Ordinal);
            foreach (var url in Undeclared(resource, selector))
            {
                foreach (var issue in Validate(node.ToJsonString(), url))
                {
                    if (known.Add(issue.Message)) issues.Add(issue with { Location = issue.Location is null ? prefix : $"{prefix}.{issue.Location}" });
                }
            }
        }
        return issues;
    }

    // Firely already follows the profiles a resource declares; only the ones the service selects by code are added.
    private static IEnumerable<string> Undeclared(CarTCds.Fhir.Model.Resource resource, ProfileValidator selector) =>
        selector.ProfilesFor(resource).Where(url => resource.Meta?.Profile?.Contains(url) != true);

    private static IEnumerable<ReferenceIssue> Issues(OperationOutcome? outcome) =>
        (outcome?.Issue ?? []).Select(i => new ReferenceIssue(
            i.Severity?.GetLiteral() ?? "error",
            i.Code?.GetLiteral() ?? "unknown",
            i.Expression.FirstOrDefault() ?? i.Location.FirstOrDefault(),
            i.Details?.Text ?? i.Diagnostics ?? ""));
}
