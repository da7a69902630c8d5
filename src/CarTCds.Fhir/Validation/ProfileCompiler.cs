using System.Text.Json;
using CarTCds.Fhir.Model;

namespace CarTCds.Fhir.Validation;

/// <summary>Turns the conformance resources (CodeSystem, ValueSet, StructureDefinition JSON) into
/// <see cref="CompiledProfile"/>s. Understands the subset of ElementDefinition that profiles/README.md
/// documents; any other element is ignored (not an error). A profile that names a ValueSet not
/// supplied, or a range unit that cannot be converted, fails the load: the service must not start
/// with a rule it cannot enforce.</summary>
internal static class ProfileCompiler
{
    public const string Base = "http://cartcds.org/fhir/StructureDefinition/";
    public const string ExcludingCodes = Base + "excluding-codes";
    public const string DefaultForType = Base + "default-for-type";
    public const string MatchByUrlOnly = Base + "match-by-url-only";

    // Elements whose presence a profile may require (min ≥ 1), by path.
    private static readonly Dictionary<string, Func<Resource, bool>> Presence = new(StringComparer.Ordinal)
    {
        ["Observation.effective[x]"] = r => r is Observation o && (o.EffectiveDateTime ?? o.EffectiveInstant ?? o.EffectivePeriod?.Start) is not null,
        ["Observation.subject"] = r => r is Observation o && o.Subject is not null,
        ["MedicationAdministration.effective[x]"] = r => r is MedicationAdministration m && (m.EffectiveDateTime ?? m.EffectivePeriod?.Start) is not null,
        ["MedicationAdministration.subject"] = r => r is MedicationAdministration m && m.Subject is not null,
        ["MedicationAdministration.medication[x]"] = r => r is MedicationAdministration m && (m.MedicationCodeableConcept is not null || m.MedicationReference is not null),
        ["Procedure.performed[x]"] = r => r is Procedure p && (p.PerformedDateTime ?? p.PerformedPeriod?.Start) is not null,
        ["Procedure.subject"] = r => r is Procedure p && p.Subject is not null,
        ["Procedure.code"] = r => r is Procedure p && p.Code is not null,
        ["Condition.subject"] = r => r is Condition c && c.Subject is not null,
        ["Condition.code"] = r => r is Condition c && c.Code is not null,
        ["Condition.clinicalStatus"] = r => r is Condition c && c.ClinicalStatus is not null,
        ["MedicationRequest.subject"] = r => r is MedicationRequest m && m.Subject is not null,
        ["MedicationRequest.medication[x]"] = r => r is MedicationRequest m && (m.MedicationCodeableConcept is not null || m.MedicationReference is not null),
        ["MedicationRequest.dosageInstruction"] = r => r is MedicationRequest m && m.DosageInstruction is { Count: > 0 },
        ["MedicationRequest.intent"] = r => r is MedicationRequest m && m.Intent is not null,
        ["ServiceRequest.subject"] = r => r is ServiceRequest s && s.Subject is not null,
        ["ServiceRequest.code"] = r => r is ServiceRequest s && s.Code is not null,
        ["ServiceRequest.intent"] = r => r is ServiceRequest s && s.Intent is not null,
    };

    public static List<CompiledProfile> Compile(IEnumerable<(string Name, string Json)> files)
    {
        var codeSystems = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var valueSets = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        var structures = new List<(string Name, JsonElement Json)>();
        var docs = new List<JsonDocument>();
        try
        {
            foreach (var (name, json) in files)
            {
                JsonDocument doc;
                try
                {
                    doc = JsonDocument.Parse(json);
                }
                catch (JsonException ex)
                {
                    throw new InvalidOperationException($"profile file {name}: not JSON ({ex.Message})", ex);
                }
                docs.Add(doc);
                var root = doc.RootElement;
                var url = Str(root, "url");
                switch (Str(root, "resourceType"))
                {
                    case "CodeSystem" when url is not null:
                        var codes = new List<string>();
                        if (root.TryGetProperty("concept", out var concepts))
                        {
                            foreach (var c in concepts.EnumerateArray()) codes.Add(Str(c, "code")!);
                        }
                        codeSystems[url] = codes;
                        break;
                    case "ValueSet" when url is not null:
                        valueSets[url] = root;
                        break;
                    case "StructureDefinition":
                        structures.Add((name, root));
                        break;
                }
            }

            var resolved = new Dictionary<string, CodeSet>(StringComparer.Ordinal);
            CodeSet ValueSet(string url, string where)
            {
                if (resolved.TryGetValue(url, out var set)) return set;
                if (!valueSets.TryGetValue(url, out var vs)) throw new InvalidOperationException($"{where}: ValueSet {url} is not among the profiles");
                var codes = new Dictionary<string, List<string>>(StringComparer.Ordinal);
                resolved[url] = new CodeSet(url, []); // a ValueSet that includes itself, directly or not, adds nothing more
                if (vs.TryGetProperty("compose", out var compose) && compose.TryGetProperty("include", out var includes))
                {
                    foreach (var inc in includes.EnumerateArray())
                    {
                        // include.valueSet: the union of other ValueSets (a drug group of per-ingredient sets).
                        if (inc.TryGetProperty("valueSet", out var others))
                        {
                            foreach (var other in others.EnumerateArray())
                            {
                                foreach (var (code, systems) in ValueSet(other.GetString()!, $"ValueSet {url}").Codes)
                                {
                                    foreach (var sys in systems) AddCode(codes, code, sys);
                                }
                            }
                            if (Str(inc, "system") is null) continue;
                        }
                        var system = Str(inc, "system") ?? throw new InvalidOperationException($"ValueSet {url}: include without system");
                        if (inc.TryGetProperty("concept", out var list))
                        {
                            foreach (var c in list.EnumerateArray()) AddCode(codes, Str(c, "code")!, system);
                        }
                        else if (codeSystems.TryGetValue(system, out var all))
                        {
                            foreach (var c in all) AddCode(codes, c, system);
                        }
                        else throw new InvalidOperationException($"ValueSet {url}: includes all of {system}, which is not among the profiles");
                    }
                }
                set = new CodeSet(url, codes.ToDictionary(kv => kv.Key, kv => kv.Value.ToArray(), StringComparer.Ordinal));
                resolved[url] = set;
                return set;
            }

            var profiles = new List<CompiledProfile>();
            foreach (var (name, sd) in structures)
            {
                try
                {
                    profiles.Add(CompileOne(sd, ValueSet));
                }
                catch (Exception ex) when (ex is InvalidOperationException or KeyNotFoundException or FormatException)
                {
                    throw new InvalidOperationException($"profile file {name}: {ex.Message}", ex);
                }
            }
            return profiles;
        }
        finally
        {
            foreach (var d in docs) d.Dispose();
        }
    }

    /// <summary>Extension on a ValueSet concept (compose.include.concept.extension): the strength of a
    /// medication product in mg per unit of its dose form (tablet, vial …, valueQuantity code <c>mg</c>)
    /// or per mL (code <c>mg/mL</c>), so that a dose ordered in tablets or mL is converted to mg.</summary>
    public const string ProductStrength = Base + "product-strength";

    /// <summary>The enumerated concepts of every ValueSet (include.concept, and include.valueSet
    /// followed), with <see cref="ProductStrength"/> where given; keyed by canonical URL.</summary>
    public static Dictionary<string, List<ValueSetConcept>> Concepts(IEnumerable<(string Name, string Json)> files)
    {
        var raw = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        var docs = new List<JsonDocument>();
        try
        {
            foreach (var (_, json) in files)
            {
                var doc = JsonDocument.Parse(json);
                docs.Add(doc);
                if (Str(doc.RootElement, "resourceType") == "ValueSet" && Str(doc.RootElement, "url") is { } url) raw[url] = doc.RootElement;
            }
            var result = new Dictionary<string, List<ValueSetConcept>>(StringComparer.Ordinal);
            List<ValueSetConcept> Of(string url)
            {
                if (result.TryGetValue(url, out var done)) return done;
                var list = result[url] = [];
                if (!raw.TryGetValue(url, out var vs) || !vs.TryGetProperty("compose", out var compose) || !compose.TryGetProperty("include", out var includes)) return list;
                foreach (var inc in includes.EnumerateArray())
                {
                    if (inc.TryGetProperty("valueSet", out var others))
                    {
                        foreach (var other in others.EnumerateArray()) list.AddRange(Of(other.GetString()!));
                    }
                    if (Str(inc, "system") is not { } system || !inc.TryGetProperty("concept", out var concepts)) continue;
                    foreach (var c in concepts.EnumerateArray())
                    {
                        Quantity? strength = null;
                        if (c.TryGetProperty("extension", out var extensions))
                        {
                            foreach (var e in extensions.EnumerateArray())
                            {
                                if (Str(e, "url") == ProductStrength && e.TryGetProperty("valueQuantity", out var q) && q.TryGetProperty("value", out var v))
                                {
                                    strength = new Quantity(v.GetDecimal(), Str(q, "code") ?? throw new InvalidOperationException($"ValueSet {url}: product-strength without a UCUM code"));
                                }
                            }
                        }
                        list.Add(new ValueSetConcept(system, Str(c, "code")!, Str(c, "display"), strength));
                    }
                }
                return list;
            }
            foreach (var url in raw.Keys) Of(url);
            return result;
        }
        finally
        {
            foreach (var d in docs) d.Dispose();
        }
    }

    private static void AddCode(Dictionary<string, List<string>> codes, string code, string system)
    {
        if (!codes.TryGetValue(code, out var systems)) codes[code] = systems = [];
        if (!systems.Contains(system)) systems.Add(system);
    }

    private static CompiledProfile CompileOne(JsonElement sd, Func<string, string, CodeSet> valueSet)
    {
        var url = Str(sd, "url") ?? throw new InvalidOperationException("StructureDefinition without url");
        var type = Str(sd, "type") ?? throw new InvalidOperationException("StructureDefinition without type");
        var profile = new CompiledProfile
        {
            Url = url,
            Title = Str(sd, "title") ?? Str(sd, "name") ?? url,
            ResourceType = type,
            DefaultForType = BoolExtension(sd, DefaultForType),
            UrlOnly = BoolExtension(sd, MatchByUrlOnly),
        };
        if (!sd.TryGetProperty("differential", out var diff) || !diff.TryGetProperty("element", out var elements)) return profile;

        foreach (var e in elements.EnumerateArray())
        {
            var id = Str(e, "id") ?? Str(e, "path") ?? "";
            var min = e.TryGetProperty("min", out var m) && m.ValueKind == JsonValueKind.Number ? m.GetInt32() : 0;
            var binding = RequiredBinding(e) is { } vsUrl ? valueSet(vsUrl, id) : null;
            var exclude = e.TryGetProperty("extension", out var exts) ? CanonicalExtension(exts, ExcludingCodes) : null;
            var fixedCode = Str(e, "fixedCode");
            var rel = id.Length > type.Length && id.StartsWith(type + ".", StringComparison.Ordinal) ? id[(type.Length + 1)..] : null;
            if (rel is null) continue;

            switch (rel)
            {
                case "status":
                    profile.StatusRequired = min > 0;
                    profile.StatusAllowed = binding;
                    profile.StatusFixed = fixedCode;
                    if (exclude is not null) profile.StatusVoid = valueSet(exclude, id);
                    continue;
                case "intent":
                    profile.IntentFixed = fixedCode;
                    break;
                case "verificationStatus":
                    if (exclude is not null) profile.VerificationVoid = valueSet(exclude, id);
                    break;
                case "code" or "medication[x]":
                    profile.CodeExpression = id;
                    profile.CodeBinding = binding;
                    if (Pattern(e) is { } pattern)
                    {
                        profile.CodePattern = pattern;
                        profile.MatchCodes.AddRange(pattern);
                    }
                    if (binding is not null)
                    {
                        foreach (var (code, systems) in binding.Codes)
                        {
                            foreach (var system in systems) profile.MatchCodes.Add(new Coding(system, code));
                        }
                    }
                    break;
                case "value[x]":
                    profile.Value ??= new ValueRule();
                    ApplyValue(profile.Value, e, min);
                    continue;
                case "valueQuantity":
                case "valueQuantity.value":
                case "valueQuantity.code":
                    profile.Value ??= new ValueRule();
                    ApplyQuantity(profile.Value.Quantity ??= new QuantityRule(), rel, e, min, binding);
                    continue;
                case "valueCodeableConcept":
                    profile.Value ??= new ValueRule();
                    profile.Value.ConceptBinding = binding;
                    continue;
            }

            if (rel.StartsWith("component:", StringComparison.Ordinal))
            {
                var dot = rel.IndexOf('.', StringComparison.Ordinal);
                profile.ComponentSlice = dot < 0 ? rel["component:".Length..] : rel["component:".Length..dot];
                var sub = dot < 0 ? "" : rel[(dot + 1)..];
                profile.ComponentValue ??= new ValueRule();
                switch (sub)
                {
                    case "code":
                        profile.ComponentPattern = Pattern(e) ?? throw new InvalidOperationException($"{id} needs a patternCodeableConcept");
                        break;
                    case "value[x]":
                        ApplyValue(profile.ComponentValue, e, min);
                        break;
                    case "valueQuantity" or "valueQuantity.value" or "valueQuantity.code":
                        ApplyQuantity(profile.ComponentValue.Quantity ??= new QuantityRule(), sub, e, min, binding);
                        break;
                }
                continue;
            }

            if (min > 0 && Presence.TryGetValue(id, out var present)) profile.Required.Add((id, present));
        }

        profile.Value?.Quantity?.Prepare();
        profile.ComponentValue?.Quantity?.Prepare();
        if (profile.ComponentValue is not null && profile.ComponentPattern is null) throw new InvalidOperationException("component slice without a code pattern");
        return profile;
    }

    private static void ApplyValue(ValueRule rule, JsonElement e, int min)
    {
        rule.Required = min > 0;
        if (e.TryGetProperty("type", out var types))
        {
            foreach (var t in types.EnumerateArray())
            {
                rule.Allowed |= Str(t, "code") switch
                {
                    "Quantity" => ValueTypes.Quantity,
                    "CodeableConcept" => ValueTypes.CodeableConcept,
                    "string" => ValueTypes.String,
                    "boolean" => ValueTypes.Boolean,
                    "integer" => ValueTypes.Integer,
                    "Range" => ValueTypes.Range,
                    "dateTime" => ValueTypes.DateTime,
                    "Period" => ValueTypes.Period,
                    var other => throw new InvalidOperationException($"value type '{other}' is not supported"),
                };
            }
        }
        if (e.TryGetProperty("minValueInteger", out var lo)) rule.MinInteger = lo.GetInt64();
        if (e.TryGetProperty("maxValueInteger", out var hi)) rule.MaxInteger = hi.GetInt64();
    }

    private static void ApplyQuantity(QuantityRule rule, string rel, JsonElement e, int min, CodeSet? binding)
    {
        switch (rel)
        {
            case "valueQuantity":
                rule.MinQuantity = QuantityOf(e, "minValueQuantity");
                rule.MaxQuantity = QuantityOf(e, "maxValueQuantity");
                rule.RangeReason = RangeReason(rule.MinQuantity, rule.MaxQuantity);
                break;
            case "valueQuantity.value":
                rule.ValueRequired = min > 0;
                break;
            case "valueQuantity.code":
                rule.CodeRequired = min > 0;
                rule.Units = binding;
                break;
        }
    }

    private static string RangeReason(Quantity? lo, Quantity? hi)
    {
        static string N(Quantity? q) => q?.Value?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "…";
        var unit = hi?.Unit ?? hi?.Code ?? lo?.Unit ?? lo?.Code;
        var suffix = unit is null ? "" : " " + unit;
        return hi is null ? $"below {N(lo)}{suffix}" : lo is null ? $"above {N(hi)}{suffix}" : $"outside {N(lo)}–{N(hi)}{suffix}";
    }

    private static Quantity? QuantityOf(JsonElement e, string name)
    {
        if (!e.TryGetProperty(name, out var q)) return null;
        return new Quantity
        {
            Value = q.TryGetProperty("value", out var v) ? v.GetDecimal() : null,
            Unit = Str(q, "unit"),
            System = Str(q, "system"),
            Code = Str(q, "code"),
        };
    }

    private static List<Coding>? Pattern(JsonElement e)
    {
        if (!e.TryGetProperty("patternCodeableConcept", out var p) || !p.TryGetProperty("coding", out var codings)) return null;
        var list = new List<Coding>();
        foreach (var c in codings.EnumerateArray()) list.Add(new Coding(Str(c, "system")!, Str(c, "code")!));
        return list;
    }

    private static string? RequiredBinding(JsonElement e) =>
        e.TryGetProperty("binding", out var b) && Str(b, "strength") == "required" ? Str(b, "valueSet") : null;

    private static string? CanonicalExtension(JsonElement extensions, string url)
    {
        foreach (var x in extensions.EnumerateArray())
        {
            if (Str(x, "url") == url) return Str(x, "valueCanonical");
        }
        return null;
    }

    private static bool BoolExtension(JsonElement sd, string url)
    {
        if (!sd.TryGetProperty("extension", out var extensions)) return false;
        foreach (var x in extensions.EnumerateArray())
        {
            if (Str(x, "url") == url && x.TryGetProperty("valueBoolean", out var b)) return b.GetBoolean();
        }
        return false;
    }

    private static string? Str(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}
