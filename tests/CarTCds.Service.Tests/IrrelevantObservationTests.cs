using System.Net;
using System.Text.Json;
using CarTCds.Service.Tests.TestSupport;

namespace CarTCds.Service.Tests;

/// <summary>Issue 17 ("a malformed element that no rule reads never rejects the call") and issue 21
/// (read only what the rules need): an Observation whose code is outside the data contract is skipped
/// unread, so a malformed element in it no longer gives a 400; the same fault in an Observation a rule
/// reads still does, with the same expression (docs/CDS-HOOKS.md "Reading the request").</summary>
[Collection(CarTCdsServiceCollection.Name)]
public sealed class IrrelevantObservationTests(CarTCdsWebApplicationFactory factory)
{
    private readonly HttpClient _client = factory.CreateClient();

    /// <summary>A heart rate of pat-1 (LOINC 8867-4, read by no rule) with <paramref name="members"/> appended.</summary>
    private static string HeartRate(string members) => $$"""
        {"resourceType":"Observation","id":"hr-1","status":"final",
         "code":{"coding":[{"system":"http://loinc.org","code":"8867-4"}]},
         "subject":{"reference":"Patient/pat-1"},"effectiveDateTime":"2013-05-19T08:00:00Z",
         "valueQuantity":{"value":128,"unit":"/min","system":"http://unitsofmeasure.org","code":"/min"}{{members}}}
        """;

    /// <summary>The same members appended to a temperature (LOINC 8310-5, read by the CRS rules).</summary>
    private static string Temperature(string members) => $$"""
        {"resourceType":"Observation","id":"temp-2","status":"final",
         "code":{"coding":[{"system":"http://loinc.org","code":"8310-5"}]},
         "subject":{"reference":"Patient/pat-1"},"effectiveDateTime":"2013-05-19T06:00:00Z",
         "valueQuantity":{"value":37.2,"unit":"°C","system":"http://unitsofmeasure.org","code":"Cel"}{{members}}}
        """;

    private static string WithObservation(string observation) =>
        HookJson.Toxicity(HookJson.ToxicityPrefetch("observations", HookJson.Searchset(HookJson.Temperature, HookJson.Bipap, observation)));

    private static async Task<List<(string? Summary, string? Detail)>> CardsAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"HTTP {(int)response.StatusCode}: {body}");
        using var doc = JsonDocument.Parse(body);
        return doc.RootElement.GetProperty("cards").EnumerateArray()
            .Select(c => (c.GetProperty("summary").GetString(), c.TryGetProperty("detail", out var d) ? d.GetString() : null)).ToList();
    }

    /// <summary>Members that the whole read refuses (a strict element ill-typed, a duplicate), and the
    /// element its 400 names.</summary>
    public static TheoryData<string, string> Faults() => new()
    {
        { ",\"status\":7", "status" },
        { ",\"effectiveDateTime\":20130519", "effectiveDateTime" },
        { ",\"valueInteger\":\"fast\"", "valueInteger" },
        { ",\"meta\":\"v1\"", "meta" },
        { ",\"referenceRange\":[{\"high\":{\"value\":\"140\"}}]", "referenceRange[0].high.value" },
        { ",\"status\":\"amended\"", "status" },
    };

    [Theory]
    [MemberData(nameof(Faults))]
    public async Task GivenAMalformedElementInAnObservationNoRuleReads_WhenToxicityIsCalled_Then200WithTheCardsOfTheWellFormedChart(string fault, string member)
    {
        // Arrange
        var wellFormed = await CardsAsync(await _client.PostJsonAsync(HookJson.ToxicityPath, WithObservation(HeartRate(""))));

        // Act
        var response = await _client.PostJsonAsync(HookJson.ToxicityPath, WithObservation(HeartRate(fault)));

        // Assert
        var cards = await CardsAsync(response);
        Assert.NotEmpty(cards);
        Assert.Equal(wellFormed, cards);
        Assert.DoesNotContain(cards, c => c.Detail?.Contains(member, StringComparison.Ordinal) == true && c.Detail.Contains("hr-1", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Faults))]
    public async Task GivenTheSameElementMalformedInAnObservationARuleReads_WhenToxicityIsCalled_Then400AtItsExpression(string fault, string member)
    {
        // Act
        var response = await _client.PostJsonAsync(HookJson.ToxicityPath, WithObservation(Temperature(fault)));

        // Assert
        await response.AssertOperationOutcomeAsync(HttpStatusCode.BadRequest, "structure", $"prefetch.observations.entry[2].resource.{member}",
            "The request body is not valid CDS Hooks JSON at prefetch.observations.entry[2].resource." + member);
    }

    [Fact]
    public async Task GivenInvalidJsonInsideAnObservationNoRuleReads_WhenToxicityIsCalled_Then400Structure()
    {
        // Act
        var response = await _client.PostJsonAsync(HookJson.ToxicityPath, WithObservation(HeartRate(",\"note\":[{\"text\":\"a\" \"b\"}]")));

        // Assert: where the reader stopped, as before the skip existed (the Bundle read again reports it).
        await response.AssertOperationOutcomeAsync(HttpStatusCode.BadRequest, "structure", "prefetch.observations",
            "The request body is not valid CDS Hooks JSON at prefetch.observations (line 5, byte 125): Bundle: '\"' is invalid after a value.");
    }

    [Fact]
    public async Task GivenAnotherPatientsObservationNoRuleReads_WhenToxicityIsCalled_Then400WrongPatient()
    {
        // Act
        var response = await _client.PostJsonAsync(HookJson.ToxicityPath, WithObservation(HeartRate("").Replace("Patient/pat-1", "Patient/pat-2", StringComparison.Ordinal)));

        // Assert
        await response.AssertOperationOutcomeAsync(HttpStatusCode.BadRequest, "invalid", "prefetch.observations.entry[2]",
            "entry Observation/hr-1 belongs to another patient (Patient/pat-2)");
    }
}
