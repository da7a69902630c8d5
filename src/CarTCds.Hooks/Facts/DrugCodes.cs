using System.Runtime.CompilerServices;
using CarTCds.Fhir.Model;
using CarTCds.Fhir.Validation;
using CarTCds.Rules.Facts;

namespace CarTCds.Hooks.Facts;

/// <summary>A medication code the rules know: which drug, and the product's strength when the code
/// names a product (mg per tablet/vial, or mg/mL) — null for an ingredient code.</summary>
public sealed record KnownDrugCode(Drug Drug, Quantity? Strength);

/// <summary>Medication codes → <see cref="Drug"/>, read from profiles/ (profiles/README.md): one ValueSet per
/// drug, <c>http://cartcds.org/fhir/ValueSet/drug-&lt;name&gt;</c> (<c>drug-immune-globulin</c> for
/// <see cref="Drug.ImmuneGlobulin"/>), holding the RxNorm ingredient and its products (SCD, SBD,
/// GPCK, BPCK) with their strengths, each ValueSet naming its sources. A site adds its local codes
/// to those files (any code system); no C# list is involved. A drug without a ValueSet is simply
/// not recognised by code.</summary>
public sealed class DrugCodes
{
    public const string ValueSetBase = "http://cartcds.org/fhir/ValueSet/drug-";

    private static readonly ConditionalWeakTable<ProfileValidator, DrugCodes> ByValidator = [];

    private readonly Dictionary<(string System, string Code), KnownDrugCode> _codes = [];
    private readonly List<(Drug Drug, string Name)> _ingredientNames = [];

    private DrugCodes(ProfileValidator profiles)
    {
        foreach (var drug in Enum.GetValues<Drug>())
        {
            var concepts = profiles.Concepts(ValueSetUrl(drug));
            foreach (var c in concepts)
            {
                // The first ValueSet to claim a code keeps it: a code in two drugs' lists is a data error, not a choice.
                _codes.TryAdd((c.System, c.Code), new KnownDrugCode(drug, c.Strength));
            }
            // The ingredient's name: the list's first concept without a strength and without digits ("norepinephrine").
            if (concepts.FirstOrDefault(c => c.Strength is null && c.Display is { Length: > 3 } d && !d.Any(char.IsDigit)) is { Display: { } name })
            {
                _ingredientNames.Add((drug, name));
            }
        }
    }

    /// <summary>The codes of these profiles (built once per validator).</summary>
    public static DrugCodes For(ProfileValidator profiles) => ByValidator.GetValue(profiles, static p => new DrugCodes(p));

    /// <summary>The codes of the embedded profiles.</summary>
    public static DrugCodes Default => For(ProfileValidator.Default);

    /// <summary>The ValueSet that lists <paramref name="drug"/>'s codes (<c>ImmuneGlobulin</c> → <c>drug-immune-globulin</c>).</summary>
    public static string ValueSetUrl(Drug drug) =>
        ValueSetBase + string.Concat(drug.ToString().Select((ch, i) => char.IsUpper(ch) ? (i > 0 ? "-" : "") + char.ToLowerInvariant(ch) : ch.ToString()));

    /// <summary>Where a site adds a code for <paramref name="drug"/>: its ValueSet's file in the repository
    /// (<c>profiles/ValueSet/drug-dexamethasone.json</c>), named on every card that says a code is missing.</summary>
    public static string ValueSetFile(Drug drug) => $"profiles/ValueSet/{ValueSetUrl(drug)[(ValueSetBase.Length - "drug-".Length)..]}.json";

    /// <summary>The drug of the first coding the profiles know, or null.</summary>
    public KnownDrugCode? Find(CodeableConcept? concept)
    {
        if (concept?.Coding is null) return null;
        foreach (var c in concept.Coding)
        {
            if (c.System is not null && c.Code is not null && _codes.TryGetValue((c.System, c.Code), out var known)) return known;
        }
        return null;
    }

    /// <summary>For a concept no code list knows: the drug whose ingredient name (its ValueSet's ingredient
    /// display, e.g. "norepinephrine") its text or a coding's display names as a whole word, so that a
    /// product a site has not listed yet is reported instead of silently ignored. Null when none or more
    /// than one drug is named. Never used to count a record: a name is not a code.</summary>
    public (Drug Drug, string Name)? NamedWithoutKnownCode(CodeableConcept? concept)
    {
        if (concept is null || Find(concept) is not null) return null;
        (Drug Drug, string Name)? named = null;
        foreach (var (drug, name) in _ingredientNames)
        {
            if (!Names(concept.Text, name) && concept.Coding?.Any(c => Names(c.Display, name)) != true) continue;
            if (named is not null && named.Value.Drug != drug) return null;
            named = (drug, name);
        }
        return named;

        static bool Names(string? text, string name)
        {
            if (text is null) return false;
            for (var i = text.IndexOf(name, StringComparison.OrdinalIgnoreCase); i >= 0; i = text.IndexOf(name, i + 1, StringComparison.OrdinalIgnoreCase))
            {
                var end = i + name.Length;
                if ((i == 0 || !char.IsLetter(text[i - 1])) && (end == text.Length || !char.IsLetter(text[end]))) return true;
            }
            return false;
        }
    }

    /// <summary>A Medication resource: by its code, else by its one known active ingredient (with the
    /// ingredient's strength per unit, e.g. 4 mg / 1 tablet, when given in mg).</summary>
    public KnownDrugCode? Find(Medication medication)
    {
        if (Find(medication.Code) is { } byCode) return byCode;
        KnownDrugCode? found = null;
        foreach (var ingredient in medication.Ingredient ?? [])
        {
            if (ingredient.IsActive == false || Find(ingredient.ItemCodeableConcept) is not { } known) continue;
            // Two known ingredients (a combination product) cannot be dosed as one drug.
            if (found is not null && found.Drug != known.Drug) return null;
            found = known with { Strength = StrengthPerUnit(ingredient.Strength) };
        }
        return found;
    }

    // 4 mg / 1 tablet → 4 mg per unit; 20 mg / 1 mL → 20 mg/mL; anything else is not converted.
    private static Quantity? StrengthPerUnit(Ratio? ratio)
    {
        if (ratio?.Numerator is not { Value: { } n } num || ratio.Denominator is not { Value: { } d } den || d == 0) return null;
        var mg = (num.Code ?? num.Unit) switch { "mg" => n, "g" => n * 1000m, "ug" or "mcg" => n / 1000m, _ => (decimal?)null };
        if (mg is null) return null;
        return (den.Code ?? den.Unit) switch
        {
            "mL" or "ml" => new Quantity(mg.Value / d, "mg/mL"),
            "mg" or "g" or "ug" => null,
            _ => new Quantity(mg.Value / d, "mg"),
        };
    }

    /// <summary>A dose in mg: given in mg or g; or in units of the product ({pill}, {tablet}, 1 …)
    /// times its strength in mg; or in mL times its mg/mL strength. Null when it cannot be converted
    /// (never guessed).</summary>
    public static decimal? DoseMg(Quantity? dose, Quantity? strength)
    {
        if (dose?.Value is not { } v) return null;
        var unit = dose.Code ?? dose.Unit;
        switch (unit)
        {
            case "mg": return v;
            case "g": return v * 1000m;
        }
        if (strength?.Value is not { } s) return null;
        return (unit, strength.Code) switch
        {
            ("mL" or "ml", "mg/mL") => v * s,
            (_, "mg") when IsUnitCount(unit) => v * s,
            _ => null,
        };
    }

    // UCUM annotations for counted dose units (the CDS Hooks Sandbox sends {pill}), and "1".
    private static bool IsUnitCount(string? unit) => unit is "1" or "{pill}" or "{tablet}" or "{tbl}" or "{capsule}" or "{cap}" or "{vial}" or "{syringe}"
        or "tablet" or "tablets" or "capsule" or "capsules" or "vial" or "syringe";
}
