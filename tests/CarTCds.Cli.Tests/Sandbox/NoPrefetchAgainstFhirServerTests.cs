using System.Net;
using System.Text.Json.Nodes;
using CarTCds.Cli.Tests.Evaluate;
using CarTCds.Hooks.Catalog;

namespace CarTCds.Cli.Tests.Sandbox;

/// <summary>The service called the way an EHR without prefetch calls it — only <c>fhirServer</c> —
/// against a real FHIR server (Medplum, loaded by <c>cartcds sandbox load</c>) gives the same
/// findings as <c>cartcds evaluate</c> with the full prefetch, for every case of
/// profiles/examples/expectations.json.</summary>
[Collection(FhirServerCollection.Name)]
public sealed class NoPrefetchAgainstFhirServerTests(FhirServerFixture server)
{
    public static TheoryData<string, string, string> Cases()
    {
        var data = new TheoryData<string, string, string>();
        foreach (var c in JsonNode.Parse(File.ReadAllText(CliRunner.Example("expectations.json")))!.AsArray())
        {
            data.Add(c!["bundle"]!.GetValue<string>(), c["service"]!.GetValue<string>(), c["now"]!.GetValue<string>());
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task GivenNoPrefetchAndAFhirServer_WhenAHookIsCalled_ThenTheFindingsEqualThoseWithFullPrefetch(string bundle, string service, string now)
    {
        await server.EnsureExamplesLoadedAsync();
        var drafts = service == CdsServiceCatalog.EligibilityId ? CliRunner.Example(Path.Combine("draft-orders", "tisagenlecleucel.json")) : null;
        string[] args = ["evaluate", "--service", service, "--bundle", CliRunner.Example(bundle), "--now", now];
        var (exit, withPrefetch, stderr) = await CliRunner.RunAsync(drafts is null ? args : [.. args, "--draft-orders", drafts]);
        Assert.True(exit == 0, stderr);

        var (status, withoutPrefetch) = await ServiceWithoutPrefetch.PostAsync(service, bundle, drafts, server.BaseUrl, now);

        Assert.True(status == HttpStatusCode.OK, withoutPrefetch);
        var expected = CliRunner.Findings(withPrefetch);
        var actual = CliRunner.Findings(withoutPrefetch);
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), actual.Keys.Order(StringComparer.Ordinal));
        foreach (var (code, value) in expected)
        {
            Assert.True(JsonNode.DeepEquals(value, actual[code]), $"{bundle} at {now}: '{code}' with prefetch {value?.ToJsonString()}, from the FHIR server {actual[code]?.ToJsonString()}");
        }
        // The same records behind each finding: the filtered, date-bounded queries lost none the rules use.
        var expectedEvidence = Evidence(withPrefetch);
        var actualEvidence = Evidence(withoutPrefetch);
        foreach (var (code, evidence) in expectedEvidence)
        {
            Assert.True(JsonNode.DeepEquals(evidence, actualEvidence[code]), $"{bundle} at {now}: '{code}' evidence with prefetch {evidence?.ToJsonString()}, from the FHIR server {actualEvidence[code]?.ToJsonString()}");
        }
        var cards = JsonNode.Parse(withoutPrefetch)!["cards"]!.AsArray();
        Assert.Equal(JsonNode.Parse(withPrefetch)!["cards"]!.AsArray().Count, cards.Count);
        if (service == CdsServiceCatalog.ToxicityId)
        {
            // The data notes travel with the CRS finding (its own card, or the card its normal status is folded into).
            var crs = cards.Single(c => c!["extension"]?["org.cartcds.findings"]?.AsArray().Any(f => f!["code"]!.GetValue<string>() == "crs-grade") == true)!;
            Assert.Contains("read from the FHIR server", crs["detail"]!.GetValue<string>(), StringComparison.Ordinal);
            Assert.Contains("recent records (vitals, neurological scores, labs) from ", crs["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        }
    }

    /// <summary>The evidence of every finding: code → evidence array.</summary>
    private static Dictionary<string, JsonNode?> Evidence(string responseJson)
    {
        var result = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
        foreach (var card in JsonNode.Parse(responseJson)!["cards"]!.AsArray())
        {
            foreach (var f in card!["extension"]?["org.cartcds.findings"]?.AsArray() ?? [])
            {
                result[f!["code"]!.GetValue<string>()] = f["evidence"]?.DeepClone();
            }
        }
        return result;
    }
}
