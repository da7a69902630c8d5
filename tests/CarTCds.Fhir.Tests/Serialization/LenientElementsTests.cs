using System.Text.Json;
using CarTCds.Fhir.Model;
using CarTCds.Fhir.Serialization;

namespace CarTCds.Fhir.Tests.Serialization;

/// <summary>Issue 17: a malformed element that no rule reads never rejects the resource. It is
/// skipped and recorded on the resource (<see cref="Resource.UnreadElements"/>); the rest of the
/// resource reads as usual. Elements a rule reads stay strict (MalformedInputTests).</summary>
public sealed class LenientElementsTests
{
    public static TheoryData<string, string, string> MalformedUnreadElements => new()
    {
        // The CDS Hooks Sandbox's order-sign draft: R4 says category is an array.
        { """{"resourceType":"MedicationRequest","status":"draft","category":{"coding":[{"code":"community"}]}}""", "MedicationRequest.category", "an object" },
        // The Sandbox copies the chosen Condition's code into reasonCode (R4: an array).
        { """{"resourceType":"MedicationRequest","status":"draft","reasonCode":{"text":"ALL"}}""", "MedicationRequest.reasonCode", "an object" },
        { """{"resourceType":"MedicationRequest","status":"draft","dosageInstruction":[{"timing":"daily"}]}""", "Dosage.timing", "a string" },
        { """{"resourceType":"Patient","active":"yes","birthDate":"2001-03-04"}""", "Patient.active", "a string" },
        { """{"resourceType":"Patient","name":[{"given":"Peter"}],"birthDate":"2001-03-04"}""", "HumanName.given", "a string" },
        { """{"resourceType":"Bundle","type":"searchset","total":"3"}""", "Bundle.total", "a string" },
        { """{"resourceType":"Observation","status":"final","category":[null]}""", "Observation.category", "an array" },
        { """{"resourceType":"Observation","status":"final","note":[{"text":["a","b"]}]}""", "Annotation.text", "an array" },
        { """{"resourceType":"Observation","status":"final","component":[{"interpretation":{"text":"H"}}]}""", "ObservationComponent.interpretation", "an object" },
        { """{"resourceType":"Procedure","status":"completed","note":5}""", "Procedure.note", "a number" },
    };

    [Theory]
    [MemberData(nameof(MalformedUnreadElements))]
    public void GivenAMalformedElementNoRuleReads_WhenParsed_ThenItIsSkippedAndRecorded(string json, string element, string found)
    {
        // Act
        var resource = FhirJson.Parse(json);

        // Assert
        var unread = Assert.Single(resource.UnreadElements);
        Assert.Equal(element, unread.Element);
        Assert.Equal(found, unread.Found);
    }

    [Fact]
    public void GivenTheSandboxDraftWithCategoryAsAnObject_WhenParsed_ThenEveryElementARuleReadsIsThere()
    {
        // Arrange: the shape of cds-hooks/sandbox src/reducers/medication-reducers.js (createFhirResource, R4).
        const string json = """
            {"resourceType":"MedicationRequest","id":"request-123","status":"draft","intent":"order",
             "subject":{"reference":"Patient/pat-1"},"authoredOn":"2013-05-19",
             "dosageInstruction":[{"timing":{"repeat":{"frequency":1,"period":1,"periodUnit":"d"}},
               "doseAndRate":[{"doseQuantity":{"value":2,"system":"http://unitsofmeasure.org","code":"{pill}"}}]}],
             "dispenseRequest":{"expectedSupplyDuration":{"value":1,"unit":"days","system":"http://unitsofmeasure.org","code":"d"}},
             "category":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/medicationrequest-category","code":"community"}]},
             "medicationCodeableConcept":{"text":"Dexamethasone 4 MG Oral Tablet","coding":[{"display":"Dexamethasone 4 MG Oral Tablet","system":"http://www.nlm.nih.gov/research/umls/rxnorm","code":"197582"}]}}
            """;

        // Act
        var request = FhirJson.Parse<MedicationRequest>(json);

        // Assert
        Assert.Null(request.Category);
        Assert.Equal("MedicationRequest.category (an object)", Assert.Single(request.UnreadElements).ToString());
        Assert.Equal("draft", request.Status);
        Assert.Equal("197582", request.MedicationCodeableConcept!.CodeIn(FhirSystems.RxNorm));
        var dose = request.DosageInstruction![0].DoseAndRate![0].DoseQuantity!;
        Assert.Equal(2m, dose.Value);
        Assert.Equal("{pill}", dose.Code);
        Assert.Equal(1, request.DosageInstruction[0].Timing!.Repeat!.Frequency);
    }

    [Fact]
    public void GivenAMalformedElementInAContainedResource_WhenParsed_ThenItIsRecordedOnTheContainedResourceOnly()
    {
        // Arrange
        const string json = """
            {"resourceType":"MedicationRequest","status":"draft","contained":[{"resourceType":"Medication","id":"m","code":{"text":"dexamethasone"},"form":"tablet"}],
             "medicationReference":{"reference":"#m"}}
            """;

        // Act
        var request = FhirJson.Parse<MedicationRequest>(json);

        // Assert
        Assert.Empty(request.UnreadElements);
        var medication = Assert.IsType<Medication>(Assert.Single(request.Contained!));
        Assert.Equal("Medication.form (a string)", Assert.Single(medication.UnreadElements).ToString());
        Assert.Equal("dexamethasone", medication.Code!.Text);
    }

    [Fact]
    public void GivenTwoMalformedElementsInABundleEntryAndAFaultARuleReadsInAnother_WhenParsed_ThenTheStrictFaultStillRejectsWithItsPath()
    {
        // Arrange: entry 0 has a lenient fault (skipped), entry 1 a strict one (refused at its path).
        const string json = """
            {"resourceType":"Bundle","type":"collection","entry":[
              {"resource":{"resourceType":"MedicationRequest","status":"draft","category":{"text":"x"},"reasonCode":{"text":"y"}}},
              {"resource":{"resourceType":"MedicationRequest","status":["draft"]}}]}
            """;

        // Act
        var exception = Assert.Throws<JsonException>(() => FhirJson.Parse(json));

        // Assert
        Assert.Equal("$.entry[1].resource.status", FhirJson.FullPath(exception));
    }

    [Fact]
    public void GivenALenientFaultTwoBundlesDeep_WhenParsed_ThenRecordedOnTheInnermostResourceWithNothingCountedTwice()
    {
        // Arrange: lenient faults never throw, so each level is read once, in place; the record
        // must land on the resource that holds the element, not on the Bundles around it.
        const string json = """
            {"resourceType":"Bundle","type":"collection","entry":[{"resource":
              {"resourceType":"Bundle","type":"collection","entry":[{"resource":
                {"resourceType":"MedicationRequest","status":"draft","category":{"text":"x"}}}]}}]}
            """;

        // Act
        var outer = (Bundle)FhirJson.Parse(json);

        // Assert
        Assert.Empty(outer.UnreadElements);
        var inner = (Bundle)outer.Entry![0].Resource!;
        Assert.Empty(inner.UnreadElements);
        Assert.Equal("MedicationRequest.category (an object)", Assert.Single(inner.Entry![0].Resource!.UnreadElements).ToString());
    }

    [Fact]
    public void GivenASkippedElement_WhenWrittenBack_ThenItIsLeftOutAndTheRestIsKept()
    {
        // Arrange
        var request = FhirJson.Parse("""{"resourceType":"MedicationRequest","status":"draft","category":{"text":"x"},"intent":"order"}""");

        // Act
        var written = FhirJson.Serialize(request);

        // Assert
        Assert.Equal("""{"resourceType":"MedicationRequest","status":"draft","intent":"order"}""", written);
    }

    [Theory]
    [InlineData(typeof(MedicationRequest), "status", true)]
    [InlineData(typeof(MedicationRequest), "medicationCodeableConcept", true)]
    [InlineData(typeof(MedicationRequest), "dosageInstruction", true)]
    [InlineData(typeof(MedicationRequest), "category", false)]
    [InlineData(typeof(MedicationRequest), "reasonCode", false)]
    [InlineData(typeof(Dosage), "doseAndRate", true)]
    [InlineData(typeof(Dosage), "timing", false)]
    [InlineData(typeof(Observation), "effectiveDateTime", true)]
    [InlineData(typeof(Observation), "interpretation", false)]
    [InlineData(typeof(Coding), "display", true)]
    [InlineData(typeof(Coding), "userSelected", false)]
    public void GivenAnElement_WhenAskedWhetherARuleReadsIt_ThenTheAnswerIsTheDocumentedOne(Type type, string element, bool ruleInput)
    {
        Assert.Equal(ruleInput, LenientElements.IsRuleInput(type, element));
    }
}
