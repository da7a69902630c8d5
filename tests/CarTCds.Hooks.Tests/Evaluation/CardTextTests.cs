using CarTCds.Fhir.Model;
using CarTCds.Hooks.Cards;
using CarTCds.Hooks.Contract;
using CarTCds.Hooks.Facts;
using CarTCds.Hooks.Tests.TestSupport;
using CarTCds.Rules.Management;

namespace CarTCds.Hooks.Tests.Evaluation;

/// <summary>What the clinician reads, at the level of the hook response (docs/CDS-HOOKS.md "Cards we
/// answer"): cards in order of urgency, no phrase said twice, the ferritin suggestion only when no
/// ferritin is recent.</summary>
public sealed class CardTextTests
{
    /// <summary>CRS grade 1 (info) is composed first and ICANS grade 3 (critical) second; the
    /// response lists the critical card first, then warnings, then infos, the CRS card before the
    /// monitoring cards of its level (the order they were composed in).</summary>
    [Fact]
    public async Task GivenCrs1AndIcans3_WhenViewed_ThenCardsComeCriticalThenWarningThenInfo()
    {
        var response = await ExampleCharts.PatientViewAsync([
            FhirData.Patient("2005-01-01"), FhirData.Weight("weight", 26m),
            FhirData.CarTInfusion("cart", hoursAgo: 72),
            FhirData.Temperature("temp", 38.6m, hoursAgo: 2),
            FhirData.Score("ice", DataContract.IceScore, 2)]);

        var indicators = response.Cards.Select(c => CardIndicator.Urgency(c.Indicator)).ToList();
        Assert.Equal(indicators.OrderByDescending(u => u), indicators);
        Assert.Equal("icans-grade", response.Cards[0].Source.Topic!.Code);
        Assert.Equal(CardIndicator.Critical, response.Cards[0].Indicator);
        var infos = response.Cards.Where(c => c.Indicator == CardIndicator.Info).Select(c => c.Source.Topic!.Code).ToList();
        Assert.Equal("crs-grade", infos[0]);
        Assert.True(infos.Count > 1, "the chart should also give an info monitoring card: " + string.Join(", ", infos));
    }

    /// <summary>ICE 0 in an unarousable patient: the encephalopathy domain says "ICE 0, unarousable"
    /// and the consciousness domain "unarousable", both grade 4; the summary says it once.</summary>
    [Fact]
    public async Task GivenIce0AndUnarousable_WhenViewed_ThenTheIcansSummaryNamesUnarousableOnce()
    {
        var response = await ExampleCharts.PatientViewAsync([
            FhirData.Patient("2005-01-01"), FhirData.Weight("weight", 26m),
            FhirData.CarTInfusion("cart", hoursAgo: 72),
            FhirData.Temperature("temp", 37.0m, hoursAgo: 2),
            FhirData.Score("ice", DataContract.IceScore, 0),
            FhirData.Consciousness("loc", "unarousable")]);

        var icans = response.Cards.Single(c => c.Source.Topic!.Code == "icans-grade");
        Assert.Equal("ICANS grade 4 (ASTCT), day 3: ICE 0, unarousable", icans.Summary);
        var finding = icans.Extension!.Findings!.Single(f => f.Code == IcansCardComposer.FindingCode);
        Assert.Equal(["Observation/ice", "Observation/loc"], finding.Evidence!.Order());
    }

    /// <summary>Seed case e5 (carHLH) on day 5 at 23:00, flagged for IEC-HS. Its latest ferritin is
    /// moved to exactly <see cref="ManagementParameters.FerritinRecentWithin"/> (24 h) before the
    /// evaluation and one minute beyond: at 24 h it is recent (no ferritin order offered; the card
    /// names it), one minute later it is not (the order is offered).</summary>
    [Theory]
    [InlineData(0, false)]
    [InlineData(1, true)]
    public async Task GivenTheLatestFerritinAtTheRecentLimit_WhenTheIecHsCardIsComposed_ThenTheFerritinOrderIsOfferedOnlyBeyondIt(int minutesBeyond, bool offered)
    {
        var now = new DateTimeOffset(2022, 3, 13, 23, 0, 0, TimeSpan.Zero);
        var chart = ExampleCharts.Load("cart-e5-carhlh.json");
        // Records after "now" are in the file (the story goes on); the day-6 ferritin must not count.
        chart.Entry!.RemoveAll(e => e.Resource?.Id == "e5-ferritin-d6-0600");
        var latest = ExampleCharts.Resource<Observation>(chart, "e5-ferritin-d5-0600");
        var window = Rules.RuleSet.Default.Management.FerritinRecentWithin;
        latest.EffectiveDateTime = (now - window).AddMinutes(-minutesBeyond).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);

        var response = await ExampleCharts.PatientViewAsync(chart, now);

        var card = response.Cards.Single(c => c.Source.Topic!.Code == "iec-hs");
        Assert.Equal(offered, card.Suggestions?.Any(s => s.Label == "Order ferritin now") == true);
        var management = card.Extension!.Findings!.Single(f => f.Code == ManagementAdviceComposer.IecHsFindingCode);
        Assert.Contains(ManagementCodes.Ferritin, management.Value.Text!, StringComparison.Ordinal);
        if (offered)
        {
            Assert.Contains("No ferritin in the last 24 h: order one to follow the trend.", card.Detail, StringComparison.Ordinal);
        }
        else
        {
            Assert.Contains("Ferritin 38,000 ng/mL resulted 24 h ago (2022-03-12 23:00Z), within 24 h: no new ferritin order suggested.", card.Detail, StringComparison.Ordinal);
            Assert.Contains("Observation/e5-ferritin-d5-0600", management.Evidence!);
        }
    }
}
