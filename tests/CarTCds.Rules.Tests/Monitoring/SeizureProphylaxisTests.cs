using CarTCds.Rules.Facts;
using CarTCds.Rules.Monitoring;
using CarTCds.Rules.Orders;
using static CarTCds.Rules.Tests.Monitoring.MonitoringAssert;
using static CarTCds.Rules.Tests.Chart;

namespace CarTCds.Rules.Tests.Monitoring;

public sealed class SeizureProphylaxisTests
{
    private const string Code = MonitoringCodes.SeizureProphylaxis;

    private static Chart Cns3Patient(double infusedDaysAgo = 1) =>
        new Chart().InfusedDaysAgo(infusedDaysAgo, "Procedure/cart").Cns(CnsStatus.Cns3, 60, "Observation/cns");

    [Theory]
    [InlineData(40, 400, false)]
    [InlineData(49.9, 499, false)]
    [InlineData(50, 500, false)]
    [InlineData(50.1, 500, true)]
    [InlineData(60, 500, true)]
    [InlineData(23.45, 234.5, false)]
    [InlineData(8, 80, false)]
    public void GivenAWeight_WhenCns3Disease_ThenTenMgPerKgCappedAt500(double kg, double expectedMg, bool capped)
    {
        var a = Cns3Patient().Weight((decimal)kg, Days(1), "Observation/wt").Assess();

        var item = Item(a, Code);
        Assert.Equal(MonitoringSeverity.Info, item.Severity);
        Assert.Equal((decimal)expectedMg, item.Dose!.DoseMg);
        Assert.Equal(capped, item.Dose.IsCapped);
        Assert.Equal(Drug.Levetiracetam, item.Dose.Drug);
        Assert.Equal(TimeSpan.FromHours(12), item.Dose.Interval);
        Assert.Equal(30, item.Dose.DurationDays);
        Assert.Equal($"Consider levetiracetam {(decimal)expectedMg:0.##} mg q12h for 30 days (10 mg/kg, max 500 mg): CNS3 disease", item.Summary);
        Assert.Equal(["Observation/cns", "Observation/wt", "Procedure/cart"], Sources(item));
        Assert.Empty(item.Missing);
    }

    [Fact]
    public void GivenNoWeight_WhenCns3Disease_ThenNoDoseIsGuessedAndTheWeightIsMissing()
    {
        var a = Cns3Patient().Assess();

        var item = Item(a, Code);
        Assert.Null(item.Dose!.DoseMg);
        Assert.Null(item.Dose.Weight);
        Assert.Equal("Consider levetiracetam 10 mg/kg (max 500 mg) q12h for 30 days (no weight on record): CNS3 disease", item.Summary);
        Assert.Contains("No body weight on record", item.Detail, StringComparison.Ordinal);
        Assert.Contains(item.Missing, m => m.Contains("29463-7", StringComparison.Ordinal));
        Assert.Equal(["Observation/cns", "Procedure/cart"], Sources(item));
    }

    [Fact]
    public void GivenTwoDifferentWeightsAtTheSameTime_WhenDosing_ThenNoDoseAndBothWeightsAreEvidence()
    {
        var a = Cns3Patient().Weight(40m, Days(1), "Observation/wt-a").Weight(44m, Days(1), "Observation/wt-b").Weight(30m, Days(100), "Observation/wt-old").Assess();

        var item = Item(a, Code);
        Assert.Null(item.Dose!.DoseMg);
        Assert.Contains("(conflicting weights)", item.Summary, StringComparison.Ordinal);
        Assert.Equal(["Observation/cns", "Observation/wt-a", "Observation/wt-b", "Procedure/cart"], Sources(item));
    }

    [Fact]
    public void GivenAnOldAndARecentWeight_WhenDosing_ThenTheLatestIsUsed()
    {
        var a = Cns3Patient().Weight(30m, Days(100), "Observation/wt-old").Weight(45m, Days(2), "Observation/wt-new").Assess();

        var item = Item(a, Code);
        Assert.Equal(450m, item.Dose!.DoseMg);
        Assert.Equal("Observation/wt-new", item.Dose.Weight!.Source);
        Assert.False(item.Dose.WeightIsStale);
    }

    [Theory]
    [InlineData(29, false)]
    [InlineData(31, true)]
    public void GivenAWeightSomeDaysOld_WhenDosing_ThenItIsUsedButFlaggedStaleAfterTheOrdersLimit(double daysOld, bool stale)
    {
        var a = Cns3Patient().Weight(40m, Days(daysOld), "Observation/wt").Assess();

        var item = Item(a, Code);
        Assert.Equal(400m, item.Dose!.DoseMg);
        Assert.Equal(stale, item.Dose.WeightIsStale);
        Assert.Equal(stale, item.Missing.Any(m => m.Contains("current body weight", StringComparison.Ordinal)));
        Assert.Contains(item.Evidence, e => e.Source == "Observation/wt" && e.Description.EndsWith(stale ? "(stale)" : "kg", StringComparison.Ordinal));
    }

    [Fact]
    public void GivenAnInstitutionStalenessLimit_WhenTheWeightIs10DaysOld_ThenFlagged()
    {
        var rules = new RuleSet { Version = "local", Orders = new OrderCheckParameters { WeightStaleAfter = TimeSpan.FromDays(7) } };

        var a = Cns3Patient().Weight(40m, Days(10)).Assess(rules);

        Assert.True(Item(a, Code).Dose!.WeightIsStale);
    }

    [Theory]
    [InlineData("running")]
    [InlineData("given 1 h ago")]
    [InlineData("given 71 h ago")]
    [InlineData("given 72 h ago")]
    public void GivenLevetiracetamAlreadyGiven_WhenCns3Disease_ThenNoItem(string how)
    {
        var b = Cns3Patient().Weight(40m, Days(1));
        _ = how switch
        {
            "running" => b.Running(Drug.Levetiracetam, 20),
            "given 1 h ago" => b.Given(Drug.Levetiracetam, 1, 250m),
            "given 71 h ago" => b.Given(Drug.Levetiracetam, 71, 250m),
            _ => b.Given(Drug.Levetiracetam, 72, 250m),
        };

        NoItem(b.Assess(), Code);
    }

    [Fact]
    public void GivenLevetiracetamLastGivenFourDaysAgo_WhenCns3Disease_ThenAdviceReturnsAndNamesTheLastDose()
    {
        var a = Cns3Patient(5).Weight(40m, Days(1), "Observation/wt").Given(Drug.Levetiracetam, 96, 250m, "MedicationAdministration/lev").Assess();

        var item = Item(a, Code);
        Assert.Contains("last given", item.Detail, StringComparison.Ordinal);
        Assert.Equal(["MedicationAdministration/lev", "Observation/cns", "Observation/wt", "Procedure/cart"], Sources(item));
    }

    [Fact]
    public void GivenLevetiracetamChartedInTheFuture_WhenAssessed_ThenItDoesNotCountAsGiven()
    {
        var a = Cns3Patient().Weight(40m, Days(1)).Given(Drug.Levetiracetam, -5, 250m).Assess();

        Item(a, Code);
    }

    [Theory]
    [InlineData(CnsStatus.Cns1, false)]
    [InlineData(CnsStatus.Cns2, true)]
    [InlineData(CnsStatus.Cns3, true)]
    public void GivenACnsStatus_WhenAtRisk_ThenCns2Or3IsCnsDisease(CnsStatus status, bool expected)
    {
        var a = new Chart().InfusedDaysAgo(1, "Procedure/cart").Cns(status, 40, "Observation/cns").Weight(40m, Days(1), "Observation/wt").Assess();

        if (!expected)
        {
            NoItem(a, Code);
            return;
        }
        var item = Item(a, Code);
        Assert.EndsWith($": {status.ToString().ToUpperInvariant()} disease", item.Summary, StringComparison.Ordinal);
        Assert.Equal(["Observation/cns", "Observation/wt", "Procedure/cart"], Sources(item));
    }

    [Fact]
    public void GivenCns3ThatLaterCleared_WhenAtRisk_ThenTheHistoryOfCnsDiseaseStillCounts()
    {
        // Seed 003 patient 2: CNS relapse cleared by intrathecal therapy before CAR-T.
        var a = Cns3Patient().Cns(CnsStatus.Cns1, 10, "Observation/cns-clear").Weight(40m, Days(1)).Assess();

        Assert.Contains(Item(a, Code).Evidence, e => e.Source == "Observation/cns");
    }

    [Fact]
    public void GivenASeizureDisorder_WhenAtRisk_ThenSeizureHistory()
    {
        var a = new Chart().InfusedDaysAgo(1, "Procedure/cart").SeizureDisorder("Condition/epilepsy").Weight(30m, Days(1), "Observation/wt").Assess();

        var item = Item(a, Code);
        Assert.Equal("Consider levetiracetam 300 mg q12h for 30 days (10 mg/kg, max 500 mg): seizure history", item.Summary);
        Assert.Equal(["Condition/epilepsy", "Observation/wt", "Procedure/cart"], Sources(item));
        Assert.Contains(item.Evidence, e => e.Source == "Condition/epilepsy" && e.Time is null);
    }

    [Theory]
    [InlineData(3, true)]
    [InlineData(0.5, false)]
    public void GivenASeizureEvent_WhenBeforeOrAfterInfusion_ThenOnlyAPreInfusionSeizureIsHistory(double seizureDaysAgo, bool expected)
    {
        var a = new Chart().InfusedDaysAgo(1, "Procedure/cart").Seizure(hoursAgo: Days(seizureDaysAgo), id: "Observation/sz").Weight(30m, Days(1), "Observation/wt").Assess();

        if (!expected)
        {
            // A seizure after infusion is ICANS (grade ≥ 3), treated, not prevented.
            NoItem(a, Code);
            return;
        }
        var item = Item(a, Code);
        Assert.EndsWith("seizure history", item.Summary, StringComparison.Ordinal);
        Assert.Equal(["Observation/sz", "Observation/wt", "Procedure/cart"], Sources(item));
    }

    [Fact]
    public void GivenCnsDiseaseAndASeizureDisorder_WhenAtRisk_ThenBothAreNamed()
    {
        var a = Cns3Patient().SeizureDisorder("Condition/epilepsy").Weight(40m, Days(1), "Observation/wt").Assess();

        var item = Item(a, Code);
        Assert.EndsWith(": CNS3 disease and seizure history", item.Summary, StringComparison.Ordinal);
        Assert.Equal(["Condition/epilepsy", "Observation/cns", "Observation/wt", "Procedure/cart"], Sources(item));
    }

    [Theory]
    [InlineData(14, true)]
    [InlineData(14.5, true)]
    [InlineData(14.51, false)]
    [InlineData(15, false)]
    public void GivenCns3Disease_WhenDay14Versus15_ThenOnlyInsideTheAtRiskWindow(double infusedDaysAgo, bool expected)
    {
        var a = Cns3Patient(infusedDaysAgo).Weight(40m, Days(1), "Observation/wt").Assess();

        if (expected) Assert.Equal(["Observation/cns", "Observation/wt", "Procedure/cart"], Sources(Item(a, Code)));
        else NoItem(a, Code);
    }

    [Fact]
    public void GivenNoInfusionButCns3Disease_WhenAssessed_ThenInfoAdviceBeforeThePlannedInfusion()
    {
        var a = new Chart().Cns(CnsStatus.Cns3, 30, "Observation/cns").Weight(20m, Days(2), "Observation/wt").Assess();

        var item = Item(a, Code);
        Assert.Equal(MonitoringSeverity.Info, item.Severity);
        Assert.Equal(200m, item.Dose!.DoseMg);
        Assert.Contains("No CAR-T infusion is on record yet", item.Detail, StringComparison.Ordinal);
        Assert.Equal(["Observation/cns", "Observation/wt"], Sources(item));
        Assert.Single(a.Items);
    }

    [Fact]
    public void GivenNoRiskFactor_WhenAtRisk_ThenNoItem()
    {
        var a = new Chart().InfusedDaysAgo(1).Weight(40m, Days(1)).Assess();

        NoItem(a, Code);
    }

    [Fact]
    public void GivenA60DayInstitutionCourse_WhenAdvised_ThenTheDurationFollows()
    {
        var rules = new RuleSet { Version = "local", Monitoring = new MonitoringParameters { LevetiracetamDays = 60 } };

        var a = Cns3Patient().Weight(40m, Days(1)).Assess(rules);

        var item = Item(a, Code);
        Assert.Equal(60, item.Dose!.DurationDays);
        Assert.Contains("for 60 days", item.Summary, StringComparison.Ordinal);
    }
}
