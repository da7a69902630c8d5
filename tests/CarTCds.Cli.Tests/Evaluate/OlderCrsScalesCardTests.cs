using System.Text.Json.Nodes;

namespace CarTCds.Cli.Tests.Evaluate;

/// <summary>Seed 003 calls patient 1's day 5 "grade 3"; the CRS card shows what each older scale
/// gives beside ASTCT, with its source, so that number can be explained (issue 20 §6).</summary>
public sealed class OlderCrsScalesCardTests
{
    [Fact]
    public async Task GivenPatient1OnDay5_WhenEvaluated_ThenTheCrsCardHasOneLineWithEveryScaleAndTheirSources()
    {
        var (exit, stdout, stderr) = await CliRunner.RunAsync("evaluate", "--service", "cart-toxicity", "--bundle", CliRunner.Example("cart-p1-post-sct-relapse.json"), "--now", "2013-05-12T23:00:00Z");

        Assert.True(exit == 0, stderr);
        var card = JsonNode.Parse(stdout)!["cards"]![0]!;
        var detail = card["detail"]!.GetValue<string>();
        Assert.Contains("**Older scales, same window**: ASTCT 4 · Lee 2014 2–3 · Penn 3–4 · CTCAE v5 3–4\n", detail, StringComparison.Ordinal);
        Assert.Contains("(https://doi.org/10.1182/blood-2014-05-552729)", detail, StringComparison.Ordinal);
        Assert.Contains("(https://doi.org/10.1186/s13045-018-0571-y)", detail, StringComparison.Ordinal);
        Assert.Contains("CTCAE v5.0 (NCI 2017)", detail, StringComparison.Ordinal);
        var lee = card["extension"]!["org.cartcds.findings"]!.AsArray().Single(f => f!["code"]!.GetValue<string>() == "crs-grade-lee2014")!;
        Assert.Equal("2-3", lee["value"]!.GetValue<string>());
        Assert.Contains("MedicationAdministration/p1-norepinephrine-d5-0930", lee["evidence"]!.AsArray().Select(e => e!.GetValue<string>()));
        Assert.Contains(lee["missing"]!.AsArray(), m => m!.GetValue<string>().StartsWith("vasopressor infusion rate", StringComparison.Ordinal));
    }
}
