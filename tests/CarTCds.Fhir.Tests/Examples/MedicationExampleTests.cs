using System.Text.Json;
using CarTCds.Fhir.Model;
using CarTCds.Fhir.Serialization;
using CarTCds.Fhir.Tests.TestSupport;

namespace CarTCds.Fhir.Tests.Examples;

/// <summary>MedicationRequest, MedicationAdministration and MedicationStatement examples from the
/// FHIR R4 specification; all reference a contained Medication.</summary>
public sealed class MedicationExampleTests
{
    [Fact]
    public void GivenMedicationRequest0302_WhenTheMedicationIsResolved_ThenTheContainedMedicationIsReturned()
    {
        // Arrange + Act
        var requests = SpecExample.ParsedAndRoundTripped<MedicationRequest>("medicationrequest0302.json");

        // Assert
        foreach (var r in requests)
        {
            Assert.Equal("medrx0302", r.Id);
            Assert.Equal("#med0320", r.MedicationReference!.ReferenceValue);
            Assert.Null(r.MedicationCodeableConcept);

            var medication = r.ResolveContained<Medication>(r.MedicationReference);

            Assert.NotNull(medication);
            Assert.Equal("med0320", medication.Id);
            Assert.True(medication.Code!.Has(FhirSystems.Snomed, "324252006"));
            Assert.Equal("Azithromycin 250mg capsule (product)", medication.Code.Coding![0].Display);
        }
    }

    [Fact]
    public void GivenMedicationRequest0302_WhenParsed_ThenOrderFieldsAndBothDosagesAreRead()
    {
        // Arrange + Act
        var requests = SpecExample.ParsedAndRoundTripped<MedicationRequest>("medicationrequest0302.json");

        // Assert
        foreach (var r in requests)
        {
            Assert.Equal("active", r.Status);
            Assert.Equal("order", r.Intent);
            Assert.Equal("12345689", Assert.Single(r.Identifier!).Value);
            Assert.Equal("Patient/pat1", r.Subject!.ReferenceValue);
            Assert.Equal("Encounter/f001", r.Encounter!.ReferenceValue);
            Assert.Equal("2015-01-15", r.AuthoredOn);
            Assert.Equal("Practitioner/f007", r.Requester!.ReferenceValue);
            Assert.True(Assert.Single(r.ReasonCode!).Has(FhirSystems.Snomed, "11840006"));
            Assert.Equal("Patient told to take with food", Assert.Single(r.Note!).Text);

            Assert.Equal(2, r.DosageInstruction!.Count);
            var first = r.DosageInstruction[0];
            Assert.Equal(1, first.Sequence);
            Assert.Equal("Two tablets at once", first.Text);
            Assert.Equal(1, first.Timing!.Repeat!.Frequency);
            Assert.Equal(1m, first.Timing.Repeat.Period);
            Assert.Equal("d", first.Timing.Repeat.PeriodUnit);
            Assert.Equal("26643006", first.Route!.CodeIn(FhirSystems.Snomed));
            Assert.Equal("421521009", first.Method!.CodeIn(FhirSystems.Snomed));
            var dose = Assert.Single(first.DoseAndRate!);
            Assert.True(dose.Type!.Has("http://terminology.hl7.org/CodeSystem/dose-rate-type", "ordered"));
            Assert.Equal(2m, dose.DoseQuantity!.Value);
            Assert.Equal("TAB", dose.DoseQuantity.Unit);

            var second = r.DosageInstruction[1];
            Assert.Equal(2, second.Sequence);
            Assert.Equal(4, second.Timing!.Repeat!.Frequency);
            Assert.Null(second.Method);
            Assert.Equal(1m, Assert.Single(second.DoseAndRate!).DoseQuantity!.Value);
        }
    }

    [Fact]
    public void GivenMedicationRequest0301_WhenContainedResourcesAreRead_ThenTheMedicationIsTypedAndTheProvenanceKeptRaw()
    {
        // Arrange + Act
        var requests = SpecExample.ParsedAndRoundTripped<MedicationRequest>("medicationrequest0301.json");

        // Assert
        foreach (var r in requests)
        {
            Assert.Equal(2, r.Contained!.Count);
            var medication = Assert.IsType<Medication>(r.Contained[0]);
            var provenance = Assert.IsType<OtherResource>(r.Contained[1]);
            Assert.Equal("Provenance", provenance.ResourceType);
            Assert.Equal("signature", provenance.Id);
            Assert.Equal("2017-02-01T17:23:07Z", provenance.Json.GetProperty("recorded").GetString());

            Assert.Same(medication, r.ResolveContained<Medication>(r.MedicationReference));
            Assert.True(medication.Code!.Has(FhirSystems.Snomed, "430127000"));
            Assert.Same(provenance, r.ResolveContained<Resource>(new Reference("#signature")));
            Assert.Null(r.ResolveContained<Medication>(new Reference("#signature")));
        }
    }

    [Fact]
    public void GivenMedicationRequest0301_WhenParsed_ThenTheDoseRangeAndInstructionsAreRead()
    {
        // Arrange + Act
        var requests = SpecExample.ParsedAndRoundTripped<MedicationRequest>("medicationrequest0301.json");

        // Assert
        foreach (var r in requests)
        {
            Assert.Equal("completed", r.Status);
            Assert.True(Assert.Single(r.Category!).Has("http://terminology.hl7.org/CodeSystem/medicationrequest-category", "inpatient"));
            Assert.Equal("Encounter/f201", r.Encounter!.ReferenceValue);
            var dosage = Assert.Single(r.DosageInstruction!);
            Assert.Equal("one to two tablets every 4-6 hours as needed for rib pain", dosage.Text);
            Assert.Equal("Take one to two tablets every four to six hours as needed for rib pain", dosage.PatientInstruction);
            Assert.Equal(4m, dosage.Timing!.Repeat!.Period);
            Assert.Equal("h", dosage.Timing.Repeat.PeriodUnit);
            // asNeededCodeableConcept is not modelled; asNeededBoolean must not be invented.
            Assert.Null(dosage.AsNeededBoolean);
            var range = Assert.Single(dosage.DoseAndRate!).DoseRange!;
            Assert.Equal(1m, range.Low!.Value);
            Assert.Equal(2m, range.High!.Value);
            Assert.Equal("TAB", range.High.Code);
        }
    }

    [Fact]
    public void GivenMedicationRequest0301_WhenRoundTripped_ThenTheContainedProvenanceIsWrittenBackUnchanged()
    {
        // Arrange
        var json = SpecExample.Read("medicationrequest0301.json");
        using var source = JsonDocument.Parse(json);

        // Act
        using var written = JsonDocument.Parse(FhirJson.Serialize(FhirJson.Parse(json)));

        // Assert
        var sourceProvenance = source.RootElement.GetProperty("contained")[1];
        var writtenProvenance = written.RootElement.GetProperty("contained")[1];
        Assert.True(JsonElement.DeepEquals(sourceProvenance, writtenProvenance));
        Assert.Equal(
            sourceProvenance.EnumerateObject().Select(p => p.Name),
            writtenProvenance.EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public void GivenMedicationAdministration0301_WhenParsed_ThenTheAdministrationAndItsMedicationAreRead()
    {
        // Arrange + Act
        var administrations = SpecExample.ParsedAndRoundTripped<MedicationAdministration>("medicationadministration0301.json");

        // Assert
        foreach (var a in administrations)
        {
            Assert.Equal("medadmin0301", a.Id);
            Assert.Equal("in-progress", a.Status);
            var medication = a.ResolveContained<Medication>(a.MedicationReference);
            Assert.NotNull(medication);
            Assert.Equal("0069-2587-10", medication.Code!.CodeIn(FhirSystems.Ndc));
            Assert.Equal("Patient/pat1", a.Subject!.ReferenceValue);
            Assert.Equal("Encounter/f001", a.Context!.ReferenceValue);
            Assert.Null(a.EffectiveDateTime);
            Assert.Equal("2015-01-15T14:30:00+01:00", a.EffectivePeriod!.Start);
            Assert.Null(a.EffectivePeriod.End);
            Assert.Equal("MedicationRequest/medrx0318", a.Request!.ReferenceValue);
            Assert.Equal("500mg IV q6h x 3 days", a.Dosage!.Text);
            Assert.Equal("47625008", a.Dosage.Route!.CodeIn(FhirSystems.Snomed));
            Assert.Equal(500m, a.Dosage.Dose!.Value);
            Assert.Equal("mg", a.Dosage.Dose.Code);
            Assert.Equal(FhirSystems.Ucum, a.Dosage.Dose.System);
        }
    }

    [Fact]
    public void GivenMedicationAdministration0302_WhenParsed_ThenTheInfusionPeriodDoseAndMedicationFormAreRead()
    {
        // Arrange + Act
        var administrations = SpecExample.ParsedAndRoundTripped<MedicationAdministration>("medicationadministration0302.json");

        // Assert
        foreach (var a in administrations)
        {
            Assert.Equal("completed", a.Status);
            Assert.True(a.Category!.Has("http://terminology.hl7.org/CodeSystem/medication-admin-category", "inpatient"));
            Assert.Equal("2015-01-15T04:30:00+01:00", a.EffectivePeriod!.Start);
            Assert.Equal("2015-01-15T14:30:00+01:00", a.EffectivePeriod.End);
            Assert.Equal(20m, a.Dosage!.Dose!.Value);
            Assert.Equal("meq", a.Dosage.Dose.Unit);
            // rateRatio is not modelled; rateQuantity must stay empty.
            Assert.Null(a.Dosage.RateQuantity);

            var medication = a.ResolveContained<Medication>(a.MedicationReference);
            Assert.NotNull(medication);
            Assert.Equal("med0317", medication.Id);
            Assert.Null(medication.Code);
            Assert.Equal("385219001", medication.Form!.CodeIn(FhirSystems.Snomed));
            Assert.Equal("Injection Solution (qualifier value)", medication.Form.Text);
        }
    }

    [Fact]
    public void GivenTheMedicationStatementExample_WhenParsed_ThenDatesNoteAndContainedMedicationAreRead()
    {
        // Arrange + Act
        var statements = SpecExample.ParsedAndRoundTripped<MedicationStatement>("medicationstatementexample1.json");

        // Assert
        foreach (var s in statements)
        {
            Assert.Equal("example001", s.Id);
            Assert.Equal("active", s.Status);
            Assert.Equal("Patient/pat1", s.Subject!.ReferenceValue);
            Assert.Equal("2015-01-23", s.EffectiveDateTime);
            Assert.Null(s.EffectivePeriod);
            Assert.Equal("2015-02-22", s.DateAsserted);
            Assert.Equal("Patient indicates they miss the occasional dose", Assert.Single(s.Note!).Text);

            var medication = s.ResolveContained<Medication>(s.MedicationReference);
            Assert.NotNull(medication);
            Assert.Equal("50580-506-02", medication.Code!.CodeIn(FhirSystems.Ndc));
            Assert.Equal("Tylenol PM", medication.Code.Coding![0].Display);
            Assert.Equal("385057009", medication.Form!.CodeIn(FhirSystems.Snomed));
        }
    }
}
