using CarTCds.Fhir.Model;
using CarTCds.Fhir.Serialization;
using CarTCds.Fhir.Tests.TestSupport;

namespace CarTCds.Fhir.Tests.Examples;

/// <summary>Patient examples from the FHIR R4 specification.</summary>
public sealed class PatientExampleTests
{
    [Fact]
    public void GivenThePatientExample_WhenParsed_ThenDemographicsAreReadAndPrimitiveExtensionsIgnored()
    {
        // Arrange + Act: the file has _birthDate (patient-birthTime) and contact.name._family.
        var patients = SpecExample.ParsedAndRoundTripped<Patient>("patient-example.json");

        // Assert
        foreach (var p in patients)
        {
            Assert.Equal("example", p.Id);
            Assert.True(p.Active);
            Assert.Equal("male", p.Gender);
            Assert.Equal("1974-12-25", p.BirthDate);
            Assert.False(p.DeceasedBoolean);
            Assert.Null(p.DeceasedDateTime);

            var identifier = Assert.Single(p.Identifier!);
            Assert.Equal("usual", identifier.Use);
            Assert.Equal("urn:oid:1.2.36.146.595.217.0.1", identifier.System);
            Assert.Equal("12345", identifier.Value);
            Assert.True(identifier.Type!.Has("http://terminology.hl7.org/CodeSystem/v2-0203", "MR"));
            Assert.Equal("2001-05-06", identifier.Period!.Start);

            Assert.NotNull(p.Name);
            Assert.Equal(["official", "usual", "maiden"], p.Name.Select(n => n.Use));
            Assert.Equal("Chalmers", p.Name[0].Family);
            Assert.Equal(["Peter", "James"], p.Name[0].Given!);
            Assert.Equal(["Jim"], p.Name[1].Given!);
            Assert.Null(p.Name[1].Family);
            Assert.Equal("Windsor", p.Name[2].Family);

            // "meta" stands last in this copy of the example; it is read wherever it stands.
            var tag = Assert.Single(p.Meta!.Tag!);
            Assert.Equal("HTEST", tag.Code);
            Assert.Equal("http://terminology.hl7.org/CodeSystem/v3-ActReason", tag.System);
            Assert.Equal("generated", p.Text!.Status);
            Assert.Contains("<b>Chalmers</b>", p.Text.Div, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void GivenThePatientExample_WhenSerialized_ThenResourceTypeIdMetaTextLeadAndUnmodelledElementsAreGone()
    {
        // Arrange
        var patient = FhirJson.Parse<Patient>(SpecExample.Read("patient-example.json"));

        // Act
        var written = FhirJson.Serialize(patient);

        // Assert
        Assert.Equal(["resourceType", "id", "meta", "text"], FhirJsonAssert.PropertyNames(written)[..4]);
        Assert.DoesNotContain("_birthDate", written, StringComparison.Ordinal);
        Assert.DoesNotContain("contact", written, StringComparison.Ordinal);
        Assert.Contains("\"birthDate\":\"1974-12-25\"", written, StringComparison.Ordinal);
    }

    [Fact]
    public void GivenThePieterExample_WhenParsed_ThenAnIdentifierWithoutValueAndTheSuffixAreKept()
    {
        // Arrange + Act
        var patients = SpecExample.ParsedAndRoundTripped<Patient>("patient-example-f001-pieter.json");

        // Assert
        foreach (var p in patients)
        {
            Assert.Equal("f001", p.Id);
            Assert.Equal("1944-11-17", p.BirthDate);
            Assert.True(p.Active);
            Assert.False(p.DeceasedBoolean);
            Assert.Equal(2, p.Identifier!.Count);
            Assert.Equal("738472983", p.Identifier[0].Value);
            Assert.Null(p.Identifier[1].Value);
            Assert.Equal("urn:oid:2.16.840.1.113883.2.4.6.3", p.Identifier[1].System);
            var name = Assert.Single(p.Name!);
            Assert.Equal("van de Heuvel", name.Family);
            Assert.Equal(["Pieter"], name.Given!);
            Assert.Equal(["MSc"], name.Suffix!);
            Assert.Null(name.Prefix);
        }
    }
}
