using CarTCds.Fhir.Model;
using CarTCds.Hooks.Prefetch;

namespace CarTCds.Hooks.Tests.Prefetch;

/// <summary>Whose data counts (docs/ARCHITECTURE.md "Whose data counts", issue 18 item 2).</summary>
public sealed class PatientScopeTests
{
    private static readonly Uri Server = new("https://ehr.example/fhir/");

    [Theory]
    [InlineData("Patient/1", PatientLink.ThisPatient)]
    [InlineData("Patient/1/_history/3", PatientLink.ThisPatient)]
    [InlineData("Patient/2", PatientLink.OtherPatient)]
    [InlineData("Patient/12", PatientLink.OtherPatient)]
    [InlineData("Patient/2/_history/3", PatientLink.OtherPatient)]
    [InlineData("https://ehr.example/fhir/Patient/1", PatientLink.ThisPatient)]          // on the request's fhirServer
    [InlineData("https://ehr.example/fhir/Patient/1/_history/3", PatientLink.ThisPatient)]
    [InlineData("https://EHR.example/fhir/Patient/1", PatientLink.ThisPatient)]          // host names are case-insensitive
    [InlineData("https://ehr.example:443/fhir/Patient/1", PatientLink.ThisPatient)]      // the default port, written out
    [InlineData("https://ehr.example/fhir/Patient/2", PatientLink.OtherPatient)]
    [InlineData("http://other.example/fhir/Patient/2", PatientLink.OtherPatient)]       // another patient, wherever
    [InlineData("http://other.example/fhir/Patient/1", PatientLink.Unlinked)]           // same id, another server
    [InlineData("http://ehr.example/fhir/Patient/1", PatientLink.Unlinked)]             // another scheme
    [InlineData("https://ehr.example:8443/fhir/Patient/1", PatientLink.Unlinked)]       // another port
    [InlineData("https://ehr.example/other/Patient/1", PatientLink.Unlinked)]           // another base path
    [InlineData("https://ehr.example/fhir/r4/Patient/1", PatientLink.Unlinked)]         // a deeper base path
    [InlineData("https://ehr.example/fhir/Group/g1", PatientLink.Unlinked)]
    [InlineData("Group/g1", PatientLink.Unlinked)]
    [InlineData("urn:uuid:5b1d2c8e-6f5c-4a5e-9b8e-0f6f0a3c2d11", PatientLink.Unlinked)]
    [InlineData("patient/1", PatientLink.Unlinked)]                                    // FHIR types are case-sensitive
    [InlineData("#p1", PatientLink.Unlinked)]
    [InlineData("1", PatientLink.Unlinked)]                                            // a bare id is no reference
    [InlineData("", PatientLink.Unlinked)]
    public void GivenAnObservationSubject_WhenLinkedToPatient1OnTheRequestsServer_ThenOnlyPatient1CountsAndOnlyAnotherPatientRefuses(string reference, PatientLink expected)
    {
        // Arrange
        var obs = new Observation { Id = "o", Subject = new Reference(reference) };

        // Act
        var link = PatientScope.Link(obs, "1", Server);

        // Assert
        Assert.Equal(expected, link);
    }

    [Theory]
    [InlineData("https://ehr.example/fhir", "https://ehr.example/fhir/Patient/1", PatientLink.ThisPatient)] // base without the slash
    [InlineData("https://ehr.example/fhir/", "https://ehr.example/fhir/Patient/1", PatientLink.ThisPatient)]
    [InlineData("https://ehr.example/", "https://ehr.example/Patient/1", PatientLink.ThisPatient)]
    [InlineData("https://ehr.example/fhir", "https://ehr.example/fhirx/Patient/1", PatientLink.Unlinked)]
    public void GivenAFhirServerBase_WhenAnAbsoluteReferenceIsLinked_ThenItCountsOnlyUnderThatBase(string fhirServer, string reference, PatientLink expected)
    {
        var obs = new Observation { Id = "o", Subject = new Reference(reference) };

        Assert.Equal(expected, PatientScope.Link(obs, "1", new Uri(fhirServer)));
    }

    [Fact]
    public void GivenNoFhirServer_WhenThisPatientsIdIsReferencedAbsolutely_ThenItIsUnlinked()
    {
        var obs = new Observation { Id = "o", Subject = new Reference("https://ehr.example/fhir/Patient/1") };

        Assert.Equal(PatientLink.Unlinked, PatientScope.Link(obs, "1", fhirServer: null));
    }

    // The exact "Patient/{id}" shape has its own short path; these pin that it answers as the general one.
    [Theory]
    [InlineData("Patient/p-123", "p-123", PatientLink.ThisPatient)]
    [InlineData("Patient/p-124", "p-123", PatientLink.OtherPatient)] // same length, last character differs
    [InlineData("Patient/q-123", "p-123", PatientLink.OtherPatient)] // same length, first character differs
    [InlineData("Patient/p-12", "p-123", PatientLink.OtherPatient)]
    [InlineData("Patient/p-1234", "p-123", PatientLink.OtherPatient)]
    [InlineData("Patient/P-123", "p-123", PatientLink.OtherPatient)] // ids are case-sensitive
    [InlineData("patient/p-123", "p-123", PatientLink.Unlinked)]     // not a literal Patient reference
    [InlineData("Patient/a/Patient/b", "a/Patient/b", PatientLink.OtherPatient)] // not an id
    public void GivenAReferenceOfTheFastPathsLength_WhenLinked_ThenTheAnswerIsTheGeneralPathsAnswer(string reference, string patientId, PatientLink expected)
    {
        var obs = new Observation { Id = "o", Subject = new Reference(reference) };

        Assert.Equal(expected, PatientScope.Link(obs, patientId, Server));
    }

    [Fact]
    public void GivenNoSubject_WhenLinked_ThenUnlinkedAndTheReasonSaysSo()
    {
        var obs = new Observation { Id = "o" };

        Assert.Equal(PatientLink.Unlinked, PatientScope.Link(obs, "1", Server));
        Assert.Contains("no subject", PatientScope.Why(obs, PatientLink.Unlinked, "1"), StringComparison.Ordinal);
    }

    [Fact]
    public void GivenAnIdentifierOnlySubject_WhenLinked_ThenUnlinkedAndTheReasonSaysSo()
    {
        var obs = new Observation { Id = "o", Subject = new Reference { Identifier = new Identifier { System = "urn:mrn", Value = "1" } } };

        Assert.Equal(PatientLink.Unlinked, PatientScope.Link(obs, "1", Server));
        Assert.Contains("identifier", PatientScope.Why(obs, PatientLink.Unlinked, "1"), StringComparison.Ordinal);
    }

    [Fact]
    public void GivenAResourceTypeWithoutSubject_WhenLinked_ThenItCounts()
    {
        Assert.Equal(PatientLink.ThisPatient, PatientScope.Link(new Medication { Id = "m" }, "1", Server));
        Assert.Equal(PatientLink.ThisPatient, PatientScope.Link(new Patient { Id = "1" }, "1", Server));
    }

    public static TheoryData<string, Resource> OtherPatientResources => new()
    {
        { "Condition", new Condition { Subject = new Reference("Patient/2") } },
        { "Procedure", new Procedure { Subject = new Reference("Patient/2") } },
        { "MedicationAdministration", new MedicationAdministration { Subject = new Reference("Patient/2") } },
        { "MedicationRequest", new MedicationRequest { Subject = new Reference("Patient/2") } },
        { "MedicationStatement", new MedicationStatement { Subject = new Reference("Patient/2") } },
        { "ServiceRequest", new ServiceRequest { Subject = new Reference("Patient/2") } },
    };

    [Theory]
    [MemberData(nameof(OtherPatientResources))]
    public void GivenEachPatientScopedType_WhenItNamesAnotherPatient_ThenOtherPatient(string type, Resource resource)
    {
        Assert.Equal(type, resource.ResourceType);
        Assert.Equal(PatientLink.OtherPatient, PatientScope.Link(resource, "1", Server));
    }

    public static TheoryData<string, Resource> SubjectlessResources => new()
    {
        { "Condition", new Condition() },
        { "Procedure", new Procedure() },
        { "MedicationAdministration", new MedicationAdministration() },
        { "MedicationStatement", new MedicationStatement() },
        { "ServiceRequest", new ServiceRequest() },
    };

    [Theory]
    [MemberData(nameof(SubjectlessResources))]
    public void GivenEachPatientScopedType_WhenItHasNoSubject_ThenUnlinked(string type, Resource resource)
    {
        Assert.Equal(type, resource.ResourceType);
        Assert.Equal(PatientLink.Unlinked, PatientScope.Link(resource, "1", Server));
    }
}
