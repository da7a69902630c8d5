using CarTCds.Fhir.Model;
using CarTCds.Hooks.Contract;
using CarTCds.Hooks.Facts;

namespace CarTCds.Hooks.Cards;

/// <summary>The FHIR resources that card suggestions propose: draft orders the clinician can
/// accept into the EHR (CDS Hooks action <c>create</c>). Status <c>draft</c>, intent
/// <c>proposal</c>: nothing is ordered until a clinician signs it.</summary>
public static class SuggestedOrders
{
    /// <summary>A suggestion with one create action.</summary>
    public static Suggestion Create(string label, string description, Resource resource, bool recommended = true) => new()
    {
        Label = label,
        Uuid = Guid.NewGuid().ToString(),
        IsRecommended = recommended,
        Actions = [new CdsAction { Type = "create", Description = description, Resource = resource }],
    };

    /// <summary>A draft MedicationRequest for one IV/PO dose in mg, optionally repeated.</summary>
    /// <param name="patientId">Patient id (subject).</param>
    /// <param name="rxNorm">RxNorm code of the drug.</param>
    /// <param name="drugName">Display name.</param>
    /// <param name="doseMg">Dose per administration in mg.</param>
    /// <param name="route">SNOMED route: 47625008 intravenous, 26643006 oral.</param>
    /// <param name="everyHours">Repeat interval in hours, or null for a single dose.</param>
    /// <param name="text">The dosage as a clinician writes it.</param>
    public static MedicationRequest Medication(string patientId, string rxNorm, string drugName, decimal doseMg, string route, int? everyHours, string text) => new()
    {
        Status = "draft",
        Intent = "proposal",
        MedicationCodeableConcept = new CodeableConcept(Fhir.Model.FhirSystems.RxNorm, rxNorm, drugName),
        Subject = new Reference($"Patient/{patientId}"),
        DosageInstruction =
        [
            new Dosage
            {
                Text = text,
                Timing = everyHours is { } h ? new Timing { Repeat = new TimingRepeat { Frequency = 1, Period = h, PeriodUnit = "h" } } : null,
                Route = new CodeableConcept(Fhir.Model.FhirSystems.Snomed, route, route == Intravenous ? "Intravenous route" : "Oral route"),
                DoseAndRate = [new DosageDoseAndRate { DoseQuantity = new Quantity(doseMg, "mg", "mg") }],
            },
        ],
    };

    public const string Intravenous = "47625008";
    public const string Oral = "26643006";

    /// <summary>A draft ServiceRequest for an assessment or lab, optionally repeated every N hours.</summary>
    public static ServiceRequest Service(string patientId, Coding code, string text, int? everyHours) => new()
    {
        Status = "draft",
        Intent = "proposal",
        Code = new CodeableConcept { Coding = [code], Text = text },
        Subject = new Reference($"Patient/{patientId}"),
        OccurrenceTiming = everyHours is { } h ? new Timing { Repeat = new TimingRepeat { Frequency = 1, Period = h, PeriodUnit = "h" } } : null,
    };

    /// <summary>ICE (age &gt; CAPD cut-off) or CAPD assessment every <paramref name="everyHours"/> h.</summary>
    public static ServiceRequest NeuroAssessment(string patientId, bool capd, int everyHours) =>
        Service(patientId, new Coding(DataContract.CarTCds, capd ? DataContract.CapdScore : DataContract.IceScore, capd ? "CAPD score" : "ICE score"),
            $"{(capd ? "CAPD" : "ICE")} assessment every {everyHours} h", everyHours);

    /// <summary>Serum ferritin (LOINC 2276-4) now.</summary>
    public static ServiceRequest Ferritin(string patientId) =>
        Service(patientId, new Coding(Fhir.Model.FhirSystems.Loinc, "2276-4", "Ferritin [Mass/volume] in Serum or Plasma"), "Ferritin", null);

    /// <summary>The RxNorm ingredient code of a drug the service proposes (ValueSet suggested-drugs),
    /// or null for drugs it never proposes. Codes: docs/CLINICAL-RULES.md §6.</summary>
    public static string? RxNorm(CarTCds.Rules.Facts.Drug drug) => drug switch
    {
        CarTCds.Rules.Facts.Drug.Tocilizumab => "612865",
        CarTCds.Rules.Facts.Drug.Dexamethasone => "3264",
        CarTCds.Rules.Facts.Drug.Methylprednisolone => "6902",
        CarTCds.Rules.Facts.Drug.Levetiracetam => "114477",
        CarTCds.Rules.Facts.Drug.Anakinra => "72435",
        CarTCds.Rules.Facts.Drug.Siltuximab => "1535218",
        CarTCds.Rules.Facts.Drug.Ruxolitinib => "1193326",
        _ => null,
    };
}
