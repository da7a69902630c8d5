using System.Net;
using System.Text.Json;
using CarTCds.Service.Tests.TestSupport;

namespace CarTCds.Service.Tests.Interop;

/// <summary>Issue 17: the official CDS Hooks Sandbox, replayed. Its exact request shapes
/// (<see cref="SandboxRequests"/>) for patient-view, order-select with a medication picked, and
/// order-sign all answer 200 with the findings a clinician expects.</summary>
[Collection(CarTCdsServiceCollection.Name)]
public sealed class SandboxHookTests(CarTCdsWebApplicationFactory factory)
{
    private static JsonElement[] Cards(JsonDocument doc) => [.. doc.RootElement.GetProperty("cards").EnumerateArray()];

    private static string[] FindingCodes(JsonElement card) =>
        [.. card.GetProperty("extension").GetProperty("org.cartcds.findings").EnumerateArray().Select(f => f.GetProperty("code").GetString()!)];

    [Fact]
    public async Task GivenTheSandboxsPatientView_WhenCalled_Then200WithTheCrsGrade()
    {
        // Arrange: fever and BiPAP on day 4 after the infusion.
        var prefetch = HookJson.Prefetch(
            ("patient", HookJson.Patient),
            ("observations", HookJson.Observations),
            ("medicationAdministrations", HookJson.EmptySearchset),
            ("procedures", HookJson.Searchset(SandboxRequests.RecentInfusion)),
            ("conditions", HookJson.EmptySearchset));

        // Act
        var response = await factory.CreateClient().PostJsonAsync(HookJson.ToxicityPath, SandboxRequests.PatientView(prefetch));

        // Assert
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var doc = await response.ReadJsonAsync();
        var crs = Assert.Single(Cards(doc), c => FindingCodes(c).Contains("crs-grade"));
        Assert.StartsWith("CRS grade 4 (ASTCT), day 4", crs.GetProperty("summary").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GivenTheSandboxsOrderSignWithCategoryAndReasonCodeAsObjects_WhenCalled_Then200AndTheCardNamesWhatItCouldNotRead()
    {
        // Arrange: a dexamethasone order (ingredient code) on day 4, no CRS, no ICANS.
        var body = SandboxRequests.OrderSign(SandboxRequests.MedicationRequest("3264", "dexamethasone"));

        // Act
        var response = await factory.CreateClient().PostJsonAsync(HookJson.OrderCheckPath, body);

        // Assert
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var doc = await response.ReadJsonAsync();
        var card = Assert.Single(Cards(doc));
        Assert.Equal("warning", card.GetProperty("indicator").GetString());
        Assert.Contains("without CRS", card.GetProperty("summary").GetString(), StringComparison.Ordinal);
        var detail = card.GetProperty("detail").GetString()!;
        Assert.Contains("**Could not read**", detail, StringComparison.Ordinal);
        Assert.Contains("MedicationRequest/request-123: MedicationRequest.category (an object), MedicationRequest.reasonCode (an object)", detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GivenTheSandboxsOrderSelectWithADexamethasoneOrderPicked_WhenCalled_Then200WithoutAnEligibilityCard()
    {
        // Arrange: cart-eligibility answers order-select only for a CAR-T referral or a tisagenlecleucel order.
        var body = SandboxRequests.OrderSelect(SandboxRequests.MedicationRequest("3264", "dexamethasone"));

        // Act
        var response = await factory.CreateClient().PostJsonAsync(HookJson.EligibilityPath, body);

        // Assert
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var doc = await response.ReadJsonAsync();
        Assert.Empty(Cards(doc));
    }

    [Fact]
    public async Task GivenTheSandboxsOrderSelectWithATisagenlecleucelOrderPicked_WhenCalled_Then200WithTheEligibilityCard()
    {
        // Arrange: the product named in text (the Sandbox's own list has no CAR-T product).
        var draft = SandboxRequests.MedicationRequest("0", "tisagenlecleucel (Kymriah) suspension for IV infusion");

        // Act
        var response = await factory.CreateClient().PostJsonAsync(HookJson.EligibilityPath, SandboxRequests.OrderSelect(draft));

        // Assert
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var doc = await response.ReadJsonAsync();
        Assert.Contains(Cards(doc), c => FindingCodes(c).Any(code => code.StartsWith("eligibility", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task GivenAMalformedElementARuleReads_WhenTheSandboxShapeIsSent_ThenStill400AtItsExactPath()
    {
        // Arrange: the same draft, but the dose (which the dose checks read) is a string.
        var draft = SandboxRequests.MedicationRequest("3264", "dexamethasone").Replace("\"value\":1,", "\"value\":\"one\",", StringComparison.Ordinal);

        // Act
        var response = await factory.CreateClient().PostJsonAsync(HookJson.OrderCheckPath, SandboxRequests.OrderSign(draft));

        // Assert
        await response.AssertOperationOutcomeAsync(HttpStatusCode.BadRequest, "structure",
            "context.draftOrders.entry[0].resource.dosageInstruction[0].doseAndRate[0].doseQuantity.value");
    }

    [Fact]
    public async Task GivenTheSandboxsExactOrderSign_DexamethasoneProductCodeTwoPills_WhenCalled_Then200WithTheCorticosteroidCheckIn8Mg()
    {
        // Arrange: RxNorm 197582 "Dexamethasone 4 MG Oral Tablet" (SCD), Number 2, on day 4 without CRS or ICANS.
        var body = SandboxRequests.OrderSign(SandboxRequests.MedicationRequest("197582", "Dexamethasone 4 MG Oral Tablet", pills: 2));

        // Act
        var response = await factory.CreateClient().PostJsonAsync(HookJson.OrderCheckPath, body);

        // Assert
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var doc = await response.ReadJsonAsync();
        var card = Assert.Single(Cards(doc));
        Assert.Equal("warning", card.GetProperty("indicator").GetString());
        var summary = card.GetProperty("summary").GetString()!;
        Assert.Contains("without CRS", summary, StringComparison.Ordinal);
        Assert.Contains("2 {pill} (= 8 mg)", card.GetProperty("detail").GetString()!, StringComparison.Ordinal);
        Assert.Contains("order-check", FindingCodes(card));
    }
}
