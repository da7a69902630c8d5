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
    public async Task GivenATisagenlecleucelDraftOrderSelected_WhenEligibilityIsCalled_Then200WithNoCards()
    {
        // Arrange
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
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("""{"cards":[]}""", text);
    }

    [Fact]
    public async Task GivenADraftOrderToSign_WhenOrderCheckIsCalled_Then200WithNoCards()
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
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("""{"cards":[]}""", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task GivenTheMedicationStatementsKeyAbsent_WhenEligibilityIsCalled_Then412NamingIt()
    {
        // Arrange
        var body = $$"""
            {"hook":"order-select","hookInstance":"{{HookJson.HookInstance}}",
             "context":{"userId":"Practitioner/prac-1","patientId":"pat-1","selections":["MedicationRequest/mr-kymriah"],"draftOrders":{{HookJson.DraftOrders}}},
             "prefetch":{{HookJson.OrderPrefetch(false)}}}
            """;

        // Act
        var response = await _client.PostJsonAsync(HookJson.EligibilityPath, body);

        // Assert
        await response.AssertOperationOutcomeAsync(HttpStatusCode.PreconditionFailed, "incomplete", "prefetch.medicationStatements", "Prefetch 'medicationStatements'");
    }
}
