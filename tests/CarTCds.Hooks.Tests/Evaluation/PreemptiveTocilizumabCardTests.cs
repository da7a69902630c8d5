using CarTCds.Fhir.Model;
using CarTCds.Fhir.Serialization;
using CarTCds.Hooks.Cards;
using CarTCds.Hooks.Catalog;
using CarTCds.Hooks.Contract;
using CarTCds.Hooks.Evaluation;
using CarTCds.Rules;
using CarTCds.Rules.Crs;

namespace CarTCds.Hooks.Tests.Evaluation;

/// <summary>Seed patient 1 (62 % marrow blasts 11 days before infusion) at a site that follows the
/// risk-adapted pre-emptive tocilizumab protocol (Kadauke et al. 2021; issue 20 §6).</summary>
public sealed class PreemptiveTocilizumabCardTests
{
    private static Bundle Patient1()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "CarTCds.sln"))) dir = dir.Parent;
        return (Bundle)FhirJson.Parse(File.ReadAllBytes(Path.Combine(dir!.FullName, "profiles", "examples", "cart-p1-post-sct-relapse.json")));
    }

    private static async Task<Card> CrsCardAsync(string now, bool enabled)
    {
        var rules = enabled ? new RuleSet { Version = "1.0.0-site", PreemptiveTocilizumab = new PreemptiveTocilizumabParameters { Enabled = true } } : RuleSet.Default;
        var engine = CdsEngine.Create(new FixedTimeProvider(DateTimeOffset.Parse(now, System.Globalization.CultureInfo.InvariantCulture)), rules);
        var service = engine.Catalog.Find(CdsServiceCatalog.ToxicityId)!;
        var result = await engine.EvaluateAsync(service.Id, PatientBundleRequest.Build(service, Patient1()), CancellationToken.None);
        Assert.Null(result.Error);
        return result.Response!.Cards.Single(c => c.Source.Topic!.Code == "crs-grade");
    }

    [Fact]
    public async Task GivenTheProtocolOnAndTwoFeversAbove38Point5_WhenDay5At07_ThenTheCardLeadsWithTheDueDoseAndNamesTheMarrowResult()
    {
        var card = await CrsCardAsync("2013-05-12T07:00:00Z", enabled: true);

        Assert.StartsWith("Pre-emptive tocilizumab due (high tumour burden, persistent fever) · CRS grade 2 (ASTCT), day 5", card.Summary, StringComparison.Ordinal);
        Assert.Contains("marrow blasts 62 % on 2013-04-26 09:00Z (before the infusion on 2013-05-07 10:00Z)", card.Detail, StringComparison.Ordinal);
        Assert.Contains("Kadauke et al. J Clin Oncol 2021;39:920; NCT02906371", card.Detail, StringComparison.Ordinal);
        var finding = Assert.Single(card.Extension!.Findings!, f => f.Code == PreemptiveTocilizumabSection.FindingCode);
        Assert.Equal("high-burden-dose-due", finding.Value.Text);
        Assert.Contains("Observation/p1-marrow-blasts-2013-04-26", finding.Evidence!);
        Assert.NotNull(card.Suggestions);
        Assert.Contains(card.Suggestions!, s => s.Label.StartsWith("Order tocilizumab 416 mg IV", StringComparison.Ordinal));
    }

    [Fact]
    public async Task GivenTheDefaultRuleSet_WhenDay5At07_ThenNoProtocolTextAndNoFinding()
    {
        var card = await CrsCardAsync("2013-05-12T07:00:00Z", enabled: false);

        Assert.StartsWith("CRS grade 2 (ASTCT)", card.Summary, StringComparison.Ordinal);
        Assert.DoesNotContain("pre-emptive", card.Detail, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(card.Extension!.Findings!, f => f.Code == PreemptiveTocilizumabSection.FindingCode);
    }

    [Fact]
    public async Task GivenTheProtocolOnAfterTocilizumab_WhenDay5At23_ThenTheSingleDoseIsUsed()
    {
        var card = await CrsCardAsync("2013-05-12T23:00:00Z", enabled: true);

        Assert.Equal("high-burden-dose-given", Assert.Single(card.Extension!.Findings!, f => f.Code == PreemptiveTocilizumabSection.FindingCode).Value.Text);
        Assert.StartsWith("CRS grade 4", card.Summary, StringComparison.Ordinal);
    }
}
