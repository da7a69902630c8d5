using CarTCds.Fhir.Model;
using CarTCds.Hooks.Prefetch;

namespace CarTCds.Hooks.Tests.Prefetch;

public sealed class PatientScopeTests
{
    [Theory]
    [InlineData("Patient/1", true)]
    [InlineData("Patient/2", false)]
    [InlineData("Patient/12", false)]
    [InlineData("Patient/1/_history/3", true)]
    [InlineData("https://ehr/fhir/Patient/1/_history/3", true)]
    [InlineData("https://ehr/fhir/Patient/1", true)]
    [InlineData("https://ehr/fhir/Patient/2", false)]
    [InlineData("Group/g1", true)]
    public void GivenAnObservationSubject_WhenCheckedAgainstPatient1_ThenOnlyAnotherPatientIsRefused(string reference, bool expected)
    {
        var obs = new Observation { Id = "o", Subject = new Reference(reference) };

        Assert.Equal(expected, PatientScope.IsForPatient(obs, "1"));
    }

    // The exact "Patient/{id}" shape has its own short path; these pin that it answers as the general one.
    [Theory]
    [InlineData("Patient/p-123", "p-123", true)]
    [InlineData("Patient/p-124", "p-123", false)] // same length, last character differs
    [InlineData("Patient/q-123", "p-123", false)] // same length, first character differs
    [InlineData("Patient/p-12", "p-123", false)]
    [InlineData("Patient/p-1234", "p-123", false)]
    [InlineData("Patient/P-123", "p-123", false)] // ids are case-sensitive
    [InlineData("patient/p-123", "p-123", true)] // not a literal Patient reference: not refused
    [InlineData("https://ehr/fhir/Patient/p-123", "p-123", true)]
    [InlineData("https://ehr/fhir/Patient/p-124", "p-123", false)]
    [InlineData("Patient/a/Patient/b", "a/Patient/b", false)] // not an id; the last Patient/ segment decides, as before
    public void GivenAReferenceOfTheFastPathsLength_WhenChecked_ThenTheAnswerIsTheGeneralPathsAnswer(string reference, string patientId, bool expected)
    {
        var obs = new Observation { Id = "o", Subject = new Reference(reference) };

        Assert.Equal(expected, PatientScope.IsForPatient(obs, patientId));
    }

    [Fact]
    public void GivenNoSubject_WhenChecked_ThenAccepted()
    {
        Assert.True(PatientScope.IsForPatient(new Observation { Id = "o" }, "1"));
    }

    [Fact]
    public void GivenAResourceTypeWithoutSubject_WhenChecked_ThenAccepted()
    {
        Assert.True(PatientScope.IsForPatient(new Medication { Id = "m" }, "1"));
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
    public void GivenEachPatientScopedType_WhenItNamesAnotherPatient_ThenRefused(string type, Resource resource)
    {
        Assert.Equal(type, resource.ResourceType);
        Assert.False(PatientScope.IsForPatient(resource, "1"));
    }
}
