using System.Text.Json.Nodes;

namespace CarTCds.Cli.Tests.Evaluate;

/// <summary>A referral of an adult no longer gets only "not eligible (age)": the eligibility card
/// assesses every labelled CD19 CAR-T product for B-ALL side by side (issue 20 §6).</summary>
public sealed class ProductOptionsCardTests
{
    private static async Task<JsonNode> CardAsync(string draftOrders, string now)
    {
        var (exit, stdout, stderr) = await CliRunner.RunAsync("evaluate", "--service", "cart-eligibility", "--bundle", CliRunner.Example("cart-e1-age-26.json"),
            "--now", now, "--draft-orders", CliRunner.Example(Path.Combine("draft-orders", draftOrders)));
        Assert.True(exit == 0, stderr);
        return JsonNode.Parse(stdout)!["cards"]![0]!;
    }

    [Fact]
    public async Task GivenAReferralOfA28YearOld_WhenSelected_ThenAWarningNamesBothAdultProductsAndTheTableShowsEachLabelVersion()
    {
        var card = await CardAsync("car-t-referral.json", "2026-12-01T12:00:00Z");

        Assert.Equal("Not eligible for tisagenlecleucel by label (age); eligible by label: brexucabtagene autoleucel, obecabtagene autoleucel", card["summary"]!.GetValue<string>());
        Assert.Equal("warning", card["indicator"]!.GetValue<string>());
        var detail = card["detail"]!.GetValue<string>();
        Assert.Contains("| tisagenlecleucel (Kymriah) | [US PI 12/2025", detail, StringComparison.Ordinal);
        Assert.Contains("| brexucabtagene autoleucel (Tecartus) | [US PI (B-ALL indication approved 2021-10-01)]", detail, StringComparison.Ordinal);
        Assert.Contains("| obecabtagene autoleucel (Aucatzyl) | [US PI 11/2024 (approval 2024-11-08)]", detail, StringComparison.Ordinal);
        var codes = card["extension"]!["org.cartcds.findings"]!.AsArray().Select(f => f!["code"]!.GetValue<string>());
        Assert.Equal(["eligibility", "eligibility-tisagenlecleucel", "eligibility-brexucabtagene-autoleucel", "eligibility-obecabtagene-autoleucel"], codes);
    }

    [Fact]
    public async Task GivenATisagenlecleucelOrderForA28YearOld_WhenSelected_ThenTheCardStaysCriticalButStillNamesTheAdultProducts()
    {
        var card = await CardAsync("tisagenlecleucel.json", "2026-12-01T12:00:00Z");

        Assert.Equal("critical", card["indicator"]!.GetValue<string>());
        Assert.StartsWith("Not eligible for tisagenlecleucel by label (age); eligible by label: brexucabtagene autoleucel", card["summary"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.NotNull(card["overrideReasons"]);
    }
}
