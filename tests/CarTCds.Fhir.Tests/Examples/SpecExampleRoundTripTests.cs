using System.Text;
using System.Text.Json;
using CarTCds.Fhir.Model;
using CarTCds.Fhir.Serialization;
using CarTCds.Fhir.Tests.TestSupport;

namespace CarTCds.Fhir.Tests.Examples;

/// <summary>Properties that must hold for every FHIR R4 published example under SpecExamples/.</summary>
public sealed class SpecExampleRoundTripTests
{
    public static TheoryData<string, Type> ExamplesAndTypes => new()
    {
        { "patient-example.json", typeof(Patient) },
        { "patient-example-f001-pieter.json", typeof(Patient) },
        { "observation-example-f001-glucose.json", typeof(Observation) },
        { "observation-example-body-temperature.json", typeof(Observation) },
        { "observation-example-bloodpressure.json", typeof(Observation) },
        { "observation-example.json", typeof(Observation) },
        { "condition-example.json", typeof(Condition) },
        { "condition-example-f201-fever.json", typeof(Condition) },
        { "procedure-example.json", typeof(Procedure) },
        { "medicationrequest0301.json", typeof(MedicationRequest) },
        { "medicationrequest0302.json", typeof(MedicationRequest) },
        { "medicationadministration0301.json", typeof(MedicationAdministration) },
        { "medicationadministration0302.json", typeof(MedicationAdministration) },
        { "medicationstatementexample1.json", typeof(MedicationStatement) },
        { "servicerequest-example.json", typeof(ServiceRequest) },
        { "servicerequest-example2.json", typeof(ServiceRequest) },
        { "operationoutcome-example.json", typeof(OperationOutcome) },
        { "bundle-example.json", typeof(Bundle) },
        { "bundle-transaction.json", typeof(Bundle) },
    };

    public static TheoryData<string> Examples => new(SpecExample.AllFiles);

    [Fact]
    public void GivenTheSpecExamplesFolder_WhenListed_ThenEveryFileIsCoveredByTheTheories()
    {
        // Arrange
        var folder = Path.Combine(AppContext.BaseDirectory, "SpecExamples");

        // Act
        var onDisk = Directory.GetFiles(folder, "*.json").Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray();

        // Assert
        Assert.Equal(SpecExample.AllFiles.Order(StringComparer.Ordinal), onDisk);
        Assert.Equal(SpecExample.AllFiles.Length, ExamplesAndTypes.Count);
    }

    [Theory]
    [MemberData(nameof(ExamplesAndTypes))]
    public void GivenASpecExample_WhenParsed_ThenItIsTheClrTypeOfItsResourceType(string file, Type expectedType)
    {
        // Arrange
        var json = SpecExample.Read(file);
        using var document = JsonDocument.Parse(json);
        var resourceType = document.RootElement.GetProperty("resourceType").GetString();
        var id = document.RootElement.TryGetProperty("id", out var idElement) ? idElement.GetString() : null;

        // Act
        var resource = FhirJson.Parse(json);

        // Assert
        Assert.IsType(expectedType, resource);
        Assert.Equal(resourceType, resource.ResourceType);
        Assert.Equal(id, resource.Id);
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public void GivenASpecExample_WhenParsedFromUtf8Bytes_ThenItEqualsTheStringParse(string file)
    {
        // Arrange
        var bytes = SpecExample.ReadBytes(file);

        // Act
        var fromBytes = FhirJson.Parse(bytes);
        var fromString = FhirJson.Parse(Encoding.UTF8.GetString(bytes));

        // Assert
        Assert.Equal(FhirJson.Serialize(fromString), FhirJson.Serialize(fromBytes));
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public void GivenASpecExample_WhenSerialized_ThenTheOutputIsValidFhirJson(string file)
    {
        // Arrange
        var resource = FhirJson.Parse(SpecExample.Read(file));

        // Act
        var written = FhirJson.Serialize(resource);

        // Assert
        FhirJsonAssert.IsValidFhirJson(written);
        Assert.Equal("resourceType", FhirJsonAssert.PropertyNames(written)[0]);
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public void GivenASpecExample_WhenSerialized_ThenEveryWrittenValueIsInTheSourceUnchanged(string file)
    {
        // Arrange
        var json = SpecExample.Read(file);
        var resource = FhirJson.Parse(json);

        // Act
        var written = FhirJson.Serialize(resource);

        // Assert
        using var source = JsonDocument.Parse(json);
        using var output = JsonDocument.Parse(written);
        FhirJsonAssert.IsSubsetOf(source.RootElement, output.RootElement);
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public void GivenASpecExample_WhenRoundTripped_ThenTheModelledValuesAreStable(string file)
    {
        // Arrange
        var first = FhirJson.Serialize(FhirJson.Parse(SpecExample.Read(file)));

        // Act
        var reparsed = FhirJson.Parse(first);
        var second = FhirJson.Serialize(reparsed);

        // Assert
        Assert.Equal(first, second);
        Assert.Equal(first, Encoding.UTF8.GetString(FhirJson.SerializeToUtf8Bytes(reparsed)));
    }
}
