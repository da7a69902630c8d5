using System.Text.Json.Nodes;
using System.Net;
using CarTCds.Service.Tests.TestSupport;

namespace CarTCds.Service.Tests;

/// <summary>cart-eligibility (order-select) and cart-order-check (order-sign): until their rules
/// arrive they answer "no guidance", which CDS Hooks spells exactly {"cards":[]}.</summary>
[Collection(CarTCdsServiceCollection.Name)]
public sealed class EligibilityServiceTests(CarTCdsWebApplicationFactory factory)
{
    private readonly HttpClient _client = factory.CreateClient();

    [Fact]
    public async Task GivenATisagenlecleucelDraftOrderSelected_WhenEligibilityIsCalled_ThenOneEligibilityCardThatSaysWhatIsMissing()
    {
        // Arrange: pat-1 has a birth date but no leukaemia diagnosis or disease-status events.
        var body = $$"""
            {
              "hook": "order-select",
              "hookInstance": "{{HookJson.HookInstance}}",
              "context": {
                "userId": "Practitioner/prac-1",
                "patientId": "pat-1",
                "selections": ["MedicationRequest/mr-kymriah"],
                "draftOrders": {{HookJson.DraftOrders}}
              },
              "prefetch": {{HookJson.OrderPrefetch(true)}}
            }
            """;

        // Act
        var response = await _client.PostJsonAsync(HookJson.EligibilityPath, body);

        // Assert
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        var card = Assert.Single(JsonNode.Parse(text)!["cards"]!.AsArray())!;
        var finding = card["extension"]!["org.cartcds.findings"]![0]!;
        Assert.Equal("eligibility", finding["code"]!.GetValue<string>());
        Assert.Equal("undetermined", finding["value"]!.GetValue<string>());
        Assert.Equal("warning", card["indicator"]!.GetValue<string>());
        Assert.NotEmpty(finding["missing"]!.AsArray());
        Assert.StartsWith("Tisagenlecleucel eligibility undetermined — needs", card["summary"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GivenOnlyAnUnrelatedDraftOrder_WhenOrderCheckIsCalled_Then200WithNoCards()
    {
        // Arrange: a draft order that none of the checks is about.
        var drafts = """{"resourceType":"Bundle","type":"collection","entry":[{"resource":{"resourceType":"MedicationRequest","id":"mr-other","status":"draft","intent":"order","subject":{"reference":"Patient/pat-1"},"medicationCodeableConcept":{"coding":[{"system":"http://www.nlm.nih.gov/research/umls/rxnorm","code":"1191","display":"aspirin"}]}}}]}""";
        var body = $$"""
            {"hook":"order-sign","hookInstance":"{{HookJson.HookInstance}}",
             "context":{"userId":"Practitioner/prac-1","patientId":"pat-1","draftOrders":{{drafts}}},
             "prefetch":{{HookJson.OrderPrefetch(false)}}}
            """;

        // Act
        var response = await _client.PostJsonAsync(HookJson.OrderCheckPath, body);

        // Assert
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("""{"cards":[]}""", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task GivenATisagenlecleucelOrderToSign_WhenEligibilityCannotBeDecided_ThenAWarningOrderCheckCard()
    {
        // Arrange
        var body = $$"""
            {"hook":"order-sign","hookInstance":"{{HookJson.HookInstance}}",
             "context":{"userId":"Practitioner/prac-1","patientId":"pat-1","draftOrders":{{HookJson.DraftOrders}}},
             "prefetch":{{HookJson.OrderPrefetch(false)}}}
            """;

        // Act
        var response = await _client.PostJsonAsync(HookJson.OrderCheckPath, body);

        // Assert
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        var card = Assert.Single(JsonNode.Parse(text)!["cards"]!.AsArray())!;
        var findings = card["extension"]!["org.cartcds.findings"]!.AsArray();
        Assert.Equal("warn", findings.Single(f => f!["code"]!.GetValue<string>() == "order-check")!["value"]!.GetValue<string>());
        Assert.Equal("undetermined", findings.Single(f => f!["code"]!.GetValue<string>() == "eligibility")!["value"]!.GetValue<string>());
        Assert.Equal("warning", card["indicator"]!.GetValue<string>());
    }

    [Fact]
    public async Task GivenTheOptionalMedicationStatementsKeyAbsent_WhenEligibilityIsCalled_Then200AndTheCardSaysWhatItLacked()
    {
        // Arrange
        var body = $$"""
            {"hook":"order-select","hookInstance":"{{HookJson.HookInstance}}",
             "context":{"userId":"Practitioner/prac-1","patientId":"pat-1","selections":["MedicationRequest/mr-kymriah"],"draftOrders":{{HookJson.DraftOrders}}},
             "prefetch":{{HookJson.OrderPrefetch(false)}}}
            """;

        // Act
        var response = await _client.PostJsonAsync(HookJson.EligibilityPath, body);

        // Assert: prior CD19-directed therapy is information, not a criterion: the answer goes on and says so.
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        var card = Assert.Single(JsonNode.Parse(text)!["cards"]!.AsArray())!;
        Assert.Contains("**Computed without** (could not be read): medicationStatements: absent from the prefetch", card["detail"]!.GetValue<string>(), StringComparison.Ordinal);
    }
}
