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
    /// <summary>A draft order under an RxNorm product code no list holds (1999911… are codes no ValueSet has),
    /// named as a drug the order checks cover: a warning that the check was not run, naming the code and the
    /// ValueSet a site adds it to — never an info card, never a dose alarm, never a check by name. A name no
    /// checked drug bears (acetaminophen is read for fever masking, not order-checked; prednisolone is not
    /// prednisone) gets no card, as it would under a listed code.</summary>
    [Theory]
    [InlineData("1999911", "Dexamethasone 1.5 MG Oral Tablet", "dexamethasone", "the corticosteroid check", "drug-dexamethasone.json")]
    [InlineData("1999912", "methylprednisolone 40 MG Injection", "methylprednisolone", "the corticosteroid check", "drug-methylprednisolone.json")]
    [InlineData("1999913", "tocilizumab 20 MG/ML Injectable Solution", "tocilizumab", "the tocilizumab dose check", "drug-tocilizumab.json")]
    [InlineData("1999914", "levetiracetam 750 MG Oral Tablet", "levetiracetam", "the weight-based dose check", "drug-levetiracetam.json")]
    [InlineData("1999915", "ANAKINRA 100 MG/0.67 ML SYRINGE", "anakinra", "the weight-based dose check", "drug-anakinra.json")]
    [InlineData("1999919", "PredniSONE 20 MG Oral Tablet", "prednisone", "the corticosteroid check", "drug-prednisone.json")]
    [InlineData("1999916", "Acetaminophen 160 MG/5 ML Oral Suspension", null, null, null)]
    [InlineData("1999917", "prednisolone 15 MG/5 ML Oral Solution", null, null, null)]
    [InlineData("1999918", "Amoxicillin 250 MG Oral Capsule", null, null, null)]
    public async Task GivenTheSandboxsExactOrderSign_UnlistedProductCodeNamingADrug_WhenCalled_ThenAWarningThatTheCheckWasNotRunOrNoCard(
        string code, string name, string? drug, string? check, string? valueSet)
    {
        // Arrange: day 4 after the infusion, no CRS, no ICANS (a listed code would get its check).
        var body = SandboxRequests.OrderSign(SandboxRequests.MedicationRequest(code, name, pills: 2));

        // Act
        var response = await factory.CreateClient().PostJsonAsync(HookJson.OrderCheckPath, body);

        // Assert
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var doc = await response.ReadJsonAsync();
        if (drug is null)
        {
            Assert.Empty(Cards(doc));
            return;
        }
        var card = Assert.Single(Cards(doc));
        Assert.Equal("warning", card.GetProperty("indicator").GetString());
        Assert.Equal($"{char.ToUpperInvariant(name[0])}{name[1..]}: not checked — its code is not in {valueSet}", card.GetProperty("summary").GetString());
        var reason = $"'{name}' names {drug} but its code http://www.nlm.nih.gov/research/umls/rxnorm|{code} is not in profiles/ValueSet/{valueSet}; {check} was not run.";
        Assert.Contains(reason, card.GetProperty("detail").GetString()!, StringComparison.Ordinal);
        var finding = Assert.Single(card.GetProperty("extension").GetProperty("org.cartcds.findings").EnumerateArray());
        Assert.Equal("order-check-not-run", finding.GetProperty("code").GetString());
        Assert.Equal(drug, finding.GetProperty("value").GetString());
        Assert.Equal(["MedicationRequest/request-123"], finding.GetProperty("evidence").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal([reason], finding.GetProperty("reasons").EnumerateArray().Select(e => e.GetString()));
        Assert.StartsWith("https://", card.GetProperty("source").GetProperty("url").GetString(), StringComparison.Ordinal);
    }

    /// <summary>The same drugs under listed product codes get their normal check and no "not run" card.</summary>
    [Theory]
    [InlineData("197582", "Dexamethasone 4 MG Oral Tablet", "without CRS")]            // SCD, corticosteroid check
    [InlineData("311289", "levetiracetam 500 MG Oral Tablet", "levetiracetam")]         // SCD, weight-based maximum
    [InlineData("343040", "Dexamethasone 0.75 MG Oral Tablet [Decadron]", "(= 1.5 mg): check before signing")] // SBD from the Sandbox's own list
    public async Task GivenTheSandboxsExactOrderSign_ListedProductCode_WhenCalled_ThenTheNormalCheckAndNoNotRunCard(string code, string name, string inSummary)
    {
        // Arrange
        var body = SandboxRequests.OrderSign(SandboxRequests.MedicationRequest(code, name, pills: 2));

        // Act
        var response = await factory.CreateClient().PostJsonAsync(HookJson.OrderCheckPath, body);

        // Assert
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var doc = await response.ReadJsonAsync();
        var card = Assert.Single(Cards(doc));
        Assert.Equal(["order-check"], FindingCodes(card));
        Assert.Contains(inSummary, card.GetProperty("summary").GetString()!, StringComparison.Ordinal);
        Assert.DoesNotContain("not checked", card.GetProperty("summary").GetString()!, StringComparison.Ordinal);
    }

    /// <summary>Rx View (order-select) offers only the eligibility check (for a CAR-T referral or a
    /// tisagenlecleucel order): a steroid picked under a listed or an unlisted code gets no card there
    /// and is not refused; the order-sign call is where its check runs, or is said not to.</summary>
    [Theory]
    [InlineData("197582", "Dexamethasone 4 MG Oral Tablet")]
    [InlineData("1999911", "Dexamethasone 1.5 MG Oral Tablet")]
    public async Task GivenTheSandboxsExactOrderSelect_ASteroidPicked_WhenCalled_Then200AndNoCard(string code, string name)
    {
        // Arrange
        var body = SandboxRequests.OrderSelect(SandboxRequests.MedicationRequest(code, name));

        // Act
        var response = await factory.CreateClient().PostJsonAsync(HookJson.EligibilityPath, body);

        // Assert
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var doc = await response.ReadJsonAsync();
        Assert.Empty(Cards(doc));
    }
}
