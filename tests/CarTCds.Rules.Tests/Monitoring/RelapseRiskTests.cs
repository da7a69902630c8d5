using CarTCds.Rules.Facts;
using CarTCds.Rules.Monitoring;
using static CarTCds.Rules.Tests.Monitoring.MonitoringAssert;
using static CarTCds.Rules.Tests.Chart;

namespace CarTCds.Rules.Tests.Monitoring;

public sealed class RelapseRiskTests
{
    private const string Code = MonitoringCodes.RelapseRisk;
    private const string Infusion = "Procedure/cart";

    private static Chart InfusedDaysAgo(double days) => new Chart().InfusedDaysAgo(days, Infusion);

    [Theory]
    [InlineData(99, false)]
    [InlineData(99.9, false)]
    [InlineData(100, true)]
    [InlineData(250, true)]
    public void GivenOneCd19Count_WhenAtOrAbove100PerMicrolitre_ThenUnconfirmedLossOfBCellAplasia(double count, bool expected)
    {
        var a = InfusedDaysAgo(120).Lab(LabTest.Cd19Count, (decimal)count, Days(2), id: "Observation/cd19").Assess();

        if (!expected)
        {
            NoItem(a, Code);
            return;
        }
        var item = Item(a, Code);
        Assert.Equal(MonitoringSeverity.Warning, item.Severity);
        Assert.Equal($"High relapse risk: B-cell aplasia lost (CD19+ {(decimal)count:0.##}/µL, unconfirmed: repeat to confirm); MRD must detect CD19-negative blasts", item.Summary);
        Assert.Equal(["Observation/cd19", Infusion], Sources(item));
        Assert.Contains("CD19-negative blasts", item.Detail, StringComparison.Ordinal);
        Assert.Equal("https://pmc.ncbi.nlm.nih.gov/articles/PMC9924295", item.Source.Url);
    }

    [Theory]
    [InlineData(0.5, false)]
    [InlineData(1.0, false)]
    [InlineData(1.1, true)]
    [InlineData(12, true)]
    public void GivenOneCd19Percentage_WhenAbove1Percent_ThenUnconfirmedLossOfBCellAplasia(double percent, bool expected)
    {
        var a = InfusedDaysAgo(120).Lab(LabTest.Cd19Percent, (decimal)percent, Days(2), id: "Observation/cd19pct").Assess();

        if (!expected)
        {
            NoItem(a, Code);
            return;
        }
        var item = Item(a, Code);
        Assert.Contains($"(CD19+ {(decimal)percent:0.##} %, unconfirmed: repeat to confirm)", item.Summary, StringComparison.Ordinal);
        Assert.Equal(["Observation/cd19pct", Infusion], Sources(item));
    }

    // Counts in cells/µL, oldest first, one every 20 days ending 2 days ago.
    [Theory]
    [InlineData(new[] { 20.0, 150 }, "unconfirmed: repeat to confirm")]
    [InlineData(new[] { 150.0, 160 }, "confirmed")]
    [InlineData(new[] { 150.0, 20 }, null)]
    [InlineData(new[] { 150.0, 20, 170 }, "unconfirmed: repeat to confirm")]
    [InlineData(new[] { 20.0, 30, 40 }, null)]
    [InlineData(new[] { 150.0, 160, 170 }, "confirmed")]
    public void GivenASeriesOfCounts_WhenAssessed_ThenTwoConsecutiveHighResultsConfirm(double[] counts, string? expected)
    {
        var b = InfusedDaysAgo(150);
        for (var i = 0; i < counts.Length; i++) b.Lab(LabTest.Cd19Count, (decimal)counts[i], Days(2 + (20 * (counts.Length - 1 - i))), id: $"Observation/c{i + 1}");

        var a = b.Assess();

        if (expected is null)
        {
            NoItem(a, Code);
            return;
        }
        var item = Item(a, Code);
        Assert.Contains($"/µL, {expected})", item.Summary, StringComparison.Ordinal);
        var n = counts.Length;
        string[] sources = expected == "confirmed" ? [$"Observation/c{n - 1}", $"Observation/c{n}", Infusion] : [$"Observation/c{n}", Infusion];
        Assert.Equal(sources, Sources(item));
    }

    [Fact]
    public void GivenTwoConsecutiveCountsAtOrAbove100_WhenAssessed_ThenConfirmedAndBothAreEvidence()
    {
        var a = InfusedDaysAgo(120).Lab(LabTest.Cd19Count, 20m, Days(30), id: "Observation/cd19-1")
            .Lab(LabTest.Cd19Count, 100m, Days(14), id: "Observation/cd19-2").Lab(LabTest.Cd19Count, 180m, Days(2), id: "Observation/cd19-3").Assess();

        var item = Item(a, Code);
        Assert.Equal("High relapse risk: B-cell aplasia lost (CD19+ 180/µL, confirmed); MRD must detect CD19-negative blasts", item.Summary);
        Assert.Equal(["Observation/cd19-2", "Observation/cd19-3", Infusion], Sources(item));
        Assert.DoesNotContain("unconfirmed", item.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void GivenACountThenAPercentageBothMeetingTheirThresholds_WhenAssessed_ThenConfirmed()
    {
        var a = InfusedDaysAgo(120).Lab(LabTest.Cd19Percent, 2.5m, Days(14), id: "Observation/pct").Lab(LabTest.Cd19Count, 40m, Days(2), id: "Observation/count").Lab(LabTest.Cd19Percent, 1.5m, Days(2), id: "Observation/pct2").Assess();

        var item = Item(a, Code);
        Assert.Contains("(CD19+ 1.5 %, confirmed)", item.Summary, StringComparison.Ordinal);
        Assert.Equal(["Observation/count", "Observation/pct", "Observation/pct2", Infusion], Sources(item));
    }

    [Fact]
    public void GivenAHighCountFollowedByALowOne_WhenAssessed_ThenNotConfirmedAndNoItem()
    {
        var a = InfusedDaysAgo(120).Lab(LabTest.Cd19Count, 150m, Days(14)).Lab(LabTest.Cd19Count, 10m, Days(2)).Assess();

        NoItem(a, Code);
    }

    [Fact]
    public void GivenAConfirmedLossThenALowCount_WhenAssessed_ThenStillConfirmedAndTheLatestIsShown()
    {
        var a = InfusedDaysAgo(200).Lab(LabTest.Cd19Count, 150m, Days(60), id: "Observation/c1").Lab(LabTest.Cd19Count, 160m, Days(40), id: "Observation/c2").Lab(LabTest.Cd19Count, 30m, Days(2), id: "Observation/c3").Assess();

        var item = Item(a, Code);
        Assert.Contains("confirmed)", item.Summary, StringComparison.Ordinal);
        Assert.Contains("latest result (CD19+ 30/µL) is below the threshold", item.Detail, StringComparison.Ordinal);
        Assert.Equal(["Observation/c1", "Observation/c2", "Observation/c3", Infusion], Sources(item));
    }

    [Theory]
    [InlineData(27.9, false)]
    [InlineData(28, true)]
    public void GivenAHighCountEarlyAfterInfusion_WhenBeforeDay28_ThenNotReadAsLossOfAplasia(double sampleDay, bool expected)
    {
        var a = InfusedDaysAgo(40).Lab(LabTest.Cd19Count, 300m, Days(40 - sampleDay), id: "Observation/cd19").Assess();

        if (expected) Assert.Equal(["Observation/cd19", Infusion], Sources(Item(a, Code)));
        else NoItem(a, Code);
    }

    [Fact]
    public void GivenBCellsBeforeInfusion_WhenAssessed_ThenIgnoredAndBCellsAreMissing()
    {
        var a = InfusedDaysAgo(60).Lab(LabTest.Cd19Count, 500m, Days(70)).Assess();

        NoItem(a, Code);
        Assert.Contains(a.Missing, m => m.Contains("8116-6", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(DiseaseStatus.MrdPositive, "MRD positive")]
    [InlineData(DiseaseStatus.Relapse, "relapse")]
    [InlineData(DiseaseStatus.RefractoryRelapse, "refractory relapse")]
    public void GivenDiseaseAfterInfusion_WhenInTheFirstYear_ThenHighRelapseRisk(DiseaseStatus status, string words)
    {
        var a = InfusedDaysAgo(280).Status(status, 10, "Observation/mrd").Assess();

        var item = Item(a, Code);
        Assert.Equal($"High relapse risk: {words}; MRD must detect CD19-negative blasts", item.Summary);
        Assert.Equal(["Observation/mrd", Infusion], Sources(item));
    }

    [Theory]
    [InlineData(365, true)]
    [InlineData(365.5, true)]
    [InlineData(365.51, false)]
    [InlineData(366, false)]
    public void GivenPositiveMrd_WhenDay365Versus366_ThenOnlyInTheFirstYear(double infusedDaysAgo, bool expected)
    {
        var a = InfusedDaysAgo(infusedDaysAgo).Status(DiseaseStatus.MrdPositive, 5, "Observation/mrd").Assess();

        if (expected) Assert.Equal(["Observation/mrd", Infusion], Sources(Item(a, Code)));
        else NoItem(a, Code);
    }

    [Theory]
    [InlineData(365, true)]
    [InlineData(366, false)]
    public void GivenConfirmedLossOfAplasia_WhenDay365Versus366_ThenOnlyInTheFirstYear(double infusedDaysAgo, bool expected)
    {
        var a = InfusedDaysAgo(infusedDaysAgo).Lab(LabTest.Cd19Count, 200m, Days(20), id: "Observation/c1").Lab(LabTest.Cd19Count, 220m, Days(1), id: "Observation/c2").Assess();

        if (expected) Assert.Equal(["Observation/c1", "Observation/c2", Infusion], Sources(Item(a, Code)));
        else NoItem(a, Code);
    }

    [Fact]
    public void GivenMrdPositiveBeforeInfusion_WhenAssessed_ThenNoItem()
    {
        var a = InfusedDaysAgo(60).Status(DiseaseStatus.MrdPositive, 70).Assess();

        NoItem(a, Code);
    }

    [Fact]
    public void GivenMrdPositiveThenRemission_WhenAssessed_ThenTheLaterRemissionSupersedes()
    {
        var a = InfusedDaysAgo(300).Status(DiseaseStatus.MrdPositive, 60).Status(DiseaseStatus.Remission, 10).Assess();

        NoItem(a, Code);
    }

    [Fact]
    public void GivenSeed003Patient3_WhenMrdPositiveWithCd19NegativeBlastsAtNineMonths_ThenWarningNamesTheCd19NegativeBlasts()
    {
        // Seed 003, patient 3: MRD-positive (0.8 %) with CD19-negative blasts nine months after infusion.
        var a = InfusedDaysAgo(275).Status(DiseaseStatus.MrdPositive, 1, "Observation/mrd").Cd19(Cd19Status.Negative, 1, "Observation/cd19neg").Assess();

        var item = Item(a, Code);
        Assert.Contains("Blasts CD19-negative", item.Detail, StringComparison.Ordinal);
        Assert.Equal(["Observation/cd19neg", "Observation/mrd", Infusion], Sources(item));
    }

    [Fact]
    public void GivenBothLossOfAplasiaAndMrd_WhenAssessed_ThenBothAreNamedWithin140Characters()
    {
        var a = InfusedDaysAgo(200).Lab(LabTest.Cd19Count, 12500m, Days(3), id: "Observation/c1").Status(DiseaseStatus.RefractoryRelapse, 1, "Observation/rel").Assess();

        var item = Item(a, Code);
        Assert.Contains("B-cell aplasia lost", item.Summary, StringComparison.Ordinal);
        Assert.Contains("refractory relapse", item.Summary, StringComparison.Ordinal);
        Assert.Equal(["Observation/c1", "Observation/rel", Infusion], Sources(item));
    }

    [Fact]
    public void GivenNoInfusion_WhenMrdPositive_ThenNoItem()
    {
        var a = new Chart().Status(DiseaseStatus.MrdPositive, 1).Assess();

        NoItem(a, Code);
    }
}
