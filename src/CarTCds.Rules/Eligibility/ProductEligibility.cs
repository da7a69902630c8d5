using CarTCds.Rules.Facts;

namespace CarTCds.Rules.Eligibility;

/// <summary>One labelled CD19 CAR-T product's answer for this patient.</summary>
/// <param name="Product">Which product.</param>
/// <param name="Brand">Its brand name.</param>
/// <param name="LabelVersion">The label revision the criteria come from.</param>
/// <param name="Indication">The label's B-ALL indication, as worded.</param>
/// <param name="SourceUrl">Where the label can be read.</param>
/// <param name="Eligibility">Eligible, not eligible or undetermined, by the same rule as tisagenlecleucel
/// (any criterion not met → not eligible; else any undecidable → undetermined).</param>
/// <param name="Reasons">Approval (only when the label was not yet approved on the evaluation date), age, diagnosis and disease status, in that order.</param>
/// <param name="Missing">Exactly what is needed to decide the undetermined criteria.</param>
/// <param name="Evidence">The records the reasons rest on.</param>
public sealed record ProductAssessment(CarTProduct Product, string Brand, string LabelVersion, string Indication, string SourceUrl,
    EligibilityStatus Eligibility, IReadOnlyList<EligibilityReason> Reasons, IReadOnlyList<string> Missing, IReadOnlyList<Evidence> Evidence)
{
    /// <summary><c>eligible</c> | <c>not-eligible</c> | <c>undetermined</c>.</summary>
    public string Code => EligibilityCodes.Code(Eligibility);

    /// <summary>Generic name in lower case (<c>brexucabtagene autoleucel</c>).</summary>
    public string Name => ProductEligibility.Name(Product);

    /// <summary>The finding code: <c>eligibility-tisagenlecleucel</c>, <c>eligibility-brexucabtagene-autoleucel</c>,
    /// <c>eligibility-obecabtagene-autoleucel</c>.</summary>
    public string FindingCode => "eligibility-" + Name.Replace(' ', '-');
}

/// <summary>Every CD19 CAR-T product with a US label for B-ALL, assessed side by side at referral
/// (docs/CLINICAL-RULES.md §5a), so a young adult sees every option and an older adult the ones that apply.</summary>
/// <remarks>Tisagenlecleucel is the existing <see cref="EligibilityCheck"/> answer unchanged; the adult
/// products (Tecartus, Aucatzyl: "adult patients with relapsed or refractory B-cell precursor ALL") are
/// judged on age (≥ <see cref="ProductLabel.MinAgeYears"/> on the planned infusion date, else the
/// evaluation date), the same diagnosis rule, and "relapsed or refractory" = any relapse or refractory
/// event on record. Records after the evaluation time are ignored.</remarks>
public static class ProductEligibility
{
    /// <param name="facts">The patient's facts; records after <paramref name="at"/> are ignored.</param>
    /// <param name="at">The evaluation time.</param>
    /// <param name="rules">The rule set (<see cref="RuleSet.ProductLabels"/>).</param>
    /// <param name="tisagenlecleucel">The tisagenlecleucel assessment of the same call (reused, not recomputed).</param>
    /// <param name="plannedInfusion">The planned infusion date, when known: age is judged on it.</param>
    public static IReadOnlyList<ProductAssessment> Assess(ClinicalFacts facts, DateTimeOffset at, RuleSet rules, EligibilityAssessment tisagenlecleucel,
        DateOnly? plannedInfusion = null)
    {
        var labels = rules.ProductLabels;
        var ageDate = plannedInfusion ?? DateOnly.FromDateTime(at.DateTime);
        return
        [
            new ProductAssessment(CarTProduct.Tisagenlecleucel, "Kymriah", labels.TisagenlecleucelLabelVersion,
                "patients up to 25 years of age with B-cell precursor acute lymphoblastic leukemia (ALL) that is refractory or in second or later relapse",
                labels.TisagenlecleucelSourceUrl, tisagenlecleucel.Eligibility, tisagenlecleucel.Reasons, tisagenlecleucel.Missing, tisagenlecleucel.Evidence),
            AssessLabel(CarTProduct.BrexucabtageneAutoleucel, labels.BrexucabtageneAutoleucel, facts, at, ageDate, plannedInfusion is not null),
            AssessLabel(CarTProduct.ObecabtageneAutoleucel, labels.ObecabtageneAutoleucel, facts, at, ageDate, plannedInfusion is not null),
        ];
    }

    public static string Name(CarTProduct p) => p switch
    {
        CarTProduct.Tisagenlecleucel => "tisagenlecleucel",
        CarTProduct.BrexucabtageneAutoleucel => "brexucabtagene autoleucel",
        _ => "obecabtagene autoleucel",
    };

    private static ProductAssessment AssessLabel(CarTProduct product, ProductLabel label, ClinicalFacts facts, DateTimeOffset at, DateOnly ageDate, bool planned)
    {
        var missing = new List<string>();
        var notes = new List<string>();
        List<EligibilityReason> reasons =
        [
            .. Approval(label, at),
            AssessAge(label, facts, ageDate, planned, missing),
            EligibilityCheck.AssessDiagnosis(facts, at, missing, notes),
            AssessRelapsedOrRefractory(facts, at, missing),
        ];
        var status = EligibilityCheck.Combine(reasons);
        var evidence = reasons.SelectMany(r => r.Evidence).DistinctBy(e => (e.Source, e.Description)).OrderBy(e => e.Time ?? DateTimeOffset.MinValue).ToList();
        return new ProductAssessment(product, label.Brand, label.LabelVersion, label.Indication, label.SourceUrl, status, reasons, missing.Distinct().ToList(), evidence);
    }

    // A label applies from its approval date (the evaluation date in its own offset, as for age).
    private static IEnumerable<EligibilityReason> Approval(ProductLabel label, DateTimeOffset at)
    {
        var on = DateOnly.FromDateTime(at.DateTime);
        if (label.ApprovedOn is { } approved && on < approved)
        {
            yield return new EligibilityReason("approval", CriterionOutcome.NotMet,
                $"{label.Brand} was not approved for B-ALL on {ClinicalText.Date(on)} (approved {ClinicalText.Date(approved)}).", []);
        }
    }

    // "adult patients": completed years on the date judged, both limits inclusive.
    private static EligibilityReason AssessAge(ProductLabel label, ClinicalFacts facts, DateOnly on, bool planned, List<string> missing)
    {
        var when = planned ? $"on the planned infusion date {ClinicalText.Date(on)}" : $"on {ClinicalText.Date(on)}";
        var limit = (label.MinAgeYears, label.MaxAgeYears) switch
        {
            ({ } min, { } max) => $"{min}–{max} years",
            ({ } min, null) => $"≥ {min} years",
            (null, { } max) => $"≤ {max} years",
            _ => "any age",
        };
        if (facts.BirthDate is not { } birth || birth > on)
        {
            missing.Add("Patient.birthDate");
            return new EligibilityReason("age", CriterionOutcome.Undetermined, $"Birth date unknown: age {when} cannot be checked against the label's {limit}.", []);
        }
        var age = Age.CompletedYears(birth, on);
        var met = (label.MinAgeYears is not { } lo || age >= lo) && (label.MaxAgeYears is not { } hi || age <= hi);
        var ev = new Evidence(facts.PatientSource ?? "Patient", null, $"birth date {ClinicalText.Date(birth)}");
        return new EligibilityReason("age", met ? CriterionOutcome.Met : CriterionOutcome.NotMet,
            $"Age {age} y {when}: {(met ? "within" : "outside")} the label's {limit}.", [ev]);
    }

    // "relapsed or refractory": any relapse or refractory event before the evaluation time.
    private static EligibilityReason AssessRelapsedOrRefractory(ClinicalFacts facts, DateTimeOffset at, List<string> missing)
    {
        var events = facts.DiseaseStatus.Where(e => e.Time <= at).OrderBy(e => e.Time).ToList();
        var qualifying = events.Where(e => e.Status is DiseaseStatus.PrimaryRefractory or DiseaseStatus.Relapse or DiseaseStatus.RefractoryRelapse).ToList();
        static Evidence Ev(DiseaseStatusEvent e) => new(e.Source, e.Time, $"{EligibilityCheck.Name(e.Status)} on {ClinicalText.Date(e.Time)}");
        if (qualifying.Count > 0)
        {
            return new EligibilityReason("disease-status", CriterionOutcome.Met,
                $"Relapsed or refractory disease on record ({string.Join(", ", qualifying.Select(e => Ev(e).Description))}): covered by the label.",
                qualifying.Select(Ev).ToList());
        }
        if (events.Count == 0)
        {
            missing.Add("disease-status events (cartcds#disease-status)");
            return new EligibilityReason("disease-status", CriterionOutcome.Undetermined,
                "No disease-status events on record: whether the ALL is relapsed or refractory cannot be decided.", []);
        }
        if (events.Any(e => e.Status == DiseaseStatus.MrdPositive))
        {
            missing.Add("whether the MRD-positive disease is relapsed or refractory (disease-status relapse, primary-refractory or refractory-relapse)");
            return new EligibilityReason("disease-status", CriterionOutcome.Undetermined,
                "Only MRD positivity and remission are recorded: MRD alone does not establish relapsed or refractory disease.", events.Select(Ev).ToList());
        }
        return new EligibilityReason("disease-status", CriterionOutcome.NotMet,
            "Only remission is recorded (no relapse, no refractory disease): not covered by the label (relapsed or refractory).", events.Select(Ev).ToList());
    }
}
