using CarTCds.Fhir;
using CarTCds.Fhir.Model;
using CarTCds.Rules;
using CarTCds.Rules.Facts;

namespace CarTCds.Hooks.Facts;

// Neurology, labs, weight, disease history and performance status.
public static partial class ClinicalFactsMapper
{
    private static void MapClinicalObservation(ObservationKind kind, Observation o, DateTimeOffset t, Collector c)
    {
        var src = Source(o);
        var code = o.ValueCodeableConcept?.CodeIn(DataContract.CarTCds);
        switch (kind)
        {
            // Ranges and the integer type are the profiles' (cartcds-ice-score, cartcds-capd-score, …).
            case ObservationKind.Ice:
                if (o.ValueInteger is { } ice) c.Ice.Add(new IceScore(t, ice, src));
                else c.Exclude(o, "ICE score without an integer value");
                break;
            case ObservationKind.Capd:
                if (o.ValueInteger is { } capd) c.Capd.Add(new CapdScore(t, capd, src));
                else c.Exclude(o, "CAPD score without an integer value");
                break;
            case ObservationKind.Karnofsky:
            case ObservationKind.Lansky:
                var scale = kind == ObservationKind.Karnofsky ? PerformanceScale.Karnofsky : PerformanceScale.Lansky;
                if (o.ValueInteger is { } ps) c.Performance.Add(new PerformanceStatus(t, scale, ps, src));
                else c.Exclude(o, $"{scale} score without an integer value");
                break;
            case ObservationKind.Consciousness:
                ConsciousnessLevel? level = code switch
                {
                    "alert" => ConsciousnessLevel.Alert,
                    "awakens-spontaneously" => ConsciousnessLevel.AwakensSpontaneously,
                    "awakens-to-voice" => ConsciousnessLevel.AwakensToVoice,
                    "awakens-to-touch" => ConsciousnessLevel.AwakensToTouch,
                    "unarousable" => ConsciousnessLevel.Unarousable,
                    _ => null,
                };
                if (level is { } l) c.Consciousness.Add(new ConsciousnessReading(t, l, src));
                else UnknownCode(o, "level of consciousness", code, c);
                break;
            case ObservationKind.Seizure:
                SeizureKind? seizure = code switch
                {
                    "rapidly-resolving" => SeizureKind.RapidlyResolving,
                    "prolonged-or-repetitive" => SeizureKind.ProlongedOrRepetitive,
                    _ => null,
                };
                if (seizure is { } s) c.Seizures.Add(new SeizureEvent(t, s, src));
                else UnknownCode(o, "seizure", code, c);
                break;
            case ObservationKind.Motor:
                if (code == "deep-focal") c.Motor.Add(new MotorWeakness(t, src));
                else UnknownCode(o, "motor finding", code, c);
                break;
            case ObservationKind.Edema:
                EdemaKind? edema = code switch
                {
                    "focal" => EdemaKind.Focal,
                    "diffuse" => EdemaKind.Diffuse,
                    "raised-icp-signs" => EdemaKind.RaisedIcpSigns,
                    _ => null,
                };
                if (edema is { } e) c.Edema.Add(new CerebralEdema(t, e, src));
                else UnknownCode(o, "cerebral oedema", code, c);
                break;
            case ObservationKind.DiseaseStatus:
                DiseaseStatus? status = code switch
                {
                    "primary-refractory" => DiseaseStatus.PrimaryRefractory,
                    "relapse" => DiseaseStatus.Relapse,
                    "refractory-relapse" => DiseaseStatus.RefractoryRelapse,
                    "remission" => DiseaseStatus.Remission,
                    "mrd-positive" => DiseaseStatus.MrdPositive,
                    _ => null,
                };
                if (status is { } ds) c.DiseaseStatus.Add(new DiseaseStatusEvent(t, ds, src));
                else UnknownCode(o, "disease status", code, c);
                break;
            case ObservationKind.Cd19:
                Cd19Status? cd19 = code switch
                {
                    "positive" => Cd19Status.Positive,
                    "negative" => Cd19Status.Negative,
                    "dim" => Cd19Status.Dim,
                    _ => null,
                };
                if (cd19 is { } cs) c.Cd19.Add(new Cd19Expression(t, cs, src));
                else UnknownCode(o, "CD19 expression", code, c);
                break;
            case ObservationKind.Cns:
                CnsStatus? cns = code switch
                {
                    "cns1" => CnsStatus.Cns1,
                    "cns2" => CnsStatus.Cns2,
                    "cns3" => CnsStatus.Cns3,
                    _ => null,
                };
                if (cns is { } cn) c.Cns.Add(new CnsStatusReading(t, cn, src));
                else UnknownCode(o, "CNS status", code, c);
                break;
            case ObservationKind.MarrowBlasts:
                if (o.ValueQuantity is { Value: { } pct } q && (q.Code ?? q.Unit) == "%") c.Blasts.Add(new MarrowBlasts(t, pct, src));
                else c.Exclude(o, $"marrow blasts {Describe(o.ValueQuantity)} ignored: not a percentage");
                break;
            case ObservationKind.Weight:
                if (Kilograms(o.ValueQuantity) is { } kg) c.Weights.Add(new BodyWeight(t, kg, src));
                else c.Exclude(o, $"body weight {Describe(o.ValueQuantity)} ignored: not a weight in kg, [lb_av] or g");
                break;
            case ObservationKind.Lab:
                MapLab(o, t, c);
                break;
        }
    }

    private static void UnknownCode(Observation o, string what, string? code, Collector c) =>
        c.Exclude(o, $"{what} '{code ?? o.ValueCodeableConcept?.Text ?? "(none)"}' is not a cartcds code for it");

    private static decimal? Kilograms(Quantity? q) => q?.Value is not { } v ? null : (q.Code ?? q.Unit) switch
    {
        "kg" => v,
        "g" => v / 1000m,
        "[lb_av]" or "lb" => Math.Round(v * 0.45359237m, 2),
        _ => null,
    };

    private static LabTest? LabOf(string? loinc) => loinc switch
    {
        "2276-4" => LabTest.Ferritin,
        "1988-5" => LabTest.Crp,
        "26881-3" => LabTest.Interleukin6,
        "3255-7" => LabTest.Fibrinogen,
        "1920-8" => LabTest.Ast,
        "1742-6" => LabTest.Alt,
        "1975-2" => LabTest.Bilirubin,
        "2160-0" => LabTest.Creatinine,
        "2532-0" or "14804-9" => LabTest.Ldh,
        "2465-3" => LabTest.IgG,
        "8116-6" => LabTest.Cd19Count,
        "8117-4" => LabTest.Cd19Percent,
        "777-3" => LabTest.Platelets,
        "751-8" => LabTest.Neutrophils,
        _ => null,
    };

    private static void MapLab(Observation o, DateTimeOffset t, Collector c)
    {
        var test = LabOf(o.Code?.CodeIn(FhirSystems.Loinc))!.Value;
        var value = ToCanonical(test, o.ValueQuantity);
        if (value is null)
        {
            c.Exclude(o, $"{LabTests.Name(test)} {Describe(o.ValueQuantity)} ignored: unit not convertible to {LabTests.Unit(test)}");
            return;
        }
        var uln = ToCanonical(test, o.ReferenceRange?.FirstOrDefault(r => r.High is not null)?.High);
        c.Labs.Add(new LabResult(t, test, value.Value, uln, Source(o)));
    }

    /// <summary>The value in the test's canonical unit (<see cref="LabTests.Unit"/>), converting the usual
    /// UCUM alternatives; null for a unit we cannot convert (never guessed).</summary>
    internal static decimal? ToCanonical(LabTest test, Quantity? q)
    {
        if (q?.Value is not { } v) return null;
        var unit = q.Code ?? q.Unit;
        return (test, unit) switch
        {
            (LabTest.Ferritin, "ng/mL" or "ug/L") => v,
            (LabTest.Crp, "mg/L") => v,
            (LabTest.Crp, "mg/dL") => v * 10m,
            (LabTest.Interleukin6, "pg/mL" or "ng/L") => v,
            (LabTest.Fibrinogen, "mg/dL") => v,
            (LabTest.Fibrinogen, "g/L") => v * 100m,
            (LabTest.Ast or LabTest.Alt or LabTest.Ldh, "U/L" or "[IU]/L") => v,
            (LabTest.Bilirubin, "mg/dL") => v,
            (LabTest.Bilirubin, "umol/L") => Math.Round(v / 17.104m, 3),
            (LabTest.Creatinine, "mg/dL") => v,
            (LabTest.Creatinine, "umol/L") => Math.Round(v / 88.42m, 3),
            (LabTest.IgG, "mg/dL") => v,
            (LabTest.IgG, "g/L") => v * 100m,
            (LabTest.Cd19Count, "/uL" or "{cells}/uL" or "10*6/L") => v,
            (LabTest.Cd19Percent, "%") => v,
            (LabTest.Platelets or LabTest.Neutrophils, "10*9/L" or "10*3/uL") => v,
            _ => null,
        };
    }

    private static void MapCondition(Condition cond, Collector c)
    {
        var code = cond.Code;
        if (code is null) return;
        var isGvhd = code.Has(DataContract.CarTCds, DataContract.Gvhd);
        var isDown = !isGvhd && (code.Has(FhirSystems.Snomed, DataContract.SnomedDownSyndrome) || code.CodeIn(FhirSystems.Icd10Cm) is "Q90.9" or "Q90.0" or "Q90.1" or "Q90.2");
        var isSeizureDisorder = !isGvhd && !isDown && (code.Has(FhirSystems.Snomed, "84757009") || code.CodeIn(FhirSystems.Icd10Cm)?.StartsWith("G40", StringComparison.Ordinal) == true);
        var diagnosis = isGvhd || isDown || isSeizureDisorder ? null : DiagnosisOf(code);
        if (!isGvhd && !isDown && !isSeizureDisorder && diagnosis is null) return;
        if (!c.Conforms(cond)) return;
        var onset = FhirDateTime.StartOf(cond.OnsetDateTime ?? cond.OnsetPeriod?.Start);
        var src = Source(cond);

        if (isGvhd)
        {
            if (cond.ClinicalStatus?.Has(FhirSystems.ConditionClinical, "active") == true) c.Gvhd.Add(new ActiveGvhd(onset, src));
        }
        else if (isDown) c.Notable.Add(new NotableCondition(NotableConditionKind.DownSyndrome, src));
        else if (isSeizureDisorder) c.Notable.Add(new NotableCondition(NotableConditionKind.SeizureDisorder, src));
        else c.Diagnoses.Add(new Diagnosis(diagnosis!.Value, onset, ConceptText(code), src));
    }

    /// <summary>Leukaemia lineage from SNOMED, ICD-O-3 or ICD-10-CM. ICD-10-CM C91.0x is "acute
    /// lymphoblastic leukaemia" of either lineage, so alone it cannot confirm B-ALL; a T-lineage
    /// word in its text decides T.</summary>
    private static DiagnosisKind? DiagnosisOf(CodeableConcept code)
    {
        if (code.Has(FhirSystems.Snomed, DataContract.SnomedBCellAll)) return DiagnosisKind.BCellAll;
        var icdO3 = code.CodeIn(DataContract.IcdO3);
        if (icdO3 is "9811/3" or "9812/3" or "9813/3" or "9814/3" or "9815/3" or "9816/3" or "9817/3" or "9818/3" or "9836/3") return DiagnosisKind.BCellAll;
        if (icdO3 is "9837/3") return DiagnosisKind.TCellAll;
        if (code.Has(FhirSystems.Snomed, "91861009")) return DiagnosisKind.OtherLeukaemia;

        var icd = code.CodeIn(FhirSystems.Icd10Cm);
        if (icd is null) return null;
        if (icd.StartsWith("C91.0", StringComparison.Ordinal))
        {
            var text = string.Join(' ', new[] { code.Text }.Concat(code.Coding?.Select(x => x.Display) ?? []).Where(x => x is not null));
            return text.Contains("T-cell", StringComparison.OrdinalIgnoreCase) || text.Contains("T-ALL", StringComparison.Ordinal) || text.Contains("T lymphoblastic", StringComparison.OrdinalIgnoreCase)
                ? DiagnosisKind.TCellAll
                : DiagnosisKind.AllLineageUnspecified;
        }
        return icd.StartsWith("C91", StringComparison.Ordinal) || icd.StartsWith("C92", StringComparison.Ordinal) || icd.StartsWith("C93", StringComparison.Ordinal)
            || icd.StartsWith("C94", StringComparison.Ordinal) || icd.StartsWith("C95", StringComparison.Ordinal)
            ? DiagnosisKind.OtherLeukaemia
            : null;
    }

    private static void MapDraftOrders(Bundle drafts, Dictionary<string, Resource> byId, Collector c)
    {
        foreach (var r in drafts.Resources())
        {
            switch (r)
            {
                case MedicationRequest mr:
                    var (concept, known) = Medication(mr, mr.MedicationCodeableConcept, mr.MedicationReference, byId, c);
                    if (!c.Conforms(mr, concept)) break;
                    var drug = known?.Drug;
                    var kind = IsTisagenlecleucel(concept) ? DraftOrderKind.Tisagenlecleucel
                        : drug == Drug.Tocilizumab ? DraftOrderKind.Tocilizumab
                        : drug is { } d && DrugGroups.IsCorticosteroid(d) ? DraftOrderKind.Corticosteroid
                        : DraftOrderKind.Other;
                    var dose = mr.DosageInstruction?.FirstOrDefault()?.DoseAndRate?.FirstOrDefault()?.DoseQuantity;
                    var unit = dose?.Code ?? dose?.Unit;
                    // A dose in the product's units (2 × "4 MG Oral Tablet") is converted to mg by its strength.
                    var mg = DrugCodes.DoseMg(dose, known?.Strength);
                    decimal? mgPerKg = unit == "mg/kg" ? dose!.Value : null;
                    var doseText = dose?.Value is not { } dv ? "" : unit is "mg" || mg is null ? $" {ClinicalText.Num(dv)} {unit}" : $" {ClinicalText.Num(dv)} {unit} (= {ClinicalText.Num(mg.Value)} mg)";
                    // Under codes no list holds but named in words: never checked by the name, but not silent
                    // either (the order-sign card says the check was not run; docs/CDS-HOOKS.md).
                    var named = drug is null && kind == DraftOrderKind.Other && c.Drugs.NamedWithoutKnownCode(concept) is { } n
                        ? new NamedWithoutKnownCode(n.Drug, n.Name, ConceptText(concept), CodesOf(concept))
                        : null;
                    c.DraftOrders.Add(new DraftOrder(kind, drug, mg, mgPerKg, ConceptText(concept) + doseText, Source(mr)) { NamedDrug = named });
                    break;
                case ServiceRequest sr when sr.Code?.Has(DataContract.CarTCds, DataContract.CarTReferral) == true:
                    if (!c.Conforms(sr)) break;
                    c.DraftOrders.Add(new DraftOrder(DraftOrderKind.CarTReferral, null, null, null, "CAR-T referral", Source(sr)));
                    break;
            }
        }
    }
}
