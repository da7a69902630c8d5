using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CarTCds.Fhir.Model;
using CarTCds.Fhir.Serialization;
using CarTCds.Fhir.Tests.TestSupport;

namespace CarTCds.Fhir.Tests.Serialization;

/// <summary>Reading FHIR JSON the way EHRs send it: resourceType anywhere, elements the lean model
/// does not know, primitive extensions, value[x] choices, unknown resource types.</summary>
public sealed class ReadingTests
{
    [Fact]
    public void GivenResourceTypeLast_WhenParsed_ThenTheResourceIsReadInFull()
    {
        // Arrange
        const string json = """
            {
              "id": "hb-1",
              "status": "final",
              "code": { "coding": [ { "system": "http://loinc.org", "code": "718-7" } ] },
              "valueQuantity": { "value": 9.8, "unit": "g/dL", "system": "http://unitsofmeasure.org", "code": "g/dL" },
              "resourceType": "Observation"
            }
            """;

        // Act
        var observation = FhirJson.Parse<Observation>(json);

        // Assert
        Assert.Equal("hb-1", observation.Id);
        Assert.Equal("final", observation.Status);
        Assert.True(observation.Code!.Has(FhirSystems.Loinc, "718-7"));
        Assert.Equal(9.8m, observation.ValueQuantity!.Value);
    }

    [Fact]
    public void GivenNestedResourceTypesBeforeTheTopLevelOne_WhenParsed_ThenTheTopLevelTypeDecides()
    {
        // Arrange: a contained Medication, and an unknown element holding "resourceType", both
        // stand before the MedicationRequest's own resourceType.
        const string json = """
            {
              "contained": [ { "resourceType": "Medication", "id": "m1", "code": { "text": "tisagenlecleucel" } } ],
              "note": [ { "text": "see contained" } ],
              "vendorBlob": { "resourceType": "Patient" },
              "resourceType": "MedicationRequest",
              "status": "active",
              "intent": "order",
              "medicationReference": { "reference": "#m1" }
            }
            """;

        // Act
        var resource = FhirJson.Parse(json);

        // Assert
        var request = Assert.IsType<MedicationRequest>(resource);
        Assert.Equal("active", request.Status);
        Assert.Equal("tisagenlecleucel", request.ResolveContained<Medication>(request.MedicationReference)!.Code!.Text);
    }

    [Fact]
    public void GivenUnknownElementsAtEveryLevel_WhenParsed_ThenTheyAreIgnoredAndKnownValuesRead()
    {
        // Arrange
        const string json = """
            {
              "resourceType": "Observation",
              "language": "en-US",
              "implicitRules": "http://example.org/rules",
              "vendorScore": 12.5,
              "vendorFlags": [ true, null, "x", [ 1, [ 2 ] ] ],
              "vendorPayload": { "a": { "b": [ { "c": null, "d": { "e": "f" } } ] } },
              "status": "final",
              "code": { "coding": [ { "system": "http://loinc.org", "code": "8310-5", "vendorRank": 1 } ], "vendorNote": {} },
              "valueQuantity": { "value": 38.9, "code": "Cel", "vendorPrecision": { "digits": 1 } },
              "component": [ { "code": { "text": "site" }, "vendorExtra": [ {} ], "valueString": "oral" } ]
            }
            """;

        // Act
        var observation = FhirJson.Parse<Observation>(json);

        // Assert
        Assert.Equal("final", observation.Status);
        Assert.Equal("8310-5", observation.Code!.CodeIn(FhirSystems.Loinc));
        Assert.Equal(38.9m, observation.ValueQuantity!.Value);
        Assert.Equal("Cel", observation.ValueQuantity.Code);
        Assert.Equal("oral", Assert.Single(observation.Component!).ValueString);
        Assert.Equal(
            """{"resourceType":"Observation","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"8310-5"}]},"valueQuantity":{"value":38.9,"code":"Cel"},"component":[{"code":{"text":"site"},"valueString":"oral"}]}""",
            FhirJson.Serialize(observation));
    }

    [Fact]
    public void GivenPrimitiveExtensionObjects_WhenParsed_ThenTheyAreIgnoredAndThePrimitivesKept()
    {
        // Arrange
        const string json = """
            {
              "resourceType": "Patient",
              "_id": { "extension": [ { "url": "http://example.org/x", "valueString": "y" } ] },
              "birthDate": "1974-12-25",
              "_birthDate": { "extension": [ { "url": "http://hl7.org/fhir/StructureDefinition/patient-birthTime", "valueDateTime": "1974-12-25T14:35:45-05:00" } ] },
              "_gender": { "extension": [ { "url": "http://hl7.org/fhir/StructureDefinition/data-absent-reason", "valueCode": "asked-declined" } ] },
              "_active": { "id": "a1" },
              "active": true,
              "name": [ { "family": "du Marché", "_family": { "extension": [ { "url": "http://hl7.org/fhir/StructureDefinition/humanname-own-prefix", "valueString": "VV" } ] }, "given": [ "Bénédicte" ], "_given": [ { "id": "g1" } ] } ]
            }
            """;

        // Act
        var patient = FhirJson.Parse<Patient>(json);

        // Assert
        Assert.Null(patient.Id);
        Assert.Equal("1974-12-25", patient.BirthDate);
        Assert.Null(patient.Gender);
        Assert.True(patient.Active);
        Assert.Equal("du Marché", patient.Name![0].Family);
        Assert.Equal(["Bénédicte"], patient.Name[0].Given!);
        Assert.DoesNotContain("\"_", FhirJson.Serialize(patient), StringComparison.Ordinal);
    }

    [Fact]
    public void GivenAStatusPrimitiveExtension_WhenParsed_ThenTheStatusIsReadAndTheExtensionIgnored()
    {
        // Arrange
        const string json = """
            {"resourceType":"MedicationAdministration","_status":{"extension":[{"url":"http://example.org/reason","valueCode":"late"}]},"status":"completed","effectiveDateTime":"2024-03-01T10:15:00+01:00"}
            """;

        // Act
        var administration = FhirJson.Parse<MedicationAdministration>(json);

        // Assert
        Assert.Equal("completed", administration.Status);
        Assert.Equal("2024-03-01T10:15:00+01:00", administration.EffectiveDateTime);
    }

    public static TheoryData<string, Func<Observation, object?>, object> ValueChoices => new()
    {
        { """ "valueQuantity": { "value": 1.2, "unit": "mg/dL" } """, o => o.ValueQuantity?.Value, 1.2m },
        { """ "valueCodeableConcept": { "text": "positive" } """, o => o.ValueCodeableConcept?.Text, "positive" },
        { """ "valueString": "trace" """, o => o.ValueString, "trace" },
        { """ "valueBoolean": false """, o => o.ValueBoolean, false },
        { """ "valueInteger": 3 """, o => o.ValueInteger, 3 },
        { """ "valueRange": { "low": { "value": 2 }, "high": { "value": 4 } } """, o => o.ValueRange?.High?.Value, 4m },
        { """ "valueDateTime": "2024-03-01" """, o => o.ValueDateTime, "2024-03-01" },
        { """ "valuePeriod": { "start": "2024-03-01T08:00:00Z" } """, o => o.ValuePeriod?.Start, "2024-03-01T08:00:00Z" },
        { """ "effectiveInstant": "2024-03-01T08:00:00.123Z" """, o => o.EffectiveInstant, "2024-03-01T08:00:00.123Z" },
        { """ "effectivePeriod": { "end": "2024-03-02" } """, o => o.EffectivePeriod?.End, "2024-03-02" },
    };

    [Theory]
    [MemberData(nameof(ValueChoices))]
    public void GivenAChoiceElement_WhenParsed_ThenTheMatchingTypedPropertyHoldsTheValue(string element, Func<Observation, object?> read, object expected)
    {
        // Arrange
        var json = $$"""{ "resourceType": "Observation", "status": "final", {{element}} }""";

        // Act
        var observation = FhirJson.Parse<Observation>(json);

        // Assert
        Assert.Equal(expected, read(observation));
    }

    [Fact]
    public void GivenAChoiceTypeTheModelLacks_WhenParsed_ThenItIsIgnoredAndNoOtherChoiceIsFilled()
    {
        // Arrange
        const string json = """{"resourceType":"Observation","status":"final","valueSampledData":{"origin":{"value":0},"period":10,"dimensions":1,"data":"1 2 3"},"valueRatio":{"numerator":{"value":1}}}""";

        // Act
        var observation = FhirJson.Parse<Observation>(json);

        // Assert
        Assert.Null(observation.ValueQuantity);
        Assert.Null(observation.ValueString);
        Assert.Null(observation.ValueRange);
        Assert.Equal("""{"resourceType":"Observation","status":"final"}""", FhirJson.Serialize(observation));
    }

    [Fact]
    public void GivenAnEncounterInASearchsetBundle_WhenRoundTripped_ThenItIsKeptRawAndWrittenBackEquivalent()
    {
        // Arrange
        const string encounter = """
            {
              "resourceType": "Encounter",
              "id": "enc-7",
              "_status": { "extension": [ { "url": "http://example.org/x", "valueBoolean": true } ] },
              "status": "in-progress",
              "class": { "system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "IMP" },
              "period": { "start": "2024-03-01T08:00:00+01:00" },
              "length": { "value": 2.50, "unit": "days" },
              "hospitalization": { "dischargeDisposition": null },
              "location": [ ],
              "identifier": [ { "value": "" } ]
            }
            """;
        var bundleJson = $$"""
            {
              "resourceType": "Bundle",
              "type": "searchset",
              "entry": [
                { "fullUrl": "https://ehr.example.org/fhir/Encounter/enc-7", "resource": {{encounter}}, "search": { "mode": "include" } },
                { "resource": { "resourceType": "Patient", "id": "p1", "birthDate": "1960-02-29" } }
              ]
            }
            """;

        // Act
        var bundle = FhirJson.Parse<Bundle>(bundleJson);
        var written = FhirJson.Serialize(bundle);

        // Assert
        var kept = Assert.IsType<OtherResource>(bundle.Entry![0].Resource);
        Assert.Equal("Encounter", kept.ResourceType);
        Assert.Equal("enc-7", kept.Id);
        Assert.Equal("Encounter/enc-7", kept.TypedId);
        Assert.Equal("1960-02-29", Assert.IsType<Patient>(bundle.Entry[1].Resource).BirthDate);
        var writtenEncounter = JsonNode.Parse(written)!["entry"]![0]!["resource"];
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(encounter), writtenEncounter));
        using var writtenDocument = JsonDocument.Parse(written);
        using var encounterDocument = JsonDocument.Parse(encounter);
        Assert.True(JsonElement.DeepEquals(encounterDocument.RootElement, writtenDocument.RootElement.GetProperty("entry")[0].GetProperty("resource")));
        Assert.Contains("\"value\":2.50", written, StringComparison.Ordinal);
    }

    [Fact]
    public void GivenAnUnknownTopLevelResource_WhenParsedAndSerialized_ThenItIsKeptAsOtherResourceUnchanged()
    {
        // Arrange
        const string json = """{"resourceType":"Encounter","id":"e1","status":"finished","class":{"code":"AMB"},"period":{"start":"2024-01-01","end":"2024-01-02"}}""";

        // Act
        var resource = FhirJson.Parse(json);
        var written = FhirJson.Serialize(resource);

        // Assert
        var other = Assert.IsType<OtherResource>(resource);
        Assert.Equal("Encounter", other.ResourceType);
        Assert.Equal("e1", other.Id);
        Assert.Equal("finished", other.Json.GetProperty("status").GetString());
        Assert.Equal(json, written);
    }

    [Fact]
    public void GivenAnUnknownResourceWithANonStringId_WhenParsed_ThenItsIdIsNull()
    {
        // Arrange
        const string json = """{"resourceType":"Basic","id":42}""";

        // Act
        var resource = FhirJson.Parse(json);

        // Assert
        Assert.Null(Assert.IsType<OtherResource>(resource).Id);
        Assert.Equal(json, FhirJson.Serialize(resource));
    }

    [Fact]
    public void GivenNullsEmptyArraysAndEmptyStringsFromASloppyEhr_WhenRoundTripped_ThenTheyAreReadAsAbsentAndNotWritten()
    {
        // Arrange
        const string json = """
            {"resourceType":"Observation","id":"","status":null,"category":[],"code":{"coding":[{"system":"http://loinc.org","code":"2160-0","display":""}],"text":null},"valueQuantity":{"value":1.10,"unit":"mg/dL","comparator":null},"note":[],"performer":null}
            """;

        // Act
        var observation = FhirJson.Parse<Observation>(json);
        var written = FhirJson.Serialize(observation);

        // Assert
        Assert.Null(observation.Status);
        Assert.Null(observation.Performer);
        Assert.Empty(observation.Category!);
        Assert.Equal(1.10m, observation.ValueQuantity!.Value);
        Assert.Equal(
            """{"resourceType":"Observation","code":{"coding":[{"system":"http://loinc.org","code":"2160-0"}]},"valueQuantity":{"value":1.10,"unit":"mg/dL"}}""",
            written);
        FhirJsonAssert.IsValidFhirJson(written);
    }

    [Fact]
    public void GivenAUtf8ByteArray_WhenParsed_ThenNonAsciiTextIsDecoded()
    {
        // Arrange
        var bytes = Encoding.UTF8.GetBytes("""{"resourceType":"Patient","name":[{"family":"Müller-Lüdenscheidt","given":["Zoë"]}]}""");

        // Act
        var patient = (Patient)FhirJson.Parse(bytes);

        // Assert
        Assert.Equal("Müller-Lüdenscheidt", patient.Name![0].Family);
        Assert.Equal("Zoë", patient.Name[0].Given![0]);
    }

    [Fact]
    public void GivenAnExtensionWithModelledAndUnmodelledValueTypes_WhenParsed_ThenModelledValuesAndNestedExtensionsAreRead()
    {
        // Arrange: us-core-race style nesting, plus a valueAddress the model does not carry.
        const string json = """
            {
              "resourceType": "Patient",
              "extension": [
                { "url": "http://hl7.org/fhir/us/core/StructureDefinition/us-core-race",
                  "extension": [
                    { "url": "ombCategory", "valueCoding": { "system": "urn:oid:2.16.840.1.113883.6.238", "code": "2106-3", "display": "White" } },
                    { "url": "text", "valueString": "White" } ] },
                { "url": "http://hl7.org/fhir/StructureDefinition/patient-birthPlace", "valueAddress": { "city": "Milton" } },
                { "url": "http://synthetichealth.github.io/synthea/disability-adjusted-life-years", "valueDecimal": 26.256072397468692 }
              ]
            }
            """;

        // Act
        var patient = FhirJson.Parse<Patient>(json);

        // Assert
        Assert.Equal(3, patient.Extension!.Count);
        var race = patient.Extension[0];
        Assert.Null(race.ValueString);
        Assert.Equal("2106-3", race.NestedExtension![0].ValueCoding!.Code);
        Assert.Equal("White", race.NestedExtension[1].ValueString);
        Assert.Equal("http://hl7.org/fhir/StructureDefinition/patient-birthPlace", patient.Extension[1].Url);
        Assert.Null(patient.Extension[1].NestedExtension);
        Assert.Equal(26.256072397468692m, patient.Extension[2].ValueDecimal);
    }
}
