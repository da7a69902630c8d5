using CarTCds.Fhir.Model;
using CarTCds.Hooks.Cards;
using CarTCds.Hooks.Contract;
using CarTCds.Hooks.Facts;
using CarTCds.Hooks.Tests.TestSupport;

namespace CarTCds.Hooks.Tests.Evaluation;

/// <summary><c>CarTCds:Cards:NormalFindings</c>: a normal grade does not take a card of its own
/// (fold, the default; or omit), or does (separate). The findings are the same in every mode.</summary>
public sealed class NormalFindingsTests
{
    private static Task<CdsResponse> PatientView(NormalFindings mode, params Resource[] chart) =>
        ExampleCharts.PatientViewAsync(chart, new CardOptions { NormalFindings = mode });

    private static Resource[] Chart(decimal celsius, int ice, params Resource[] more) =>
    [
        // 14 years old: graded by ICE (CAPD up to 12).
        FhirData.Patient("1999-01-01"),
        FhirData.CarTInfusion("cart", hoursAgo: 72),
        FhirData.Temperature("temp", celsius, hoursAgo: 2),
        FhirData.Score("ice", DataContract.IceScore, ice),
        .. more,
    ];

    private static List<string> Topics(CdsResponse r) => r.Cards.Select(c => c.Source.Topic!.Code!).ToList();

    private static Dictionary<string, string> Findings(CdsResponse r) =>
        r.Cards.SelectMany(c => c.Extension?.Findings ?? []).ToDictionary(f => f.Code, f => f.Value.ToString());

    /// <summary>Day 3, afebrile, ICE 10: no CRS, no ICANS. Fold and omit answer one status card;
    /// separate answers both grade cards. The findings are the same.</summary>
    [Theory]
    [InlineData(NormalFindings.Fold, "No CRS or ICANS by ASTCT criteria in the last 24 h, day 3 (afebrile (max 37.2 °C))", true)]
    [InlineData(NormalFindings.Omit, "No CRS by ASTCT criteria in the last 24 h, day 3 (afebrile (max 37.2 °C))", false)]
    public async Task GivenEveryGradeNormal_WhenFoldedOrOmitted_ThenOneInfoCardStatesTheStatus(NormalFindings mode, string summary, bool statusLine)
    {
        var response = await PatientView(mode, Chart(37.2m, 10));

        var grade = Assert.Single(response.Cards, c => c.Source.Topic!.Code is CrsCardComposer.Topic or IcansCardComposer.Topic);
        Assert.Equal(CrsCardComposer.Topic, grade.Source.Topic!.Code);
        Assert.Equal(CardIndicator.Info, grade.Indicator);
        Assert.Equal(summary, grade.Summary);
        Assert.Equal(statusLine, grade.Detail!.Contains("**Also:** No ICANS by ASTCT criteria in the last 24 h, day 3.", StringComparison.Ordinal));
        Assert.Equal("0", Findings(response)[CrsCardComposer.FindingCode]);
        Assert.Equal("0", Findings(response)[IcansCardComposer.FindingCode]);
        Assert.Equal(["Observation/ice"], grade.Extension!.Findings!.Single(f => f.Code == IcansCardComposer.FindingCode).Evidence!);
    }

    [Fact]
    public async Task GivenEveryGradeNormal_WhenSeparate_ThenEachGradeHasItsCard()
    {
        var response = await PatientView(NormalFindings.Separate, Chart(37.2m, 10));

        Assert.Contains(CrsCardComposer.Topic, Topics(response));
        var icans = Assert.Single(response.Cards, c => c.Source.Topic!.Code == IcansCardComposer.Topic);
        Assert.Equal("No ICANS by ASTCT criteria in the last 24 h, day 3", icans.Summary);
        Assert.Equal("0", Findings(response)[IcansCardComposer.FindingCode]);
    }

    /// <summary>CRS grade 3 (norepinephrine) with no ICANS: the ICANS status is a line on the CRS card,
    /// and its finding travels there.</summary>
    [Fact]
    public async Task GivenCrs3AndNoIcans_WhenFolded_ThenTheCrsCardCarriesTheIcansStatusAndFinding()
    {
        var response = await PatientView(NormalFindings.Fold, Chart(39.5m, 10, FhirData.Administration("norepi", "7512", "in-progress", startedHoursAgo: 3)));

        Assert.DoesNotContain(IcansCardComposer.Topic, Topics(response));
        var crs = response.Cards.Single(c => c.Source.Topic!.Code == CrsCardComposer.Topic);
        Assert.Equal(CardIndicator.Critical, crs.Indicator);
        Assert.StartsWith("CRS grade 3 (ASTCT), day 3", crs.Summary, StringComparison.Ordinal);
        Assert.Contains("\n\n**Also:** No ICANS by ASTCT criteria in the last 24 h, day 3.", crs.Detail, StringComparison.Ordinal);
        Assert.Contains(crs.Extension!.Findings!, f => f.Code == IcansCardComposer.FindingCode && f.Value.Number == 0m);
    }

    /// <summary>No CRS (afebrile) with ICANS grade 2 (ICE 5): the CRS status goes onto the ICANS card,
    /// with the CRS card's "Left out" notes (a weight in stone), so nothing is left out unseen.</summary>
    [Fact]
    public async Task GivenNoCrsAndIcans2_WhenFolded_ThenTheIcansCardCarriesTheCrsStatusFindingsAndLeftOutNotes()
    {
        var weight = FhirData.Weight("weight-st", 4m, "[stone_av]");

        var response = await PatientView(NormalFindings.Fold, Chart(37.2m, 5, weight));

        Assert.DoesNotContain(CrsCardComposer.Topic, Topics(response));
        var icans = response.Cards.Single(c => c.Source.Topic!.Code == IcansCardComposer.Topic);
        Assert.StartsWith("ICANS grade 2 (ASTCT), day 3", icans.Summary, StringComparison.Ordinal);
        Assert.Contains("**Also:** No CRS by ASTCT criteria in the last 24 h, day 3 (afebrile (max 37.2 °C)).", icans.Detail, StringComparison.Ordinal);
        Assert.Contains("- Observation/weight-st: ", icans.Detail, StringComparison.Ordinal);
        Assert.Equal("0", Findings(response)[CrsCardComposer.FindingCode]);
        Assert.Equal("2", Findings(response)[IcansCardComposer.FindingCode]);
    }

    /// <summary>Afebrile on a vasopressor is not normal (a warning to seek another cause): it keeps its card.</summary>
    [Fact]
    public async Task GivenNoCrsButAVasopressor_WhenFolded_ThenTheCrsWarningKeepsItsCard()
    {
        var response = await PatientView(NormalFindings.Fold, Chart(37.2m, 10, FhirData.Administration("norepi", "7512", "in-progress", startedHoursAgo: 3)));

        var crs = response.Cards.Single(c => c.Source.Topic!.Code == CrsCardComposer.Topic);
        Assert.Equal(CardIndicator.Warning, crs.Indicator);
        Assert.Contains("**Also:** No ICANS", crs.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain(IcansCardComposer.Topic, Topics(response));
    }
}
