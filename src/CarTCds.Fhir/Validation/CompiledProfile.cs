using System.Globalization;
using CarTCds.Fhir.Model;

namespace CarTCds.Fhir.Validation;

/// <summary>A set of (system, code) pairs from a ValueSet, resolved once. Keyed by code (short
/// strings hash fast), then the few systems compared ordinally.</summary>
internal sealed class CodeSet(string url, Dictionary<string, string[]> codes)
{
    // Status lists have 1–4 codes: comparing a few short strings beats hashing one.
    private readonly string[]? _few = codes.Count <= 6 ? [.. codes.Keys] : null;

    public string Url { get; } = url;

    public IReadOnlyDictionary<string, string[]> Codes => codes;

    public bool Contains(string? system, string? code)
    {
        if (code is null || !codes.TryGetValue(code, out var systems)) return false;
        if (system is null) return false;
        foreach (var s in systems)
        {
            if (string.Equals(s, system, StringComparison.Ordinal)) return true;
        }
        return false;
    }

    /// <summary>For code-typed elements (status): the code alone, whatever the system.</summary>
    public bool ContainsCode(string? code)
    {
        if (code is null) return false;
        if (_few is null) return codes.ContainsKey(code);
        foreach (var c in _few)
        {
            if (string.Equals(c, code, StringComparison.Ordinal)) return true;
        }
        return false;
    }

    public bool ContainsAny(CodeableConcept? concept)
    {
        var codings = concept?.Coding;
        if (codings is null) return false;
        foreach (var c in codings)
        {
            if (Contains(c.System, c.Code)) return true;
        }
        return false;
    }

    public string CodeList => string.Join(", ", codes.Keys);
}

[Flags]
internal enum ValueTypes
{
    None = 0,
    Quantity = 1,
    CodeableConcept = 2,
    String = 4,
    Boolean = 8,
    Integer = 16,
    Range = 32,
    DateTime = 64,
    Period = 128,
}

/// <summary>Bounds of a Quantity, pre-converted to each accepted unit (doubles; no conversion per resource).</summary>
internal sealed class QuantityRule
{
    public bool ValueRequired { get; set; }
    public bool CodeRequired { get; set; }
    public CodeSet? Units { get; set; }
    public string[] UnitCodes { get; set; } = [];
    public double[] Low { get; set; } = [];
    public double[] High { get; set; } = [];
    public Quantity? MinQuantity { get; set; }
    public Quantity? MaxQuantity { get; set; }
    /// <summary>"outside 25–45 °C", or "below 0" for a lower bound alone.</summary>
    public string RangeReason { get; set; } = "";

    /// <summary>Resolves the bounds for every unit of the binding (called once, at compile time).</summary>
    public void Prepare()
    {
        if (Units is null) return;
        var units = new List<string>(Units.Codes.Keys);
        UnitCodes = [.. units];
        Low = new double[units.Count];
        High = new double[units.Count];
        for (var i = 0; i < units.Count; i++)
        {
            Low[i] = Bound(MinQuantity, units[i], double.NegativeInfinity);
            High[i] = Bound(MaxQuantity, units[i], double.PositiveInfinity);
        }
    }

    private static double Bound(Quantity? q, string unit, double none)
    {
        if (q?.Value is not { } v) return none;
        if (q.Code is null) return (double)v;
        if (!UcumUnits.TryConvert((double)v, q.Code, unit, out var converted))
        {
            throw new InvalidOperationException($"range unit '{q.Code}' cannot be converted to '{unit}'");
        }
        return Math.Round(converted, 6);
    }

    /// <summary>Null when <paramref name="q"/> conforms; otherwise the issue code and reason.</summary>
    public (string Code, string Reason)? Check(Quantity q)
    {
        if (q.Value is not { } value) return ValueRequired ? ("required", "no value") : null;
        var code = q.Code;
        if (code is null)
        {
            return CodeRequired ? ("code-invalid", q.Unit is null ? "no unit" : $"unit '{q.Unit}' has no UCUM code") : null;
        }
        if (Units is null)
        {
            // No unit binding: compare only when the range's unit converts.
            var v = (double)value;
            if (MinQuantity?.Value is { } lo && (MinQuantity.Code is null ? v < (double)lo : UcumUnits.TryConvert((double)lo, MinQuantity.Code, code, out var l) && v < l)) return ("value", RangeReason);
            if (MaxQuantity?.Value is { } hi && (MaxQuantity.Code is null ? v > (double)hi : UcumUnits.TryConvert((double)hi, MaxQuantity.Code, code, out var h) && v > h)) return ("value", RangeReason);
            return null;
        }
        var units = UnitCodes;
        for (var i = 0; i < units.Length; i++)
        {
            if (!string.Equals(units[i], code, StringComparison.Ordinal)) continue;
            if (q.System is not null && !string.Equals(q.System, FhirSystems.Ucum, StringComparison.Ordinal))
            {
                return ("code-invalid", $"unit system '{q.System}' is not UCUM");
            }
            var d = (double)value;
            return d < Low[i] || d > High[i] ? ("value", RangeReason) : null;
        }
        return ("code-invalid", $"unit '{code}' is not one of {string.Join(", ", units)}");
    }
}

/// <summary>The rule for an Observation's (or component's) value[x].</summary>
internal sealed class ValueRule
{
    public ValueTypes Allowed { get; set; }
    public bool Required { get; set; }
    public long? MinInteger { get; set; }
    public long? MaxInteger { get; set; }
    public QuantityRule? Quantity { get; set; }
    public CodeSet? ConceptBinding { get; set; }

    public (string Code, string Expression, string Reason)? Check(ValueTypes present, Quantity? quantity, CodeableConcept? concept, int? integer, string prefix)
    {
        if (present == ValueTypes.None) return Required ? ("required", prefix + ".value[x]", "no value") : null;
        if (Allowed != ValueTypes.None && (Allowed & present) == 0)
        {
            return ("structure", prefix + ".value[x]", $"value is a {Name(present)}, expected {Names(Allowed)}");
        }
        switch (present)
        {
            case ValueTypes.Integer when integer is { } i:
                if ((MinInteger is { } lo && i < lo) || (MaxInteger is { } hi && i > hi))
                {
                    return ("value", prefix + ".valueInteger", $"outside {MinInteger?.ToString(CultureInfo.InvariantCulture) ?? "…"}–{MaxInteger?.ToString(CultureInfo.InvariantCulture) ?? "…"}");
                }
                break;
            case ValueTypes.Quantity when Quantity is not null:
                if (Quantity.Check(quantity!) is { } bad) return (bad.Code, prefix + ".valueQuantity", bad.Reason);
                break;
            case ValueTypes.CodeableConcept when ConceptBinding is not null:
                if (!ConceptBinding.ContainsAny(concept))
                {
                    var shown = concept?.Coding is { Count: > 0 } c ? c[0].Code ?? "(no code)" : concept?.Text ?? "(none)";
                    return ("code-invalid", prefix + ".valueCodeableConcept", $"'{shown}' is not in {ConceptBinding.Url}");
                }
                break;
        }
        return null;
    }

    public static string Name(ValueTypes t) => t switch
    {
        ValueTypes.Quantity => "Quantity",
        ValueTypes.CodeableConcept => "CodeableConcept",
        ValueTypes.String => "string",
        ValueTypes.Boolean => "boolean",
        ValueTypes.Integer => "integer",
        ValueTypes.Range => "Range",
        ValueTypes.DateTime => "dateTime",
        ValueTypes.Period => "Period",
        _ => t.ToString(),
    };

    private static string Names(ValueTypes allowed)
    {
        var names = new List<string>();
        foreach (var t in Enum.GetValues<ValueTypes>())
        {
            if (t != ValueTypes.None && (allowed & t) != 0) names.Add(Name(t));
        }
        return string.Join(" or ", names);
    }
}

/// <summary>One StructureDefinition, compiled into direct checks at start-up (no path walking per resource).</summary>
internal sealed class CompiledProfile
{
    public required string Url { get; init; }
    public required string Title { get; init; }
    public required string ResourceType { get; init; }

    /// <summary>Applies to any resource of its type that the caller recognised (extension default-for-type).</summary>
    public bool DefaultForType { get; init; }

    /// <summary>Never matched by code, only by meta.profile or by URL (extension match-by-url-only).</summary>
    public bool UrlOnly { get; init; }

    /// <summary>The codings that select this profile (code pattern or required binding of the code element).</summary>
    public List<Coding> MatchCodes { get; } = [];

    public bool StatusRequired { get; set; }
    public CodeSet? StatusAllowed { get; set; }
    public CodeSet? StatusVoid { get; set; }
    public string? StatusFixed { get; set; }
    public string? IntentFixed { get; set; }
    public CodeSet? VerificationVoid { get; set; }

    /// <summary>Code element rule, applied when the profile is chosen by URL (by code it holds by construction).</summary>
    public string? CodeExpression { get; set; }
    public CodeSet? CodeBinding { get; set; }
    public List<Coding>? CodePattern { get; set; }

    public List<(string Expression, Func<Resource, bool> Present)> Required { get; } = [];

    public ValueRule? Value { get; set; }
    public List<Coding>? ComponentPattern { get; set; }
    public string? ComponentSlice
    {
        get => _componentSlice;
        set
        {
            _componentSlice = value;
            _componentPrefix = "Observation.component:" + value;
        }
    }

    private string? _componentSlice;
    private string _componentPrefix = "Observation.component";
    public ValueRule? ComponentValue { get; set; }

    public ProfileCheck Validate(Resource r, CodeableConcept? code, bool checkCode)
    {
        List<ValidationIssue>? issues = null;
        var status = StatusOf(r);
        if (StatusVoid is not null && StatusVoid.ContainsCode(status))
        {
            return new ProfileCheck(ProfileOutcome.Void, this, [new ValidationIssue("information", "deleted", ResourceType + ".status", $"{Describe(r)}: status '{status}', ignored")]);
        }
        if (VerificationVoid is not null && r is Condition cond && VerificationVoid.ContainsAny(cond.VerificationStatus))
        {
            return new ProfileCheck(ProfileOutcome.Void, this, [new ValidationIssue("information", "deleted", "Condition.verificationStatus", $"{Describe(r)}: verification status withdrawn, ignored")]);
        }

        if (status is null)
        {
            if (StatusRequired) Add(ref issues, r, "required", ResourceType + ".status", "no status");
        }
        else if (StatusAllowed is not null && !StatusAllowed.ContainsCode(status))
        {
            Add(ref issues, r, "code-invalid", ResourceType + ".status", $"status '{status}' is not one of {StatusAllowed.CodeList}");
        }
        else if (StatusFixed is not null && !string.Equals(status, StatusFixed, StringComparison.Ordinal))
        {
            Add(ref issues, r, "value", ResourceType + ".status", $"status '{status}' must be '{StatusFixed}'");
        }
        if (IntentFixed is not null)
        {
            var intent = r switch { MedicationRequest mr => mr.Intent, ServiceRequest sr => sr.Intent, _ => null };
            if (!string.Equals(intent, IntentFixed, StringComparison.Ordinal)) Add(ref issues, r, "value", ResourceType + ".intent", $"intent '{intent ?? "(none)"}' must be '{IntentFixed}'");
        }

        var required = Required;
        for (var i = 0; i < required.Count; i++)
        {
            if (!required[i].Present(r)) Add(ref issues, r, "required", required[i].Expression, $"{required[i].Expression[(ResourceType.Length + 1)..]} is required");
        }

        if (checkCode && CodeExpression is not null)
        {
            if (CodeBinding is not null && !CodeBinding.ContainsAny(code)) Add(ref issues, r, "code-invalid", CodeExpression, $"code is not in {CodeBinding.Url}");
            if (CodePattern is not null && !HasAll(code, CodePattern)) Add(ref issues, r, "value", CodeExpression, $"code must include {CodePattern[0].System}#{CodePattern[0].Code}");
        }

        if (r is Observation o)
        {
            if (Value is not null && Value.Check(TypeOf(o), o.ValueQuantity, o.ValueCodeableConcept, o.ValueInteger, "Observation") is { } bad)
            {
                Add(ref issues, r, bad.Code, bad.Expression, bad.Reason);
            }
            if (ComponentValue is not null && o.Component is { } components)
            {
                for (var i = 0; i < components.Count; i++)
                {
                    var c = components[i];
                    if (!HasAll(c.Code, ComponentPattern!)) continue;
                    if (ComponentValue.Check(TypeOf(c), c.ValueQuantity, c.ValueCodeableConcept, c.ValueInteger, _componentPrefix) is { } badComponent)
                    {
                        Add(ref issues, r, badComponent.Code, badComponent.Expression, badComponent.Reason, c.ValueQuantity);
                    }
                }
            }
        }

        return issues is null ? new ProfileCheck(ProfileOutcome.Valid, this, null) : new ProfileCheck(ProfileOutcome.Invalid, this, issues);
    }

    private static bool HasAll(CodeableConcept? concept, List<Coding> pattern)
    {
        foreach (var p in pattern)
        {
            if (concept is null || !concept.Has(p.System!, p.Code!)) return false;
        }
        return true;
    }

    private static string? StatusOf(Resource r) => r switch
    {
        Observation o => o.Status,
        MedicationAdministration m => m.Status,
        Procedure p => p.Status,
        MedicationRequest mr => mr.Status,
        ServiceRequest sr => sr.Status,
        MedicationStatement ms => ms.Status,
        _ => null,
    };

    private static ValueTypes TypeOf(Observation o) =>
        o.ValueQuantity is not null ? ValueTypes.Quantity
        : o.ValueCodeableConcept is not null ? ValueTypes.CodeableConcept
        : o.ValueInteger is not null ? ValueTypes.Integer
        : o.ValueBoolean is not null ? ValueTypes.Boolean
        : o.ValueString is not null ? ValueTypes.String
        : o.ValueRange is not null ? ValueTypes.Range
        : o.ValueDateTime is not null ? ValueTypes.DateTime
        : o.ValuePeriod is not null ? ValueTypes.Period
        : ValueTypes.None;

    private static ValueTypes TypeOf(ObservationComponent c) =>
        c.ValueQuantity is not null ? ValueTypes.Quantity
        : c.ValueCodeableConcept is not null ? ValueTypes.CodeableConcept
        : c.ValueInteger is not null ? ValueTypes.Integer
        : c.ValueBoolean is not null ? ValueTypes.Boolean
        : c.ValueString is not null ? ValueTypes.String
        : ValueTypes.None;

    // Only on failure: the message names the fact, its value and time, as the card shows it.
    private void Add(ref List<ValidationIssue>? issues, Resource r, string code, string expression, string reason, Quantity? shownQuantity = null)
    {
        issues ??= [];
        issues.Add(new ValidationIssue("error", code, expression, $"{Describe(r, shownQuantity)} ignored: {reason}"));
    }

    private string Describe(Resource r, Quantity? shownQuantity = null)
    {
        var value = shownQuantity is not null ? Quantity(shownQuantity) : r is Observation o ? ValueText(o) : null;
        var when = r switch
        {
            Observation ob => ob.EffectiveDateTime ?? ob.EffectiveInstant ?? ob.EffectivePeriod?.Start,
            MedicationAdministration m => m.EffectiveDateTime ?? m.EffectivePeriod?.Start,
            Procedure p => p.PerformedDateTime ?? p.PerformedPeriod?.Start,
            _ => null,
        };
        var text = value is null ? Title : $"{Title} {value}";
        return when is null ? text : $"{text} on {When(when)}";
    }

    // The clinical-text convention (CarTCds.Rules.ClinicalText.When, which this layer cannot
    // reference): UTC, "2013-05-19 04:00Z". A test in CarTCds.Hooks.Tests holds the two alike.
    private static string When(string fhirDateTime) => FhirDateTime.StartOf(fhirDateTime) is { } t
        ? t.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + "Z"
        : fhirDateTime;

    private static string? ValueText(Observation o) =>
        o.ValueQuantity is { } q ? Quantity(q)
        : o.ValueInteger is { } i ? i.ToString(CultureInfo.InvariantCulture)
        : o.ValueCodeableConcept is { } c ? (c.Coding is { Count: > 0 } codings ? codings[0].Code : c.Text)
        : o.ValueBoolean is { } b ? (b ? "true" : "false")
        : o.ValueString;

    private static string Quantity(Quantity q) =>
        $"{q.Value?.ToString(CultureInfo.InvariantCulture) ?? "(no value)"} {q.Unit ?? q.Code ?? "(no unit)"}".TrimEnd();
}
