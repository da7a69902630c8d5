using System.Net;
using System.Text.Json;
using CarTCds.Service.Tests.TestSupport;

namespace CarTCds.Service.Tests.Reliability;

/// <summary>Whose data counts (docs/ARCHITECTURE.md "Whose data counts", issue 18 item 2): a record
/// whose subject does not show it is this patient's is left out and named on the cards; one that
/// names another patient refuses the call.</summary>
[Collection(CarTCdsServiceCollection.Name)]
public sealed class PatientScopeServiceTests(CarTCdsWebApplicationFactory factory)
{
    private readonly HttpClient _client = factory.CreateClient();

    private const string Infusion = """
        {"resourceType":"Procedure","id":"proc-inf","status":"completed",
         "code":{"coding":[{"system":"http://cartcds.org/fhir/CodeSystem/cartcds","code":"car-t-infusion"}]},
         "subject":{"reference":"Patient/pat-1"},"performedDateTime":"2013-05-14T10:00:00Z"}
        """;

    // The BiPAP record that sets grade 4 (HookJson), with its subject replaced; null = no subject.
    private static string Bipap(string? subjectJson) => HookJson.Bipap.Replace(
        "\"subject\":{\"reference\":\"Patient/pat-1\"},", subjectJson is null ? "" : $"\"subject\":{subjectJson},", StringComparison.Ordinal);

    private static string Body(string bipap, string extraMembers = "") => HookJson.Toxicity(HookJson.Prefetch(
        ("patient", HookJson.Patient),
        ("observations", HookJson.Searchset(HookJson.Temperature, bipap)),
        ("medicationAdministrations", "null"),
        ("procedures", HookJson.Searchset(Infusion)),
        ("conditions", "null")), extraMembers);

    public static TheoryData<string, string?, string> NotThisPatients => new()
    {
        { "no subject", null, "no subject" },
        { "a Group", """{"reference":"Group/ward-7"}""", "'Group/ward-7'" },
        { "a urn:uuid", """{"reference":"urn:uuid:5b1d2c8e-6f5c-4a5e-9b8e-0f6f0a3c2d11"}""", "'urn:uuid:5b1d2c8e-6f5c-4a5e-9b8e-0f6f0a3c2d11'" },
        { "a lowercase patient/", """{"reference":"patient/pat-1"}""", "'patient/pat-1'" },
        { "this id on another server", """{"reference":"http://other.example/fhir/Patient/pat-1"}""", "'http://other.example/fhir/Patient/pat-1'" },
        { "an identifier only", """{"identifier":{"system":"urn:oid:1.2.3","value":"pat-1"}}""", "identifier" },
        { "a display only", """{"display":"Jane Doe"}""", "no subject" },
    };

    [Theory]
    [MemberData(nameof(NotThisPatients))]
    public async Task GivenTheGradeSettingRecordNotShownToBeThisPatients_WhenToxicityIsCalled_ThenItIsLeftOutNamedAndNotEvidence(string form, string? subject, string reason)
    {
        // Arrange
        var body = Body(Bipap(subject));

        // Act
        var response = await _client.PostJsonAsync(HookJson.ToxicityPath, body);

        // Assert: graded on the fever alone (grade 1), the BiPAP record named under "Left out", never cited.
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{form}: {text}");
        using var doc = JsonDocument.Parse(text);
        // Cards come most urgent first: the CRS card (grade 1, info) is found by its topic.
        var crs = doc.RootElement.GetProperty("cards").EnumerateArray()
            .Single(c => c.GetProperty("source").GetProperty("topic").GetProperty("code").GetString() == "crs-grade");
        var finding = crs.GetProperty("extension").GetProperty("org.cartcds.findings")[0];
        Assert.Equal("crs-grade", finding.GetProperty("code").GetString());
        Assert.Equal(1, finding.GetProperty("value").GetInt32());
        Assert.DoesNotContain("Observation/o2-1", finding.GetProperty("evidence").EnumerateArray().Select(e => e.GetString()));
        var detail = crs.GetProperty("detail").GetString()!;
        Assert.Contains("**Left out**", detail, StringComparison.Ordinal);
        var leftOut = detail.Split('\n').Single(l => l.StartsWith("- Observation/o2-1: ", StringComparison.Ordinal));
        Assert.Contains(reason, leftOut, StringComparison.Ordinal);
        Assert.DoesNotContain("BiPAP", crs.GetProperty("summary").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"reference":"Patient/pat-1"}""", "")]
    [InlineData("""{"reference":"Patient/pat-1/_history/4"}""", "")]
    [InlineData("""{"reference":"http://127.0.0.1:9/fhir/Patient/pat-1"}""", ",\"fhirServer\":\"http://127.0.0.1:9/fhir\"")]
    [InlineData("""{"reference":"http://127.0.0.1:9/fhir/Patient/pat-1"}""", ",\"fhirServer\":\"http://127.0.0.1:9/fhir/\"")]
    public async Task GivenTheGradeSettingRecordOfThisPatient_WhenToxicityIsCalled_ThenItIsEvidence(string subject, string extraMembers)
    {
        // Arrange: relative, or absolute on the request's fhirServer.
        var body = Body(Bipap(subject), extraMembers);

        // Act
        var response = await _client.PostJsonAsync(HookJson.ToxicityPath, body);

        // Assert
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        using var doc = JsonDocument.Parse(text);
        var finding = doc.RootElement.GetProperty("cards")[0].GetProperty("extension").GetProperty("org.cartcds.findings")[0];
        Assert.Equal(4, finding.GetProperty("value").GetInt32());
        Assert.Contains("Observation/o2-1", finding.GetProperty("evidence").EnumerateArray().Select(e => e.GetString()));
    }

    [Theory]
    [InlineData("""{"reference":"Patient/pat-2"}""")]
    [InlineData("""{"reference":"http://other.example/fhir/Patient/pat-2"}""")]
    public async Task GivenARecordOfAnotherPatient_WhenToxicityIsCalled_Then400NamingTheEntry(string subject)
    {
        // Act
        var response = await _client.PostJsonAsync(HookJson.ToxicityPath, Body(Bipap(subject)));

        // Assert
        await response.AssertOperationOutcomeAsync(HttpStatusCode.BadRequest, "invalid", "prefetch.observations.entry[1]", "another patient", "refusing to mix patients");
    }

    [Fact]
    public async Task GivenARecordNotShownToBeThisPatients_WhenOrderSignIsCalled_ThenEveryCardNamesIt()
    {
        // Arrange: the order-check cards have no "Left out" list of their own.
        var prefetch = HookJson.Prefetch(
            ("patient", HookJson.Patient),
            ("conditions", HookJson.EmptySearchset),
            ("observations", HookJson.Searchset(HookJson.Temperature, Bipap("""{"reference":"Group/ward-7"}"""))),
            ("procedures", HookJson.Searchset(Infusion)),
            ("medicationAdministrations", HookJson.EmptySearchset));
        var body = $$"""{"hook":"order-sign","hookInstance":"{{HookJson.HookInstance}}","context":{"userId":"Practitioner/prac-1","patientId":"pat-1","draftOrders":{{HookJson.DraftOrders}}},"prefetch":{{prefetch}}}""";

        // Act
        var response = await _client.PostJsonAsync(HookJson.OrderCheckPath, body);

        // Assert
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        using var doc = JsonDocument.Parse(text);
        var cards = doc.RootElement.GetProperty("cards").EnumerateArray().ToList();
        Assert.NotEmpty(cards);
        Assert.All(cards, c => Assert.Contains("**Left out** (not shown to be this patient's): Observation/o2-1: its subject 'Group/ward-7' is not Patient/pat-1", c.GetProperty("detail").GetString(), StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("""{"reference":"Group/ward-7"}""")]
    [InlineData("""{"reference":"http://other.example/fhir/Patient/pat-1"}""")]
    public async Task GivenADraftOrderNotShownToBeThisPatients_WhenOrderSignIsCalled_ThenItIsStillChecked(string subject)
    {
        // Arrange: a draft order is the order being written in this patient's context, not evidence.
        var drafts = HookJson.DraftOrders.Replace("{\"reference\":\"Patient/pat-1\"}", subject, StringComparison.Ordinal);
        var body = $$"""{"hook":"order-sign","hookInstance":"{{HookJson.HookInstance}}","context":{"userId":"Practitioner/prac-1","patientId":"pat-1","draftOrders":{{drafts}}},"prefetch":{{HookJson.OrderPrefetch(false)}}}""";

        // Act
        var response = await _client.PostJsonAsync(HookJson.OrderCheckPath, body);

        // Assert
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        Assert.Contains("MedicationRequest/mr-kymriah", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GivenADraftOrderOfAnotherPatient_WhenOrderSignIsCalled_Then400()
    {
        var drafts = HookJson.DraftOrders.Replace("Patient/pat-1", "http://other.example/fhir/Patient/pat-2", StringComparison.Ordinal);
        var body = $$"""{"hook":"order-sign","hookInstance":"{{HookJson.HookInstance}}","context":{"userId":"Practitioner/prac-1","patientId":"pat-1","draftOrders":{{drafts}}},"prefetch":{{HookJson.OrderPrefetch(false)}}}""";

        var response = await _client.PostJsonAsync(HookJson.OrderCheckPath, body);

        await response.AssertOperationOutcomeAsync(HttpStatusCode.BadRequest, "invalid", "context.draftOrders.entry[0]", "refusing to mix patients");
    }
}
