using System.Net;
using System.Text.Json;
using CarTCds.Fhir.Model;
using CarTCds.Fhir.Serialization;
using CarTCds.Hooks.Catalog;
using CarTCds.Hooks.Contract;
using CarTCds.Hooks.Evaluation;
using CarTCds.Service.Tests.TestSupport;

namespace CarTCds.Service.Tests;

/// <summary>POST /cds-services/cart-toxicity (patient-view): the CRS card.</summary>
[Collection(CarTCdsServiceCollection.Name)]
public sealed class ToxicityServiceTests(CarTCdsWebApplicationFactory factory)
{
    private readonly HttpClient _client = factory.CreateClient();

    [Fact]
    public async Task GivenFeverAndBipapWithin24Hours_WhenToxicityIsCalled_ThenOneCriticalCrsGrade4Card()
    {
        // Arrange
        var body = HookJson.Toxicity();

        // Act
        var response = await _client.PostJsonAsync(HookJson.ToxicityPath, body);

        // Assert
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var doc = JsonDocument.Parse(text);
        var card = Assert.Single(doc.RootElement.GetProperty("cards").EnumerateArray());

        Assert.Contains("CRS grade 4", card.GetProperty("summary").GetString(), StringComparison.Ordinal);
        Assert.True(card.GetProperty("summary").GetString()!.Length < 140);
        Assert.Equal("critical", card.GetProperty("indicator").GetString());
        Assert.True(Guid.TryParse(card.GetProperty("uuid").GetString(), out _));
        Assert.False(string.IsNullOrWhiteSpace(card.GetProperty("source").GetProperty("label").GetString()));
        Assert.Contains("BiPAP", card.GetProperty("detail").GetString(), StringComparison.Ordinal);

        var finding = card.GetProperty("extension").GetProperty("org.cartcds.findings")[0];
        Assert.Equal("crs-grade", finding.GetProperty("code").GetString());
        Assert.Equal(JsonValueKind.Number, finding.GetProperty("value").ValueKind);
        Assert.Equal(4, finding.GetProperty("value").GetInt32());
        Assert.Equal("astct-2019@1.0.0", finding.GetProperty("ruleSet").GetString());
        var evidence = finding.GetProperty("evidence").EnumerateArray().Select(e => e.GetString()).ToList();
        Assert.Contains("Observation/temp-1", evidence);
        Assert.Contains("Observation/o2-1", evidence);

        // A critical card offers override reasons, each with a display (docs/CDS-HOOKS.md).
        Assert.All(card.GetProperty("overrideReasons").EnumerateArray(), r =>
        {
            Assert.False(string.IsNullOrWhiteSpace(r.GetProperty("code").GetString()));
            Assert.False(string.IsNullOrWhiteSpace(r.GetProperty("display").GetString()));
        });
        Assert.Empty(Http.EmptyValues(doc.RootElement));
    }

    [Fact]
    public async Task GivenTheFixedEvaluationTime_WhenToxicityIsCalled_ThenTheCardWindowEndsAtThatTime()
    {
        // Act
        var response = await _client.PostJsonAsync(HookJson.ToxicityPath, HookJson.Toxicity());

        // Assert: CarTCds:Now (2013-05-19T12:00Z) is the evaluation time, not the wall clock.
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var doc = await response.ReadJsonAsync();
        var detail = doc.RootElement.GetProperty("cards")[0].GetProperty("detail").GetString();
        Assert.Contains("2013-05-18 12:00Z – 2013-05-19 12:00Z", detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GivenTwoCalls_WhenToxicityIsCalled_ThenEachCardHasItsOwnUuid()
    {
        // Act
        var first = await _client.PostJsonAsync(HookJson.ToxicityPath, HookJson.Toxicity());
        var second = await _client.PostJsonAsync(HookJson.ToxicityPath, HookJson.Toxicity());

        // Assert
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        using var a = await first.ReadJsonAsync();
        using var b = await second.ReadJsonAsync();
        Assert.NotEqual(a.RootElement.GetProperty("cards")[0].GetProperty("uuid").GetString(), b.RootElement.GetProperty("cards")[0].GetProperty("uuid").GetString());
    }

    public static TheoryData<string, string> Extensions => new()
    {
        { "top level", HookJson.Toxicity(extraMembers: """, "extension": {"com.example.ehr": {"tenant": "north", "trace": [1, 2, 3]}}""") },
        {
            "inside context",
            HookJson.Toxicity(context: """{"userId":"Practitioner/prac-1","patientId":"pat-1","extension":{"com.example.ehr":{"ward":"4B"}}}""")
        },
        {
            "top level and inside context",
            HookJson.Toxicity(
                extraMembers: """, "extension": {"com.example.a": true}""",
                context: """{"userId":"Practitioner/prac-1","patientId":"pat-1","encounterId":"enc-1","extension":{"com.example.b":[{"x":null}]}}""")
        },
        {
            "inside fhirAuthorization",
            HookJson.Toxicity(extraMembers: $$""", "fhirAuthorization": {"access_token":"{{HookJson.AccessToken}}","token_type":"Bearer","expires_in":300,"scope":"patient/*.read","subject":"cds-service","extension":{"com.example.c":1} }""")
        },
    };

    [Theory]
    [MemberData(nameof(Extensions))]
    public async Task GivenAnExtensionObject_WhenToxicityIsCalled_ThenItIsAcceptedAnd200(string where, string body)
    {
        // Act
        var response = await _client.PostJsonAsync(HookJson.ToxicityPath, body);

        // Assert
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"extension {where}: HTTP {(int)response.StatusCode} {text}");
        using var doc = JsonDocument.Parse(text);
        Assert.Contains("CRS grade 4", doc.RootElement.GetProperty("cards")[0].GetProperty("summary").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain(HookJson.AccessToken, text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("application/json")]
    [InlineData("application/json; charset=utf-8")]
    [InlineData("application/fhir+json")]
    [InlineData("Application/JSON")]
    public async Task GivenAJsonContentType_WhenToxicityIsCalled_Then200(string contentType)
    {
        // Act
        var response = await _client.PostJsonAsync(HookJson.ToxicityPath, HookJson.Toxicity(), contentType);

        // Assert
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var doc = await response.ReadJsonAsync();
        Assert.Single(doc.RootElement.GetProperty("cards").EnumerateArray());
    }

    [Fact]
    public async Task GivenPropertiesInAnyOrderAndResourceTypeLast_WhenToxicityIsCalled_Then200()
    {
        // Arrange: FHIR does not require resourceType first; CDS Hooks does not order members.
        var patient = """{"id":"pat-1","birthDate":"2001-03-04","resourceType":"Patient"}""";
        var body = $$"""
            {"prefetch": {{HookJson.ToxicityPrefetch("patient", patient)}},
             "context": {"patientId":"pat-1","userId":"Practitioner/prac-1"},
             "hookInstance": "{{HookJson.HookInstance}}",
             "hook": "patient-view"}
            """;

        // Act
        var response = await _client.PostJsonAsync(HookJson.ToxicityPath, body);

        // Assert
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var doc = await response.ReadJsonAsync();
        Assert.Contains("CRS grade 4", doc.RootElement.GetProperty("cards")[0].GetProperty("summary").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GivenARequestBuiltFromAPatientBundle_WhenToxicityIsCalled_ThenTheSameCrsGrade4Card()
    {
        // Arrange: the path the CLI and the sandbox take (PatientBundleRequest + CdsJson).
        var bundle = FhirJson.Parse<Bundle>($$"""
            {"resourceType":"Bundle","type":"collection","entry":[
              {"resource":{{HookJson.Patient}}},
              {"resource":{{HookJson.Infusion}}},
              {"resource":{{HookJson.Temperature}}},
              {"resource":{{HookJson.Bipap}}}]}
            """);
        var service = new CdsServiceCatalog().Find(CdsServiceCatalog.ToxicityId)!;
        var request = PatientBundleRequest.Build(service, bundle);
        var body = JsonSerializer.Serialize(request, CdsJson.Request);

        // Act
        var response = await _client.PostJsonAsync(HookJson.ToxicityPath, body);

        // Assert
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var cds = JsonSerializer.Deserialize(await response.Content.ReadAsStringAsync(), CdsJson.Response)!;
        var card = Assert.Single(cds.Cards);
        Assert.Contains("CRS grade 4", card.Summary, StringComparison.Ordinal);
        Assert.Equal(CardIndicator.Critical, card.Indicator);
        var finding = Assert.Single(card.Extension!.Findings!, f => f.Code == "crs-grade");
        Assert.Equal(4m, finding.Value.Number);
        Assert.Equal(["Observation/o2-1", "Observation/temp-1"], finding.Evidence!.Order(StringComparer.Ordinal));
    }
}
