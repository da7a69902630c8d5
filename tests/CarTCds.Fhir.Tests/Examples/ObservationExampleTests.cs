using CarTCds.Fhir.Model;
using CarTCds.Fhir.Tests.TestSupport;

namespace CarTCds.Fhir.Tests.Examples;

/// <summary>Observation examples from the FHIR R4 specification. Every assertion runs on the
/// parsed example and again on the example after a write/read round trip.</summary>
public sealed class ObservationExampleTests
{
    [Fact]
    public void GivenTheGlucoseExample_WhenParsed_ThenTheLabValueAndItsTimesAreRead()
    {
        // Arrange + Act
        var observations = SpecExample.ParsedAndRoundTripped<Observation>("observation-example-f001-glucose.json");

        // Assert
        foreach (var o in observations)
        {
            Assert.Equal("f001", o.Id);
            Assert.Equal("Observation/f001", o.TypedId);
            Assert.Equal("final", o.Status);
            Assert.Equal("6323", Assert.Single(o.Identifier!).Value);
            Assert.True(o.Code!.Has(FhirSystems.Loinc, "15074-8"));
            Assert.Equal("Glucose [Moles/volume] in Blood", Assert.Single(o.Code.Coding!).Display);
            Assert.Equal("Patient/f001", o.Subject!.ReferenceValue);
            Assert.Equal("P. van de Heuvel", o.Subject.Display);
            Assert.Null(o.EffectiveDateTime);
            Assert.Equal("2013-04-02T09:30:10+01:00", o.EffectivePeriod!.Start);
            Assert.Null(o.EffectivePeriod.End);
            Assert.Equal("2013-04-03T15:30:10+01:00", o.Issued);
            Assert.Equal("Practitioner/f005", Assert.Single(o.Performer!).ReferenceValue);
            Assert.Equal(6.3m, o.ValueQuantity!.Value);
            Assert.Equal("mmol/l", o.ValueQuantity.Unit);
            Assert.Equal(FhirSystems.Ucum, o.ValueQuantity.System);
            Assert.Equal("mmol/L", o.ValueQuantity.Code);
            Assert.Equal("H", Assert.Single(Assert.Single(o.Interpretation!).Coding!).Code);
            var range = Assert.Single(o.ReferenceRange!);
            Assert.Equal(3.1m, range.Low!.Value);
            Assert.Equal(6.2m, range.High!.Value);
            Assert.Equal("mmol/L", range.High.Code);
        }
    }

    [Fact]
    public void GivenTheBodyTemperatureExample_WhenParsed_ThenTheVitalSignIsRead()
    {
        // Arrange + Act
        var observations = SpecExample.ParsedAndRoundTripped<Observation>("observation-example-body-temperature.json");

        // Assert
        foreach (var o in observations)
        {
            Assert.Equal("body-temperature", o.Id);
            Assert.Equal("http://hl7.org/fhir/StructureDefinition/vitalsigns", Assert.Single(o.Meta!.Profile!));
            Assert.Equal("generated", o.Text!.Status);
            Assert.StartsWith("<div xmlns=\"http://www.w3.org/1999/xhtml\">", o.Text.Div, StringComparison.Ordinal);
            var category = Assert.Single(o.Category!);
            Assert.True(category.Has(FhirSystems.ObservationCategory, "vital-signs"));
            Assert.Equal("Vital Signs", category.Text);
            Assert.Equal("8310-5", o.Code!.CodeIn(FhirSystems.Loinc));
            Assert.Equal("Body temperature", o.Code.Text);
            Assert.Equal("Patient/example", o.Subject!.ReferenceValue);
            Assert.Equal("1999-07-02", o.EffectiveDateTime);
            Assert.Null(o.EffectivePeriod);
            Assert.Equal(36.5m, o.ValueQuantity!.Value);
            Assert.Equal("C", o.ValueQuantity.Unit);
            Assert.Equal("Cel", o.ValueQuantity.Code);
        }
    }

    [Fact]
    public void GivenTheBodyWeightExample_WhenParsed_ThenAllFourCodingsAndTheWeightAreRead()
    {
        // Arrange + Act
        var observations = SpecExample.ParsedAndRoundTripped<Observation>("observation-example.json");

        // Assert
        foreach (var o in observations)
        {
            Assert.Equal("example", o.Id);
            Assert.Equal(
                ["29463-7", "3141-9", "27113001", "body-weight"],
                o.Code!.Coding!.Select(c => c.Code));
            Assert.True(o.Code.Has(FhirSystems.Snomed, "27113001"));
            Assert.True(o.Code.Has("http://acme.org/devices/clinical-codes", "body-weight"));
            Assert.False(o.Code.Has(FhirSystems.Snomed, "29463-7"));
            Assert.Equal("Encounter/example", o.Encounter!.ReferenceValue);
            Assert.Equal("2016-03-28", o.EffectiveDateTime);
            Assert.Equal(185m, o.ValueQuantity!.Value);
            Assert.Equal("lbs", o.ValueQuantity.Unit);
            Assert.Equal("[lb_av]", o.ValueQuantity.Code);
        }
    }

    [Fact]
    public void GivenTheBloodPressureExample_WhenParsed_ThenBothComponentsAreRead()
    {
        // Arrange + Act
        var observations = SpecExample.ParsedAndRoundTripped<Observation>("observation-example-bloodpressure.json");

        // Assert
        foreach (var o in observations)
        {
            Assert.Equal("blood-pressure", o.Id);
            Assert.Equal("urn:uuid:187e0c12-8dd2-67e2-99b2-bf273c878281", Assert.Single(o.Identifier!).Value);
            Assert.True(o.Code!.Has(FhirSystems.Loinc, "85354-9"));
            Assert.Equal("Blood pressure systolic & diastolic", o.Code.Text);
            Assert.Equal("2012-09-17", o.EffectiveDateTime);
            Assert.Equal("Practitioner/example", Assert.Single(o.Performer!).ReferenceValue);
            Assert.Equal("Below low normal", Assert.Single(o.Interpretation!).Text);
            Assert.Equal("368209003", o.BodySite!.CodeIn(FhirSystems.Snomed));
            Assert.Null(o.ValueQuantity);

            Assert.Equal(2, o.Component!.Count);
            var systolic = o.Component[0];
            Assert.True(systolic.Code!.Has(FhirSystems.Loinc, "8480-6"));
            Assert.Equal("271649006", systolic.Code.CodeIn(FhirSystems.Snomed));
            Assert.Equal(3, systolic.Code.Coding!.Count);
            Assert.Equal(107m, systolic.ValueQuantity!.Value);
            Assert.Equal("mmHg", systolic.ValueQuantity.Unit);
            Assert.Equal("mm[Hg]", systolic.ValueQuantity.Code);
            Assert.Equal("N", Assert.Single(Assert.Single(systolic.Interpretation!).Coding!).Code);

            var diastolic = o.Component[1];
            Assert.True(diastolic.Code!.Has(FhirSystems.Loinc, "8462-4"));
            Assert.Equal(60m, diastolic.ValueQuantity!.Value);
            Assert.Equal("L", Assert.Single(Assert.Single(diastolic.Interpretation!).Coding!).Code);
        }
    }
}
