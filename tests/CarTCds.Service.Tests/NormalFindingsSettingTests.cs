using System.Net;
using System.Text.Json;
using CarTCds.Service.Tests.TestSupport;
using Microsoft.AspNetCore.Hosting;

namespace CarTCds.Service.Tests;

/// <summary><c>CarTCds:Cards:NormalFindings</c> reaches the engine: by default a normal ICANS grade is a
/// status line on the CRS card; with <c>Separate</c> it has its own card (docs/CDS-HOOKS.md "Cards we answer").</summary>
[Collection(CarTCdsServiceCollection.Name)]
public sealed class NormalFindingsSettingTests(CarTCdsWebApplicationFactory factory)
{
    private const string Ice10 = """
        {"resourceType":"Observation","id":"ice-1","status":"final",
         "code":{"coding":[{"system":"http://cartcds.org/fhir/CodeSystem/cartcds","code":"ice-score"}]},
         "subject":{"reference":"Patient/pat-1"},
         "effectiveDateTime":"2013-05-19T10:00:00Z",
         "valueInteger":10}
        """;

    private static string Body() => HookJson.Toxicity(HookJson.ToxicityPrefetch("observations", HookJson.Searchset(HookJson.Temperature, HookJson.Bipap, Ice10)));

    private static async Task<List<(string Topic, string[] Findings)>> CardsAsync(HttpClient client)
    {
        var response = await client.PostJsonAsync(HookJson.ToxicityPath, Body());
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        using var doc = JsonDocument.Parse(text);
        return doc.RootElement.GetProperty("cards").EnumerateArray()
            .Select(c => (c.GetProperty("source").GetProperty("topic").GetProperty("code").GetString()!,
                c.GetProperty("extension").GetProperty("org.cartcds.findings").EnumerateArray().Select(f => f.GetProperty("code").GetString()!).ToArray()))
            .ToList();
    }

    [Theory]
    [InlineData(null, new[] { "crs-grade" })]
    [InlineData("Fold", new[] { "crs-grade" })]
    [InlineData("Separate", new[] { "crs-grade", "icans-grade" })]
    public async Task GivenCrs4AndIce10_WhenTheSettingIs_ThenTheIcansGradeHasACardOnlyWhenSeparate(string? setting, string[] topics)
    {
        using var host = setting is null ? null : factory.WithWebHostBuilder(b => b.UseSetting("CarTCds:Cards:NormalFindings", setting));
        using var client = host?.CreateClient() ?? factory.CreateClient();

        var cards = await CardsAsync(client);

        Assert.Equal(topics, cards.Select(c => c.Topic));
        // The ICANS finding is answered either way.
        Assert.Contains(cards, c => c.Findings.Contains("icans-grade"));
    }
}
