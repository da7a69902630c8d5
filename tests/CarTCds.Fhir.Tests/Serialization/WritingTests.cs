using System.Text;
using System.Text.Json;
using CarTCds.Fhir.Model;
using CarTCds.Fhir.Serialization;
using CarTCds.Fhir.Tests.TestSupport;

namespace CarTCds.Fhir.Tests.Serialization;

/// <summary>Writing FHIR JSON from the model: resourceType first, nothing empty written.</summary>
public sealed class WritingTests
{
    [Fact]
    public void GivenAnErrorOutcomeWithExpression_WhenSerialized_ThenItIsValidFhirWithResourceTypeFirst()
    {
        // Arrange
        var outcome = OperationOutcome.Error("required", "context.patientId is missing", "context.patientId");

        // Act
        var written = FhirJson.Serialize(outcome);

        // Assert
        Assert.Equal(
            """{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"required","diagnostics":"context.patientId is missing","expression":["context.patientId"]}]}""",
            written);
        FhirJsonAssert.IsValidFhirJson(written);
    }

    [Fact]
    public void GivenAnErrorOutcomeWithoutExpression_WhenSerialized_ThenNoExpressionIsWritten()
    {
        // Arrange
        var outcome = OperationOutcome.Error("processing", "Prefetch for 'patient' was not a Patient.");

        // Act
        var written = FhirJson.Serialize(outcome);

        // Assert
        Assert.Equal(
            """{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"processing","diagnostics":"Prefetch for 'patient' was not a Patient."}]}""",
            written);
        Assert.Equal("Prefetch for 'patient' was not a Patient.", FhirJson.Parse<OperationOutcome>(written).Summary);
    }

    [Theory]
    [InlineData("fatal", "exception")]
    [InlineData("warning", "not-supported")]
    [InlineData("information", "informational")]
    public void GivenASingleIssueOutcome_WhenRoundTripped_ThenSeverityAndCodeSurvive(string severity, string code)
    {
        // Arrange
        var outcome = OperationOutcome.Single(severity, code, "diagnostic text", "Bundle.entry[2]");

        // Act
        var reread = FhirJson.Parse<OperationOutcome>(FhirJson.Serialize(outcome));

        // Assert
        var issue = Assert.Single(reread.Issue!);
        Assert.Equal(severity, issue.Severity);
        Assert.Equal(code, issue.Code);
        Assert.Equal("diagnostic text", issue.Diagnostics);
        Assert.Equal(["Bundle.entry[2]"], issue.Expression!);
    }

    [Fact]
    public void GivenEmptyListsAndEmptyStrings_WhenSerialized_ThenTheyAreOmitted()
    {
        // Arrange
        var patient = new Patient
        {
            Id = "",
            Identifier = [],
            Name = [new HumanName { Family = "Doe", Given = [], Prefix = [], Text = "" }],
            Extension = [],
            Contained = [],
            Gender = "",
            BirthDate = "1980-06-01",
        };

        // Act
        var written = FhirJson.Serialize(patient);

        // Assert
        Assert.Equal("""{"resourceType":"Patient","name":[{"family":"Doe"}],"birthDate":"1980-06-01"}""", written);
        FhirJsonAssert.IsValidFhirJson(written);
    }

    [Fact]
    public void GivenAnOutcomeWithAnEmptyIssueList_WhenSerialized_ThenTheListIsOmitted()
    {
        // Arrange
        var outcome = new OperationOutcome { Id = "oo1", Issue = [] };

        // Act
        var written = FhirJson.Serialize(outcome);

        // Assert
        Assert.Equal("""{"resourceType":"OperationOutcome","id":"oo1"}""", written);
    }

    [Fact]
    public void GivenAResourceWithEveryBaseElement_WhenSerialized_ThenTheyAreWrittenInFhirOrder()
    {
        // Arrange
        var observation = new Observation
        {
            Status = "final",
            ModifierExtension = [new Extension { Url = "http://example.org/m", ValueBoolean = true }],
            Extension = [new Extension { Url = "http://example.org/e", ValueCode = "x" }],
            Contained = [new Medication { Id = "m1" }],
            Text = new Narrative { Status = "generated", Div = "<div xmlns=\"http://www.w3.org/1999/xhtml\">x</div>" },
            Meta = new Meta { VersionId = "3" },
            Id = "o1",
        };

        // Act
        var written = FhirJson.Serialize(observation);

        // Assert
        Assert.Equal(
            ["resourceType", "id", "meta", "text", "contained", "extension", "modifierExtension", "status"],
            FhirJsonAssert.PropertyNames(written));
        FhirJsonAssert.IsValidFhirJson(written);
    }

    [Fact]
    public void GivenABundleMixingModelledAndUnknownResources_WhenSerialized_ThenEveryEntryResourceStartsWithResourceType()
    {
        // Arrange
        using var encounter = JsonDocument.Parse("""{"id":"e1","resourceType":"Encounter","status":"planned"}""");
        var bundle = new Bundle
        {
            Type = "collection",
            Entry =
            [
                new BundleEntry { Resource = new Patient { Id = "p1", Gender = "female" } },
                new BundleEntry { Resource = new Condition { Id = "c1", Code = new CodeableConcept(FhirSystems.Snomed, "91861009", "ALL") } },
                new BundleEntry { Resource = new OtherResource("Encounter", encounter.RootElement.Clone()) },
            ],
        };

        // Act
        var written = FhirJson.Serialize(bundle);

        // Assert
        using var document = JsonDocument.Parse(written);
        var entries = document.RootElement.GetProperty("entry").EnumerateArray().ToList();
        Assert.Equal(3, entries.Count);
        Assert.Equal("resourceType", entries[0].GetProperty("resource").EnumerateObject().First().Name);
        Assert.Equal("resourceType", entries[1].GetProperty("resource").EnumerateObject().First().Name);
        // An unknown resource is written exactly as it was read, property order included.
        Assert.Equal("""{"id":"e1","resourceType":"Encounter","status":"planned"}""", entries[2].GetProperty("resource").GetRawText());
    }

    public static TheoryData<string> Decimals => new()
    {
        "39.50", "0.10", "100.000", "6.3", "-0.5", "185", "0", "0.000001", "12345678901234567890.123456789",
    };

    [Theory]
    [MemberData(nameof(Decimals))]
    public void GivenADecimalWithTrailingZeros_WhenRoundTripped_ThenItsPrecisionIsKept(string literal)
    {
        // Arrange
        var json = $$$"""{"resourceType":"Observation","valueQuantity":{"value":{{{literal}}},"unit":"Cel"}}""";

        // Act
        var observation = FhirJson.Parse<Observation>(json);
        var written = FhirJson.Serialize(observation);

        // Assert
        Assert.Equal(decimal.Parse(literal, System.Globalization.CultureInfo.InvariantCulture), observation.ValueQuantity!.Value);
        Assert.Equal(json, written);
    }

    [Fact]
    public void GivenTheDecimal39Point50_WhenParsed_ThenTheModelKeepsItsScale()
    {
        // Arrange
        const string json = """{"resourceType":"Observation","valueQuantity":{"value":39.50}}""";

        // Act
        var value = FhirJson.Parse<Observation>(json).ValueQuantity!.Value!.Value;

        // Assert
        Assert.Equal("39.50", value.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(2, value.Scale);
    }

    [Fact]
    public void GivenAQuantityBuiltInCode_WhenSerialized_ThenItIsUcumWithTheCodeAsUnit()
    {
        // Arrange
        var observation = new Observation { Status = "final", ValueQuantity = new Quantity(38.5m, "Cel") };

        // Act
        var written = FhirJson.Serialize(observation);

        // Assert
        Assert.Equal(
            """{"resourceType":"Observation","status":"final","valueQuantity":{"value":38.5,"unit":"Cel","system":"http://unitsofmeasure.org","code":"Cel"}}""",
            written);
    }

    [Fact]
    public void GivenAResource_WhenSerializedToUtf8Bytes_ThenTheBytesAreTheUtf8OfTheString()
    {
        // Arrange
        var patient = new Patient { Id = "p1", Name = [new HumanName { Family = "Ødegård" }] };

        // Act
        var bytes = FhirJson.SerializeToUtf8Bytes(patient);

        // Assert: non-ASCII text is written as UTF-8, not as \u escapes.
        Assert.Equal("""{"resourceType":"Patient","id":"p1","name":[{"family":"Ødegård"}]}""", Encoding.UTF8.GetString(bytes));
        Assert.Equal(FhirJson.Serialize(patient), Encoding.UTF8.GetString(bytes));
        Assert.Equal("Ødegård", ((Patient)FhirJson.Parse(bytes)).Name![0].Family);
    }

    [Fact]
    public void GivenTheSharedOptions_WhenInspected_ThenTheyAreFrozenAndCarryTheReadingRules()
    {
        // Arrange + Act
        var options = FhirJson.Options;

        // Assert
        Assert.True(options.IsReadOnly);
        Assert.False(options.AllowDuplicateProperties);
        Assert.Equal(FhirJson.MaxDepth, options.MaxDepth);
        Assert.Equal(64, FhirJson.MaxDepth);
        Assert.Same(FhirJson.Resolver, options.TypeInfoResolver);
    }
}
