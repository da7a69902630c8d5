using System.Reflection;
using CarTCds.Fhir.Model;

namespace CarTCds.Fhir.Validation;

/// <summary>A concept of a ValueSet: system, code, display, and for a medication product its
/// strength (mg per unit of the dose form, or mg/mL), when the ValueSet states it.</summary>
public sealed record ValueSetConcept(string System, string Code, string? Display, Quantity? Strength);

/// <summary>Validates resources against the project's FHIR profiles (profiles/ in the repository:
/// StructureDefinitions, ValueSets, the cartcds CodeSystem). The profiles are compiled once, when
/// the validator is built; a check then costs a dictionary lookup by code plus direct comparisons,
/// and allocates only when something fails.</summary>
/// <remarks>
/// A resource is matched to its profile by resource type and code (the profile's code pattern or
/// the required binding of its code / medication[x] element), or by a known URL in meta.profile.
/// Resources no profile claims are not errors (<see cref="ProfileOutcome.NoProfile"/>), nor are
/// elements the profiles do not constrain. What a profile can say is listed in profiles/README.md.
/// </remarks>
public sealed class ProfileValidator
{
    private sealed class TypeIndex
    {
        public Dictionary<string, (string System, CompiledProfile Profile)[]> ByCode { get; } = new(StringComparer.Ordinal);
        public CompiledProfile? Default { get; set; }
    }

    private readonly Dictionary<string, CompiledProfile> _byUrl;
    private readonly Dictionary<string, TypeIndex> _byType;
    private readonly TypeIndex? _observation, _administration, _statement, _procedure, _condition, _medicationRequest, _serviceRequest;

    private ProfileValidator(List<CompiledProfile> profiles)
    {
        _byUrl = new Dictionary<string, CompiledProfile>(StringComparer.Ordinal);
        var byType = new Dictionary<string, TypeIndex>(StringComparer.Ordinal);
        foreach (var p in profiles)
        {
            if (!_byUrl.TryAdd(p.Url, p)) throw new InvalidOperationException($"two profiles have the URL {p.Url}");
            if (p.UrlOnly) continue;
            if (!byType.TryGetValue(p.ResourceType, out var index)) byType[p.ResourceType] = index = new TypeIndex();
            if (p.DefaultForType)
            {
                if (index.Default is not null) throw new InvalidOperationException($"two default profiles for {p.ResourceType}: {index.Default.Url}, {p.Url}");
                index.Default = p;
            }
            foreach (var c in p.MatchCodes)
            {
                var entry = (c.System!, p);
                if (index.ByCode.TryGetValue(c.Code!, out var existing))
                {
                    foreach (var (system, other) in existing)
                    {
                        if (system == c.System && other != p) throw new InvalidOperationException($"{c.System}#{c.Code} selects two {p.ResourceType} profiles: {other.Url}, {p.Url}");
                    }
                    index.ByCode[c.Code!] = [.. existing, entry];
                }
                else index.ByCode[c.Code!] = [entry];
            }
        }
        _byType = byType;
        byType.TryGetValue("Observation", out _observation);
        byType.TryGetValue("MedicationAdministration", out _administration);
        byType.TryGetValue("MedicationStatement", out _statement);
        byType.TryGetValue("Procedure", out _procedure);
        byType.TryGetValue("Condition", out _condition);
        byType.TryGetValue("MedicationRequest", out _medicationRequest);
        byType.TryGetValue("ServiceRequest", out _serviceRequest);
        Profiles = [.. _byUrl.Keys.Order(StringComparer.Ordinal)];
    }

    /// <summary>The canonical URLs of the profiles loaded, sorted.</summary>
    public IReadOnlyList<string> Profiles { get; }

    /// <summary>The profiles shipped in CarTCds.Fhir (profiles/ embedded at build time), compiled
    /// when this class is first used — <c>CdsEngine.Create</c> touches it at start-up.</summary>
    public static ProfileValidator Default { get; } = FromEmbedded();

    /// <summary>No profiles: every resource is <see cref="ProfileOutcome.NoProfile"/> (for measuring
    /// what validation costs; never for production).</summary>
    public static ProfileValidator Empty { get; } = new([]);

    /// <summary>Compiles conformance resources given as JSON texts (name → JSON; the name is only
    /// used in error messages).</summary>
    /// <exception cref="InvalidOperationException">A file is not JSON, a profile names a ValueSet
    /// not given, or uses a construct the compiler cannot enforce.</exception>
    public static ProfileValidator FromJson(IEnumerable<(string Name, string Json)> files)
    {
        var list = files as IReadOnlyCollection<(string Name, string Json)> ?? files.ToList();
        return new ProfileValidator(ProfileCompiler.Compile(list)) { _concepts = ProfileCompiler.Concepts(list) };
    }

    private Dictionary<string, List<ValueSetConcept>> _concepts = new(StringComparer.Ordinal);

    /// <summary>The enumerated concepts of the ValueSet with this canonical URL (its
    /// <c>include.valueSet</c>s followed), each with its product strength when the ValueSet gives one
    /// (extension <see cref="ProfileCompiler.ProductStrength"/>); empty when no such ValueSet is loaded.
    /// The medication code lists of profiles/ (<c>ValueSet/drug-*</c>) are read this way.</summary>
    public IReadOnlyList<ValueSetConcept> Concepts(string valueSetUrl) =>
        _concepts.TryGetValue(valueSetUrl, out var list) ? list : [];

    /// <summary>Compiles every <c>*.json</c> under <paramref name="directory"/>'s CodeSystem,
    /// ValueSet and StructureDefinition folders (examples are not read).</summary>
    public static ProfileValidator FromDirectory(string directory) => FromJson(DirectoryFiles(directory));

    /// <summary>The conformance resources under <paramref name="directory"/>'s CodeSystem, ValueSet and
    /// StructureDefinition folders as (folder/file name, JSON), sorted; examples are not read.</summary>
    /// <exception cref="InvalidOperationException">None found.</exception>
    public static IReadOnlyList<(string Name, string Json)> DirectoryFiles(string directory)
    {
        var files = new List<(string, string)>();
        foreach (var folder in new[] { "CodeSystem", "ValueSet", "StructureDefinition" })
        {
            var path = Path.Combine(directory, folder);
            if (!Directory.Exists(path)) continue;
            foreach (var f in Directory.GetFiles(path, "*.json").Order(StringComparer.Ordinal)) files.Add((Path.Combine(folder, Path.GetFileName(f)), File.ReadAllText(f)));
        }
        if (files.Count == 0) throw new InvalidOperationException($"no profiles under {directory}");
        return files;
    }

    private static ProfileValidator FromEmbedded() => FromJson(EmbeddedFiles());

    /// <summary>The conformance resources shipped in CarTCds.Fhir (profiles/ embedded at build time,
    /// examples excluded) as (resource name, JSON), sorted: the same texts <see cref="Default"/> compiles,
    /// for a second reader (the Firely reference in CarTCds.Conformance).</summary>
    public static IReadOnlyList<(string Name, string Json)> EmbeddedFiles()
    {
        var assembly = typeof(ProfileValidator).Assembly;
        var files = new List<(string, string)>();
        foreach (var name in assembly.GetManifestResourceNames().Order(StringComparer.Ordinal))
        {
            if (!name.StartsWith("profiles/", StringComparison.Ordinal)) continue;
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var reader = new StreamReader(stream);
            files.Add((name, reader.ReadToEnd()));
        }
        if (files.Count == 0) throw new InvalidOperationException("CarTCds.Fhir was built without its embedded profiles");
        return files;
    }

    /// <summary>Every code that selects a profile of <paramref name="resourceType"/> by code (the
    /// profiles' code patterns and the codes of their required bindings on code / medication[x]),
    /// sorted by system then code; empty for a type no profile claims by code. The single source of
    /// the codes a query for the data contract may ask for (e.g. the Observation prefetch).</summary>
    public IReadOnlyList<(string System, string Code)> SelectingCodes(string resourceType) =>
        _byType.TryGetValue(resourceType, out var index)
            ? index.ByCode.SelectMany(kv => kv.Value.Select(e => (e.System, Code: kv.Key))).Distinct()
                .OrderBy(c => c.System, StringComparer.Ordinal).ThenBy(c => c.Code, StringComparer.Ordinal).ToList()
            : [];

    /// <summary>Checks one resource against the profile its type and code select.</summary>
    /// <param name="resource">The resource.</param>
    /// <param name="code">The code to match by, when the caller resolved it elsewhere (a
    /// MedicationAdministration's medicationReference); default the resource's own code.</param>
    /// <param name="recognised">True when the caller already knows the resource is one it uses: then a
    /// type's default profile (extension default-for-type) applies when no code matches.</param>
    public ProfileCheck Check(Resource resource, CodeableConcept? code = null, bool recognised = false)
    {
        var index = resource switch
        {
            Observation => _observation,
            MedicationAdministration => _administration,
            Procedure => _procedure,
            Condition => _condition,
            MedicationRequest => _medicationRequest,
            ServiceRequest => _serviceRequest,
            MedicationStatement => _statement,
            _ => null,
        };
        if (index is null) return default;
        code ??= CodeOf(resource);
        var profile = Match(index, code) ?? (recognised ? index.Default : null);
        return profile is null ? default : profile.Validate(resource, code, checkCode: false);
    }

    /// <summary>Checks <paramref name="resource"/> against the profile with this canonical URL,
    /// including its code rule; null when no such profile is loaded.</summary>
    public ProfileCheck? CheckAgainst(Resource resource, string profileUrl) =>
        _byUrl.TryGetValue(profileUrl, out var p) && p.ResourceType == resource.ResourceType ? p.Validate(resource, CodeOf(resource), checkCode: true) : null;

    /// <summary>Every issue of a resource, or of each entry of a Bundle: against the profiles its
    /// meta.profile names (known ones), else the profile its code selects. For <c>cartcds validate</c>.</summary>
    public List<ValidationIssue> Validate(Resource resource)
    {
        var issues = new List<ValidationIssue>();
        if (resource is Bundle bundle)
        {
            var i = 0;
            foreach (var entry in bundle.Entry ?? [])
            {
                if (entry.Resource is { } r)
                {
                    foreach (var issue in Validate(r)) issues.Add(issue with { Expression = $"Bundle.entry[{i}].resource.{issue.Expression}" });
                }
                i++;
            }
            return issues;
        }
        foreach (var url in ProfilesFor(resource)) issues.AddRange(CheckAgainst(resource, url)!.Value.Issues);
        return issues;
    }

    /// <summary>The profiles <see cref="Validate"/> applies to one resource (not a Bundle): the known
    /// ones its meta.profile names, else the one its type and code select; empty when none applies.</summary>
    public IReadOnlyList<string> ProfilesFor(Resource resource)
    {
        var declared = (resource.Meta?.Profile ?? []).Where(url => _byUrl.TryGetValue(url, out var p) && p.ResourceType == resource.ResourceType).ToList();
        if (declared.Count > 0) return declared;
        return Check(resource).ProfileUrl is { } selected ? [selected] : [];
    }

    private static CompiledProfile? Match(TypeIndex index, CodeableConcept? code)
    {
        var codings = code?.Coding;
        if (codings is null) return null;
        for (var i = 0; i < codings.Count; i++)
        {
            var c = codings[i];
            if (c.Code is null || !index.ByCode.TryGetValue(c.Code, out var candidates)) continue;
            foreach (var (system, profile) in candidates)
            {
                if (string.Equals(system, c.System, StringComparison.Ordinal)) return profile;
            }
        }
        return null;
    }

    private static CodeableConcept? CodeOf(Resource r) => r switch
    {
        Observation o => o.Code,
        MedicationAdministration m => m.MedicationCodeableConcept,
        Procedure p => p.Code,
        Condition c => c.Code,
        MedicationRequest mr => mr.MedicationCodeableConcept,
        ServiceRequest sr => sr.Code,
        MedicationStatement ms => ms.MedicationCodeableConcept,
        _ => null,
    };
}
