using System.Net;
using System.Text.Json;
using CarTCds.Service.Tests.TestSupport;

namespace CarTCds.Service.Tests.Reliability;

/// <summary>Valid FHIR dates at the ends of the calendar (years 0001 and 9999; "9999-12-31" is a
/// common open-ended placeholder) in every date the service reads: each hook answers 200, feedback
/// 200 or a 4xx with an OperationOutcome, never a 500 (issue 18 item 1).</summary>
[Collection(CarTCdsServiceCollection.Name)]
public sealed class ExtremeDateTests(CarTCdsWebApplicationFactory factory)
{
    private readonly HttpClient _client = factory.CreateClient();

    /// <summary>Valid FHIR date/dateTime/instant values at both ends of the range .NET represents,
    /// including instants whose UTC falls outside it (an offset past 9999-12-31 / before 0001-01-01).</summary>
    public static readonly string[] ExtremeValues =
    [
        "9999", "9999-12", "9999-12-31", "9999-12-31T23:59:59Z", "9999-12-31T23:59:59.9999999Z",
        "9999-12-31T23:59:59-05:00", "9999-12-31T20:00:00-14:00",
        "0001", "0001-01", "0001-01-01", "0001-01-01T00:00:00Z", "0001-01-01T00:00:00+05:00", "0001-01-01T09:00:00+14:00",
    ];

    public static readonly string[] Fields =
    [
        "Observation.effectiveDateTime", "Observation.effectivePeriod.end", "Procedure.performedDateTime",
        "MedicationAdministration.effectivePeriod.end", "MedicationAdministration.effectiveDateTime",
        "Patient.birthDate", "Condition.abatementDateTime", "Condition.onsetDateTime",
        // Tocilizumab given, an allogeneic SCT and two ferritins, all at the value, with a tocilizumab
        // draft order: the dose-interval, SCT-interval and ferritin-rise windows are computed from them.
        "every record",
    ];

    public static TheoryData<string, string> FieldsAndValues()
    {
        var data = new TheoryData<string, string>();
        foreach (var f in Fields)
        {
            foreach (var v in ExtremeValues) data.Add(f, v);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(FieldsAndValues))]
    public async Task GivenAnExtremeDateInARecord_WhenEachHookIsCalled_Then200(string field, string value)
    {
        // Arrange
        var (patient, observations, administrations, procedures, conditions) = Record(field, value);
        var prefetch = HookJson.Prefetch(("patient", patient), ("observations", observations),
            ("medicationAdministrations", administrations), ("procedures", procedures), ("conditions", conditions));
        var orderPrefetch = HookJson.Prefetch(("patient", patient), ("observations", observations),
            ("medicationAdministrations", administrations), ("procedures", procedures), ("conditions", conditions),
            ("medicationStatements", HookJson.EmptySearchset));
        var drafts = field == "every record" ? TocilizumabDraftOrders : HookJson.DraftOrders;
        var calls = new (string Path, string Body)[]
        {
            (HookJson.ToxicityPath, HookJson.Toxicity(prefetch)),
            (HookJson.EligibilityPath, $$"""{"hook":"order-select","hookInstance":"{{HookJson.HookInstance}}","context":{"userId":"Practitioner/prac-1","patientId":"pat-1","selections":["MedicationRequest/mr-kymriah"],"draftOrders":{{drafts}}},"prefetch":{{orderPrefetch}}}"""),
            (HookJson.OrderCheckPath, $$"""{"hook":"order-sign","hookInstance":"{{HookJson.HookInstance}}","context":{"userId":"Practitioner/prac-1","patientId":"pat-1","draftOrders":{{drafts}}},"prefetch":{{prefetch}}}"""),
        };

        foreach (var (path, body) in calls)
        {
            // Act
            using var response = await _client.PostJsonAsync(path, body);

            // Assert
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path} with {field} = {value}: HTTP {(int)response.StatusCode} {text[..Math.Min(600, text.Length)]}");
            using var doc = JsonDocument.Parse(text);
            Assert.Equal(JsonValueKind.Array, doc.RootElement.GetProperty("cards").ValueKind);
        }
    }

    [Theory]
    [MemberData(nameof(ExtremeValueRows))]
    public async Task GivenAnExtremeOutcomeTimestamp_WhenFeedbackIsPosted_Then200OrA4xxWithAnOperationOutcome(string value)
    {
        // Arrange
        var body = $$"""
            {"feedback":[{"card":"{{Guid.NewGuid()}}","outcome":"overridden","outcomeTimestamp":"{{value}}"}]}
            """;

        // Act
        using var response = await _client.PostJsonAsync("/cds-services/cart-toxicity/feedback", body);

        // Assert
        if (response.StatusCode != HttpStatusCode.OK) await response.AssertClientErrorOutcomeAsync();
    }

    public static TheoryData<string> ExtremeValueRows() => new(ExtremeValues);

    [Theory]
    [InlineData("9999-12-31T23:59:59Z")]
    [InlineData("0001-01-01T00:00:00Z")]
    public async Task GivenAnExtremeInstantThatIsRepresentable_WhenFeedbackIsPosted_Then200(string value)
    {
        // Arrange
        var body = $$"""
            {"feedback":[{"card":"{{Guid.NewGuid()}}","outcome":"overridden","outcomeTimestamp":"{{value}}"}]}
            """;

        // Act
        using var response = await _client.PostJsonAsync("/cds-services/cart-toxicity/feedback", body);

        // Assert
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
    }

    [Theory]
    [InlineData("9999")]
    [InlineData("9999-12-31")]
    [InlineData("9999-12-31T23:59:59-05:00")]
    [InlineData("0001-01-01T00:00:00+05:00")]
    public async Task GivenAnOutcomeTimestampThatIsNoInstantHere_WhenFeedbackIsPosted_Then400NamingIt(string value)
    {
        // Arrange: a date is no instant; an instant whose UTC lies outside 0001–9999 cannot be stored as one.
        var body = $$"""
            {"feedback":[{"card":"{{Guid.NewGuid()}}","outcome":"overridden","outcomeTimestamp":"{{value}}"}]}
            """;

        // Act
        using var response = await _client.PostJsonAsync("/cds-services/cart-toxicity/feedback", body);

        // Assert
        await response.AssertOperationOutcomeAsync(HttpStatusCode.BadRequest, "invalid", "feedback[0].outcomeTimestamp", "outcomeTimestamp");
    }

    // The clinical picture of HookJson (fever + BiPAP, grade 4) plus one record carrying the value.
    private static (string Patient, string Observations, string Administrations, string Procedures, string Conditions) Record(string field, string value)
    {
        var patient = field == "Patient.birthDate"
            ? $$"""{"resourceType":"Patient","id":"pat-1","gender":"female","birthDate":"{{value}}"}"""
            : HookJson.Patient;
        var extraObservation = field switch
        {
            "Observation.effectiveDateTime" => Temperature("effectiveDateTime", $"\"{value}\""),
            "Observation.effectivePeriod.end" => Temperature("effectivePeriod", $$"""{"start":"2013-05-19T07:00:00Z","end":"{{value}}"}"""),
            _ => null,
        };
        var observations = field == "every record"
            ? HookJson.Searchset(HookJson.Temperature, HookJson.Bipap, Ferritin("fer-1", value, 900), Ferritin("fer-2", value, 9000))
            : extraObservation is null ? HookJson.Observations : HookJson.Searchset(HookJson.Temperature, HookJson.Bipap, extraObservation);
        var administrations = field switch
        {
            "MedicationAdministration.effectivePeriod.end" => HookJson.Searchset(Norepinephrine("\"effectivePeriod\":{\"start\":\"2013-05-19T07:00:00Z\",\"end\":\"" + value + "\"}")),
            "MedicationAdministration.effectiveDateTime" => HookJson.Searchset(Norepinephrine($"\"effectiveDateTime\":\"{value}\"")),
            "every record" => HookJson.Searchset(Tocilizumab("toci-1", value), Tocilizumab("toci-2", value), Tocilizumab("toci-3", value)),
            _ => HookJson.EmptySearchset,
        };
        var procedures = field switch
        {
            "Procedure.performedDateTime" => HookJson.Searchset(Infusion(value)),
            "every record" => HookJson.Searchset(Infusion("2013-05-14T10:00:00Z"), AlloSct(value)),
            _ => HookJson.Searchset(Infusion("2013-05-14T10:00:00Z")),
        };
        var conditions = field switch
        {
            "Condition.abatementDateTime" => HookJson.Searchset(BAll($"\"onsetDateTime\":\"2012-01-10T09:00:00Z\",\"abatementDateTime\":\"{value}\"")),
            "Condition.onsetDateTime" => HookJson.Searchset(BAll($"\"onsetDateTime\":\"{value}\"")),
            _ => HookJson.EmptySearchset,
        };
        return (patient, observations, administrations, procedures, conditions);
    }

    private static string Temperature(string element, string json) => $$"""
        {"resourceType":"Observation","id":"temp-x","status":"final",
         "code":{"coding":[{"system":"http://loinc.org","code":"8310-5"}]},
         "subject":{"reference":"Patient/pat-1"},"{{element}}":{{json}},
         "valueQuantity":{"value":38.6,"unit":"°C","system":"http://unitsofmeasure.org","code":"Cel"} }
        """;

    private static string Norepinephrine(string effective) => $$$"""
        {"resourceType":"MedicationAdministration","id":"ma-x","status":"completed",
         "medicationCodeableConcept":{"coding":[{"system":"http://www.nlm.nih.gov/research/umls/rxnorm","code":"7512","display":"norepinephrine"}]},
         "subject":{"reference":"Patient/pat-1"},{{{effective}}}}
        """;

    private const string TocilizumabDraftOrders = """
        {"resourceType":"Bundle","type":"collection","entry":[
          {"resource":{"resourceType":"MedicationRequest","id":"mr-kymriah","status":"draft","intent":"order",
           "medicationCodeableConcept":{"coding":[{"system":"http://hl7.org/fhir/sid/ndc","code":"0078-0846"}],"text":"tisagenlecleucel"},
           "subject":{"reference":"Patient/pat-1"}}},
          {"resource":{"resourceType":"MedicationRequest","id":"mr-toci","status":"draft","intent":"order",
           "medicationCodeableConcept":{"coding":[{"system":"http://www.nlm.nih.gov/research/umls/rxnorm","code":"612865"}]},
           "subject":{"reference":"Patient/pat-1"},
           "dosageInstruction":[{"doseAndRate":[{"doseQuantity":{"value":400,"unit":"mg","system":"http://unitsofmeasure.org","code":"mg"}}]}]}}]}
        """;

    private static string Tocilizumab(string id, string time) => $$"""
        {"resourceType":"MedicationAdministration","id":"{{id}}","status":"completed",
         "medicationCodeableConcept":{"coding":[{"system":"http://www.nlm.nih.gov/research/umls/rxnorm","code":"612865"}]},
         "subject":{"reference":"Patient/pat-1"},"effectiveDateTime":"{{time}}",
         "dosage":{"dose":{"value":400,"unit":"mg","system":"http://unitsofmeasure.org","code":"mg"} } }
        """;

    private static string Ferritin(string id, string time, int value) => $$"""
        {"resourceType":"Observation","id":"{{id}}","status":"final",
         "category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/observation-category","code":"laboratory"}]}],
         "code":{"coding":[{"system":"http://loinc.org","code":"2276-4"}]},
         "subject":{"reference":"Patient/pat-1"},"effectiveDateTime":"{{time}}",
         "valueQuantity":{"value":{{value}},"unit":"ng/mL","system":"http://unitsofmeasure.org","code":"ng/mL"} }
        """;

    private static string AlloSct(string performed) => $$"""
        {"resourceType":"Procedure","id":"proc-sct","status":"completed",
         "code":{"coding":[{"system":"http://cartcds.org/fhir/CodeSystem/cartcds","code":"allogeneic-hsct"}]},
         "subject":{"reference":"Patient/pat-1"},"performedDateTime":"{{performed}}"}
        """;

    private static string Infusion(string performed) => $$"""
        {"resourceType":"Procedure","id":"proc-x","status":"completed",
         "code":{"coding":[{"system":"http://cartcds.org/fhir/CodeSystem/cartcds","code":"car-t-infusion"}]},
         "subject":{"reference":"Patient/pat-1"},"performedDateTime":"{{performed}}"}
        """;

    private static string BAll(string dates) => $$$"""
        {"resourceType":"Condition","id":"dx-x",
         "clinicalStatus":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/condition-clinical","code":"active"}]},
         "verificationStatus":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/condition-ver-status","code":"confirmed"}]},
         "code":{"coding":[{"system":"http://snomed.info/sct","code":"277571004"}]},
         "subject":{"reference":"Patient/pat-1"},{{{dates}}}}
        """;
}
