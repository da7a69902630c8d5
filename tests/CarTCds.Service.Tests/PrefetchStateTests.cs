using System.Net;
using System.Text.Json;
using CarTCds.Service.Tests.TestSupport;

namespace CarTCds.Service.Tests;

/// <summary>The four states of a prefetch key (CDS Hooks 2.0 §Prefetch): absent, null,
/// OperationOutcome, resource — and the 412 when data is needed and cannot be had.</summary>
[Collection(CarTCdsServiceCollection.Name)]
public sealed class PrefetchStateTests(CarTCdsWebApplicationFactory factory)
{
    private readonly HttpClient _client = factory.CreateClient();

    [Fact]
    public async Task GivenEveryKeyHoldingData_WhenToxicityIsCalled_Then200WithTheCard()
    {
        // Arrange: all five keys present, each with a resource or a searchset.
        var prefetch = HookJson.Prefetch(
            ("patient", HookJson.Patient),
            ("observations", HookJson.Observations),
            ("medicationAdministrations", HookJson.EmptySearchset),
            ("procedures", HookJson.Searchset(HookJson.Infusion)),
            ("conditions", HookJson.EmptySearchset));

        // Act
        var response = await _client.PostJsonAsync(HookJson.ToxicityPath, HookJson.Toxicity(prefetch));

        // Assert
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var doc = await response.ReadJsonAsync();
        Assert.Contains("CRS grade 4", doc.RootElement.GetProperty("cards")[0].GetProperty("summary").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("patient")]
    [InlineData("observations")]
    [InlineData("medicationAdministrations")]
    [InlineData("procedures")]
    public async Task GivenAnAbsentKeyAndNoFhirServer_WhenToxicityIsCalled_Then412NamingTheKey(string key)
    {
        // Arrange
        var body = HookJson.Toxicity(HookJson.ToxicityPrefetch(omitKey: key));

        // Act
        var response = await _client.PostJsonAsync(HookJson.ToxicityPath, body);

        // Assert
        var outcome = await response.AssertOperationOutcomeAsync(HttpStatusCode.PreconditionFailed, "incomplete", $"prefetch.{key}",
            $"Prefetch '{key}'", "absent from the prefetch", "no fhirServer");
        Assert.Equal(1, outcome.GetProperty("issue").GetArrayLength());
    }

    [Fact]
    public async Task GivenNoPrefetchAtAllAndNoFhirServer_WhenToxicityIsCalled_Then412WithOneIssuePerKey()
    {
        // Arrange
        var body = $$"""
            {"hook":"patient-view","hookInstance":"{{HookJson.HookInstance}}","context":{"userId":"Practitioner/prac-1","patientId":"pat-1"} }
            """;

        // Act
        var response = await _client.PostJsonAsync(HookJson.ToxicityPath, body);

        // Assert
        var outcome = await response.AssertOperationOutcomeAsync(HttpStatusCode.PreconditionFailed, "incomplete", "prefetch.patient", "absent from the prefetch");
        var expressions = outcome.GetProperty("issue").EnumerateArray().Select(i => i.GetProperty("expression")[0].GetString()).ToList();
        // conditions is optional for cart-toxicity: the answer would go on without it.
        Assert.Equal(["prefetch.patient", "prefetch.observations", "prefetch.medicationAdministrations", "prefetch.procedures"], expressions);
    }

    [Fact]
    public async Task GivenTheOptionalConditionsKeyAbsentAndNoFhirServer_WhenToxicityIsCalled_Then200AndEveryCardSaysWhatItLacked()
    {
        // Arrange: conditions only inform monitoring advice (seizure disorder), never a grade.
        var body = HookJson.Toxicity(HookJson.ToxicityPrefetch(omitKey: "conditions"));

        // Act
        var response = await _client.PostJsonAsync(HookJson.ToxicityPath, body);

        // Assert
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var doc = await response.ReadJsonAsync();
        var cards = doc.RootElement.GetProperty("cards").EnumerateArray().ToList();
        Assert.Contains("CRS grade 4", cards[0].GetProperty("summary").GetString(), StringComparison.Ordinal);
        Assert.All(cards, c => Assert.Contains("**Computed without** (could not be read): conditions: absent from the prefetch", c.GetProperty("detail").GetString(), StringComparison.Ordinal));
    }

    [Fact]
    public async Task GivenTheConditionsKeyFallingBackToAnUnreachableFhirServer_WhenToxicityIsCalled_ThenDataAndComputedWithoutAgree()
    {
        // Arrange: conditions absent, so the service reads them from fhirServer, where nothing listens (issue 18 item 7).
        var body = HookJson.Toxicity(HookJson.ToxicityPrefetch(omitKey: "conditions"), $",\"fhirServer\":\"{HookJson.ClosedFhirServer}\"");

        // Act
        var response = await _client.PostJsonAsync(HookJson.ToxicityPath, body);

        // Assert: named once, as not read; never "read from the FHIR server".
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var doc = await response.ReadJsonAsync();
        var detail = doc.RootElement.GetProperty("cards")[0].GetProperty("detail").GetString()!;
        Assert.Contains("**Computed without** (could not be read): conditions: absent from the prefetch, and reading it from the FHIR server failed", detail, StringComparison.Ordinal);
        Assert.DoesNotContain("conditions: read from the FHIR server", detail, StringComparison.Ordinal);
        Assert.DoesNotContain("- conditions:", detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GivenANullKey_WhenToxicityIsCalled_ThenItMeansNoDataAnd200()
    {
        // Arrange: observations null = the EHR looked and there are none → not gradable, not 412.
        var body = HookJson.Toxicity(HookJson.ToxicityPrefetch("observations", "null"));

        // Act
        var response = await _client.PostJsonAsync(HookJson.ToxicityPath, body);

        // Assert
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        using var doc = JsonDocument.Parse(text);
        var card = Assert.Single(doc.RootElement.GetProperty("cards").EnumerateArray());
        Assert.Contains("not gradable", card.GetProperty("summary").GetString(), StringComparison.Ordinal);
        var finding = card.GetProperty("extension").GetProperty("org.cartcds.findings")[0];
        Assert.Equal("not-gradable", finding.GetProperty("value").GetString());
        Assert.Contains("8310-5", finding.GetProperty("missing")[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GivenEveryKeyNull_WhenToxicityIsCalled_Then200WithoutCards()
    {
        // Every key null: the EHR says this patient has no data, so no CAR-T infusion either, and
        // cart-toxicity does not speak on a chart without CAR-T therapy.
        // Arrange
        var prefetch = """{"patient":null,"observations":null,"medicationAdministrations":null,"procedures":null,"conditions":null}""";

        // Act
        var response = await _client.PostJsonAsync(HookJson.ToxicityPath, HookJson.Toxicity(prefetch));

        // Assert
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var doc = await response.ReadJsonAsync();
        Assert.Empty(doc.RootElement.GetProperty("cards").EnumerateArray());
    }

    [Theory]
    [InlineData("patient")]
    [InlineData("observations")]
    public async Task GivenAKeyHoldingAnOperationOutcomeAndNoFhirServer_WhenToxicityIsCalled_Then412NamingTheKey(string key)
    {
        // Arrange
        var body = HookJson.Toxicity(HookJson.ToxicityPrefetch(key, HookJson.FetchFailed));

        // Act
        var response = await _client.PostJsonAsync(HookJson.ToxicityPath, body);

        // Assert
        var outcome = await response.AssertOperationOutcomeAsync(HttpStatusCode.PreconditionFailed, "incomplete", $"prefetch.{key}",
            $"Prefetch '{key}'", "the EHR's prefetch failed (upstream timeout)", "no fhirServer");
        Assert.Equal(1, outcome.GetProperty("issue").GetArrayLength());
    }

    [Fact]
    public async Task GivenAnAbsentKeyWithAFhirServer_WhenToxicityIsCalled_Then412SayingReadingFailedWithoutLeakingTheToken()
    {
        // Arrange
        var body = HookJson.Toxicity(HookJson.ToxicityPrefetch(omitKey: "observations"), $$"""
            ,
            "fhirServer": "{{HookJson.ClosedFhirServer}}",
            "fhirAuthorization": {"access_token":"{{HookJson.AccessToken}}","token_type":"Bearer","expires_in":300,"scope":"patient/*.read","subject":"cartcds"}
            """);

        // Act
        var response = await _client.PostJsonAsync(HookJson.ToxicityPath, body);

        // Assert
        await response.AssertOperationOutcomeAsync(HttpStatusCode.PreconditionFailed, "incomplete", "prefetch.observations",
            "Prefetch 'observations'", "reading it from the FHIR server failed");
        var text = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain(HookJson.AccessToken, text, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-fhir-access-token", text, StringComparison.Ordinal);
        Assert.DoesNotContain(response.Headers.SelectMany(h => h.Value), v => v.Contains("secret-fhir-access-token", StringComparison.Ordinal));
    }

    [Fact]
    public async Task GivenAnOperationOutcomeKeyWithAFhirServer_WhenToxicityIsCalled_Then412SayingReadingFailed()
    {
        // Arrange
        var body = HookJson.Toxicity(HookJson.ToxicityPrefetch("observations", HookJson.FetchFailed), $$"""
            , "fhirServer": "{{HookJson.ClosedFhirServer}}"
            """);

        // Act
        var response = await _client.PostJsonAsync(HookJson.ToxicityPath, body);

        // Assert
        await response.AssertOperationOutcomeAsync(HttpStatusCode.PreconditionFailed, "incomplete", "prefetch.observations",
            "the EHR's prefetch failed", "reading it from the FHIR server failed");
    }

    [Fact]
    public async Task GivenAPagedSearchsetAndNoFhirServer_WhenToxicityIsCalled_Then200AndTheCardSaysOnlyTheFirstPageWasUsed()
    {
        // Arrange
        var paged = $$"""
            {"resourceType":"Bundle","type":"searchset","total":3,
             "link":[{"relation":"self","url":"https://ehr.example.org/fhir/Observation?patient=Patient/pat-1"},
                     {"relation":"next","url":"https://ehr.example.org/fhir/Observation?patient=Patient/pat-1&page=2"}],
             "entry":[{"resource":{{HookJson.Temperature}}},{"resource":{{HookJson.Bipap}}}]}
            """;
        var body = HookJson.Toxicity(HookJson.ToxicityPrefetch("observations", paged));

        // Act
        var response = await _client.PostJsonAsync(HookJson.ToxicityPath, body);

        // Assert
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var doc = await response.ReadJsonAsync();
        var card = doc.RootElement.GetProperty("cards")[0];
        Assert.Contains("CRS grade 4", card.GetProperty("summary").GetString(), StringComparison.Ordinal);
        Assert.Contains("only its first page was used", card.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }
}
