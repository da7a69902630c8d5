using System.Text;
using System.Text.Json;
using CarTCds.Fhir.Model;
using CarTCds.Fhir.Serialization;

namespace CarTCds.Fhir.Tests.Serialization;

/// <summary>Input that is not a FHIR resource, or is ambiguous, is refused with a
/// <see cref="JsonException"/> that says what is wrong and where.</summary>
public sealed class MalformedInputTests
{
    public static TheoryData<string, string> NotAResource => new()
    {
        { """{"id":"x","status":"final"}""", "resourceType" },
        { """{}""", "resourceType" },
        { """{"resourceType":5,"status":"final"}""", "resourceType" },
        { """{"resourceType":null}""", "resourceType" },
        { """{"resourceType":{"text":"Observation"}}""", "resourceType" },
        { """{"resourceType":["Observation"]}""", "resourceType" },
        { """[{"resourceType":"Observation"}]""", "an array" },
        { """[]""", "an array" },
        { "\"Observation\"", "a string" },
        { "42", "a number" },
        { "true", "a boolean" },
        { "null", "null" },
    };

    [Theory]
    [MemberData(nameof(NotAResource))]
    public void GivenJsonThatIsNotAResource_WhenParsed_ThenAJsonExceptionSaysWhy(string json, string expectedInMessage)
    {
        // Arrange + Act
        var exception = Assert.Throws<JsonException>(() => FhirJson.Parse(json));

        // Assert
        Assert.Contains(expectedInMessage, exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GivenAResourceWithoutResourceType_WhenParsed_ThenTheMessageNamesTheMissingProperty()
    {
        // Arrange
        const string json = """{"id":"p1","birthDate":"1970-01-01"}""";

        // Act
        var exception = Assert.Throws<JsonException>(() => FhirJson.Parse(json));

        // Assert
        Assert.Equal("A FHIR resource must have a string 'resourceType'.", exception.Message);
    }

    [Fact]
    public void GivenAContainedResourceWithoutResourceType_WhenParsed_ThenTheExceptionPointsAtIt()
    {
        // Arrange
        const string json = """{"resourceType":"MedicationRequest","contained":[{"id":"m1","code":{"text":"x"}}]}""";

        // Act
        var exception = Assert.Throws<JsonException>(() => FhirJson.Parse(json));

        // Assert
        Assert.Contains("resourceType", exception.Message, StringComparison.Ordinal);
        Assert.Equal("$.contained[0]", FhirJson.FullPath(exception));
    }

    [Fact]
    public void GivenAResourceOfAnotherType_WhenParsedAsPatient_ThenAJsonExceptionNamesTheExpectedType()
    {
        // Arrange
        const string json = """{"resourceType":"Observation","status":"final"}""";

        // Act
        var exception = Assert.Throws<JsonException>(() => FhirJson.Parse<Patient>(json));

        // Assert
        Assert.Equal("Expected a FHIR Patient.", exception.Message);
    }

    public static TheoryData<string, string> Duplicates => new()
    {
        { """{"resourceType":"Observation","status":"final","status":"amended"}""", "status" },
        { """{"resourceType":"Observation","code":{"text":"a","text":"b"}}""", "text" },
        { """{"resourceType":"Observation","valueQuantity":{"value":1,"value":2}}""", "value" },
        { """{"resourceType":"Observation","resourceType":"Patient"}""", "resourceType" },
        { """{"resourceType":"Patient","id":"a","resourceType":"Patient"}""", "resourceType" },
        { """{"resourceType":"Bundle","type":"searchset","type":"collection"}""", "type" },
        { """{"resourceType":"Bundle","entry":[{"resource":{"resourceType":"Patient","gender":"male","gender":"female"}}]}""", "gender" },
        { """{"resourceType":"Encounter","id":"e1","id":"e2"}""", "id" },
        { """{"resourceType":"Bundle","entry":[{"resource":{"resourceType":"Encounter","period":{"start":"2024","start":"2025"}}}]}""", "start" },
        { """{"resourceType":"MedicationRequest","contained":[{"resourceType":"Provenance","recorded":"a","recorded":"b"}]}""", "recorded" },
    };

    [Theory]
    [MemberData(nameof(Duplicates))]
    public void GivenADuplicateProperty_WhenParsed_ThenAJsonExceptionNamesIt(string json, string property)
    {
        // Arrange + Act
        var exception = Assert.Throws<JsonException>(() => FhirJson.Parse(json));

        // Assert
        Assert.Contains("Duplicate", exception.Message, StringComparison.Ordinal);
        Assert.Contains($"'{property}'", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GivenNestingDeeperThanTheLimit_WhenParsed_ThenAJsonExceptionIsThrown()
    {
        // Arrange: depth is counted from the root object; the array is nested 70 deep.
        var json = $$"""{"resourceType":"Observation","vendorBlob":{{new string('[', 70)}}{{new string(']', 70)}}}""";

        // Act
        var exception = Assert.Throws<JsonException>(() => FhirJson.Parse(json));

        // Assert
        Assert.Contains("depth", exception.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Contains(FhirJson.MaxDepth.ToString(), exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GivenNestingJustUnderTheLimit_WhenParsed_ThenItIsAccepted()
    {
        // Arrange: root object (depth 1) + 62 arrays = 63 levels.
        var json = $$"""{"resourceType":"Observation","status":"final","vendorBlob":{{new string('[', 62)}}{{new string(']', 62)}}}""";

        // Act
        var observation = FhirJson.Parse<Observation>(json);

        // Assert
        Assert.Equal("final", observation.Status);
    }

    [Fact]
    public void GivenAnUnknownResourceNestedTooDeep_WhenParsed_ThenAJsonExceptionIsThrown()
    {
        // Arrange
        var json = $$$"""{"resourceType":"Bundle","entry":[{"resource":{"resourceType":"Encounter","x":{{{new string('[', 70)}}}{{{new string(']', 70)}}}}}]}""";

        // Act + Assert
        Assert.Throws<JsonException>(() => FhirJson.Parse(json));
    }

    public static TheoryData<string, string, string> WrongTypes => new()
    {
        { """{"resourceType":"Observation","valueQuantity":"abc"}""", "$.valueQuantity", "Quantity" },
        { """{"resourceType":"Observation","valueQuantity":{"value":"six"}}""", "$.valueQuantity.value", "Decimal" },
        { """{"resourceType":"Observation","status":5}""", "$.status", "String" },
        { """{"resourceType":"Observation","component":{"code":{"text":"x"}}}""", "$.component", "ObservationComponent" },
        { """{"resourceType":"Observation","component":[{"valueInteger":2147483648}]}""", "$.component[0].valueInteger", "Int32" },
        { """{"resourceType":"Observation","code":{"coding":{"code":"x"}}}""", "$.code.coding", "Coding" },
        // Elements a rule reads ([RuleInput]); malformed elements no rule reads are skipped instead (LenientElementsTests).
        { """{"resourceType":"Patient","birthDate":true}""", "$.birthDate", "String" },
        { """{"resourceType":"MedicationRequest","dosageInstruction":[{"doseAndRate":{"doseQuantity":{"value":2}}}]}""", "$.dosageInstruction[0].doseAndRate", "DosageDoseAndRate" },
        { """{"resourceType":"Bundle","entry":{"resource":{"resourceType":"Patient"}}}""", "$.entry", "BundleEntry" },
        { """{"resourceType":"Observation","valueQuantity":{"value":1e400}}""", "$.valueQuantity.value", "Decimal" },
    };

    [Theory]
    [MemberData(nameof(WrongTypes))]
    public void GivenAFieldOfTheWrongJsonType_WhenParsed_ThenTheExceptionPathNamesTheField(string json, string expectedPath, string expectedTypeInMessage)
    {
        // Arrange + Act
        var exception = Assert.Throws<JsonException>(() => FhirJson.Parse(json));

        // Assert
        // The full path (with the part inside the resource) is FhirJson.FullPath; the message says why.
        Assert.Equal(expectedPath, FhirJson.FullPath(exception));
        Assert.Contains(expectedTypeInMessage, exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GivenAWrongTypeInsideABundleEntry_WhenParsed_ThenTheExceptionNamesTheField()
    {
        // Arrange
        const string json = """{"resourceType":"Bundle","entry":[{"resource":{"resourceType":"Observation","valueQuantity":"abc"}}]}""";

        // Act
        var exception = Assert.Throws<JsonException>(() => FhirJson.Parse(json));

        // Assert: the nested resource's own path is carried up, so the full path reaches the field.
        Assert.Equal("$.entry[0].resource.valueQuantity", FhirJson.FullPath(exception));
        Assert.Contains("Quantity", exception.Message, StringComparison.Ordinal);
    }

    /// <summary>A fault deep in nested resources is found by the in-place read and read again by the
    /// serializer for its path (ResourceJsonConverter). Were every level to retry that way, a fault
    /// n Bundles deep would be read 2^n times: here 15 levels of 1,500 entries each, ~2 MB, which
    /// reads in well under a second once per level and in minutes 2^15 times. The 60 s bound is a
    /// guard against that blow-up (a request that hangs a worker), not a speed measurement.</summary>
    [Fact]
    public async Task GivenAFaultFifteenBundlesDeep_WhenParsed_ThenItIsReportedAtItsPathWithoutRereadingEachLevelTwice()
    {
        // Arrange
        const int levels = 15;
        var padding = string.Join(",", Enumerable.Repeat("""{"resource":{"resourceType":"Observation","status":"final","valueQuantity":{"value":1}}}""", 1500));
        var json = """{"resourceType":"Observation","valueQuantity":{"value":"not a number"}}""";
        for (var i = 0; i < levels; i++) json = $$"""{"resourceType":"Bundle","type":"collection","entry":[{{padding}},{"resource":{{json}}}]}""";
        var expectedPath = "$" + string.Concat(Enumerable.Repeat(".entry[1500].resource", levels)) + ".valueQuantity.value";

        // Act
        var parse = Task.Run(() => Assert.Throws<JsonException>(() => FhirJson.Parse(json)));
        var exception = await parse.WaitAsync(TimeSpan.FromSeconds(60));

        // Assert
        Assert.Equal(expectedPath, FhirJson.FullPath(exception));
        Assert.Contains("Decimal", exception.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string> Truncated => new()
    {
        """{"resourceType":"Observation","status":"final" """,
        """{"resourceType":"Observation","status":""",
        """{"resourceType":"Observation",}""",
        """{"resourceType":'Observation'}""",
        """{"resourceType":"Observation"} trailing""",
        "",
    };

    [Theory]
    [MemberData(nameof(Truncated))]
    public void GivenMalformedJsonText_WhenParsed_ThenAJsonExceptionIsThrown(string json)
    {
        // Arrange + Act + Assert
        Assert.ThrowsAny<JsonException>(() => FhirJson.Parse(json));
        Assert.ThrowsAny<JsonException>(() => FhirJson.Parse(Encoding.UTF8.GetBytes(json)));
    }
}
