using CarTCds.Rules.Facts;
using CarTCds.Rules.Orders;
using static CarTCds.Rules.Tests.Chart;

namespace CarTCds.Rules.Tests.Orders;

public sealed class TocilizumabDosingTests
{
    private static readonly DateTimeOffset Now = Chart.EligibilityNow;

    private static TocilizumabDose Compute(Chart b, RuleSet? rules = null) => TocilizumabDosing.Compute(b.Build(), Now, rules ?? RuleSet.Default);

    // Label: < 30 kg 12 mg/kg; ≥ 30 kg 8 mg/kg; max 800 mg per dose.
    [Theory]
    [InlineData(29.9, 12, 358.8, 358.8, false)]
    [InlineData(30.0, 8, 240.0, 240.0, false)]
    [InlineData(8.0, 12, 96.0, 96.0, false)]
    [InlineData(12.345, 12, 148.1, 148.1, false)]
    [InlineData(100.0, 8, 800.0, 800.0, false)]
    [InlineData(100.1, 8, 800.8, 800.0, true)]
    [InlineData(110.0, 8, 880.0, 800.0, true)]
    public void GivenAWeight_WhenComputed_Then12MgPerKgBelow30KgAnd8FromIt_CappedAt800(double kg, int mgPerKg, double uncapped, double dose, bool capped)
    {
        var b = Chart.ForEligibility().Infused(72, "Procedure/cart-infusion").Weight((decimal)kg, 3, "Observation/weight");

        var d = Compute(b);

        Assert.Equal(mgPerKg, d.MgPerKg);
        Assert.Equal((decimal)uncapped, d.UncappedDoseMg);
        Assert.Equal((decimal)dose, d.DoseMg);
        Assert.Equal(capped, d.IsCapped);
        Assert.Equal((decimal)kg, d.WeightKg);
        Assert.Equal("Observation/weight", Assert.Single(d.Evidence).Source);
        Assert.StartsWith($"Tocilizumab {(decimal)dose:0.##} mg IV over 1 h: {mgPerKg} mg/kg × {(decimal)kg:0.##} kg", d.Summary, StringComparison.Ordinal);
        Assert.Contains(mgPerKg == 12 ? "(weight < 30 kg," : "(weight ≥ 30 kg,", d.Summary, StringComparison.Ordinal);
        Assert.Equal(capped, d.Summary.Contains("capped at the 800 mg maximum", StringComparison.Ordinal));
        Assert.Empty(d.Missing);
    }

    [Fact]
    public void GivenNoWeight_WhenComputed_ThenNoDoseAndTheMissingWeightIsSaid()
    {
        var d = Compute(Chart.ForEligibility().Infused(72, "Procedure/cart-infusion"));

        Assert.Null(d.DoseMg);
        Assert.Null(d.MgPerKg);
        Assert.StartsWith("Body weight (LOINC 29463-7) missing: dose not computed", d.Summary, StringComparison.Ordinal);
        Assert.Equal(["body weight (LOINC 29463-7)"], d.Missing);
        Assert.Empty(d.Evidence);
    }

    [Fact]
    public void GivenAnOlderAndANewerWeightAndOneAfterTheEvaluationTime_WhenComputed_ThenTheLatestUpToNowIsUsed()
    {
        var b = Chart.ForEligibility().Weight(25m, 240, "Observation/w-old").Weight(31m, 20, "Observation/w-latest").Weight(20m, -2, "Observation/w-future");

        var d = Compute(b);

        Assert.Equal(31m, d.WeightKg);
        Assert.Equal(248m, d.DoseMg);
        Assert.Equal("Observation/w-latest", Assert.Single(d.Evidence).Source);
    }

    [Theory]
    [InlineData(30 * 24, false)]
    [InlineData((30 * 24) + 1, true)]
    public void GivenAWeightAroundThe30DayLimit_WhenComputed_ThenAnOlderOneIsStaleButStillUsed(double hoursAgo, bool stale)
    {
        var d = Compute(Chart.ForEligibility().Weight(20m, hoursAgo, "Observation/weight"));

        Assert.Equal(240m, d.DoseMg);
        Assert.Equal(stale, d.WeightIsStale);
        Assert.Equal(stale, d.Notes.Any(n => n.Contains("re-weigh", StringComparison.Ordinal)));
        Assert.Equal("Observation/weight", Assert.Single(d.Evidence).Source);
    }

    [Fact]
    public void GivenTwoDifferentWeightsAtTheSameLatestTime_WhenComputed_ThenNoDoseIsGuessed()
    {
        var d = Compute(Chart.ForEligibility().Weight(28m, 5, "Observation/w-a").Weight(62m, 5, "Observation/w-b"));

        Assert.Null(d.DoseMg);
        Assert.StartsWith("Conflicting body weights", d.Summary, StringComparison.Ordinal);
        Assert.Equal(["Observation/w-a", "Observation/w-b"], d.Evidence.Select(e => e.Source));
        Assert.Single(d.Missing);
    }

    [Fact]
    public void GivenA20MgRoundingStep_WhenComputed_ThenTheDoseIsRoundedToIt()
    {
        var rules = new RuleSet { Orders = new OrderCheckParameters { TocilizumabDoseRoundingMg = 20m } };

        var d = Compute(Chart.ForEligibility().Weight(29.9m), rules);

        Assert.Equal(360m, d.DoseMg);
    }

    // Label: at least 8 h between doses; exactly 8 h is allowed.
    [Theory]
    [InlineData(7 * 60 + 59, false)]
    [InlineData(8 * 60, true)]
    [InlineData(8 * 60 + 1, true)]
    public void GivenOneDoseGiven_WhenAroundEightHoursAgo_ThenTheNextIsAllowedFromExactly8Hours(int minutesAgo, bool allowed)
    {
        var b = Chart.ForEligibility().Infused(96, "Procedure/cart-infusion").Weight(20m).Given(Drug.Tocilizumab, Minutes(minutesAgo), 240m, "MedicationAdministration/toci-1");

        var d = Compute(b);

        Assert.Equal(allowed, d.NextDoseAllowedNow);
        var given = Assert.Single(d.DosesGiven);
        Assert.Equal("MedicationAdministration/toci-1", given.Source);
        Assert.Equal(allowed ? Now : Now - TimeSpan.FromMinutes(minutesAgo) + TimeSpan.FromHours(8), d.NextDoseEarliest);
        if (!allowed)
        {
            var limit = Assert.Single(d.Limits);
            Assert.Equal("min-interval", limit.Rule);
            Assert.Contains("7 h 59 min ago", limit.Text, StringComparison.Ordinal);
            Assert.Equal("MedicationAdministration/toci-1", Assert.Single(limit.Evidence).Source);
        }
        Assert.Contains(d.Evidence, e => e.Source == "MedicationAdministration/toci-1" && e.Description.StartsWith("tocilizumab 240 mg given", StringComparison.Ordinal));
        Assert.EndsWith(allowed ? " A dose is allowed now." : " Next dose not before 2026-05-19 12:01Z.", d.Summary, StringComparison.Ordinal);
    }

    // Label: at most 4 doses in total (first plus up to 3 more).
    [Theory]
    [InlineData(3, true)]
    [InlineData(4, false)]
    public void GivenDosesOnSeparateDays_WhenThreeOrFourGivenSinceInfusion_ThenFourIsTheMaximum(int doses, bool allowed)
    {
        var b = Chart.ForEligibility().Infused(10 * 24, "Procedure/cart-infusion").Weight(40m);
        for (var i = 0; i < doses; i++) b.Given(Drug.Tocilizumab, 30 + (i * 30), 320m, $"MedicationAdministration/toci-{i}");

        var d = Compute(b);

        Assert.Equal(allowed, d.NextDoseAllowedNow);
        Assert.Equal(doses, d.DosesGiven.Count);
        Assert.Equal(0, d.DosesInLast24h);
        if (allowed) Assert.Equal(Now, d.NextDoseEarliest);
        else
        {
            Assert.Null(d.NextDoseEarliest);
            var limit = Assert.Single(d.Limits);
            Assert.Equal("max-total", limit.Rule);
            Assert.Equal(Enumerable.Range(0, 4).Select(i => $"MedicationAdministration/toci-{i}").Order(StringComparer.Ordinal), limit.Evidence.Select(e => e.Source).Order(StringComparer.Ordinal));
            Assert.Contains("No further dose", d.Summary, StringComparison.Ordinal);
        }
    }

    // ASCO: at most 3 doses in 24 h; a dose exactly 24 h ago no longer counts.
    [Theory]
    [InlineData(new double[] { 20, 10 }, true, 2)]
    [InlineData(new double[] { 23.5, 15.5, 8 }, false, 3)]
    [InlineData(new double[] { 24, 16, 8 }, true, 2)]
    public void GivenDosesInTheLast24Hours_WhenTwoOrThree_ThenThreeBlocksUntilTheOldestDropsOut(double[] hoursAgo, bool allowed, int in24h)
    {
        var b = Chart.ForEligibility().Infused(5 * 24, "Procedure/cart-infusion").Weight(40m);
        for (var i = 0; i < hoursAgo.Length; i++) b.Given(Drug.Tocilizumab, hoursAgo[i], 320m, $"MedicationAdministration/toci-{i}");

        var d = Compute(b);

        Assert.Equal(allowed, d.NextDoseAllowedNow);
        Assert.Equal(in24h, d.DosesInLast24h);
        if (!allowed)
        {
            var limit = Assert.Single(d.Limits);
            Assert.Equal("max-per-24h", limit.Rule);
            Assert.Equal(Now.AddMinutes(30), limit.LiftsAt);
            Assert.Equal(Now.AddMinutes(30), d.NextDoseEarliest);
            Assert.Equal(["MedicationAdministration/toci-0", "MedicationAdministration/toci-1", "MedicationAdministration/toci-2"], limit.Evidence.Select(e => e.Source));
        }
    }

    [Fact]
    public void GivenFourDosesIn24HoursUnderLocalLimits_WhenComputed_ThenTheNextWaitsUntilTwoHaveDroppedOut()
    {
        // Institution: 4 h interval, 6 in total, 3 in 24 h. Doses 20, 14, 8 and 4 h ago: the two
        // oldest must leave the 24-h window, so the next is allowed 24 h after the one 14 h ago.
        var rules = new RuleSet { Orders = new OrderCheckParameters { TocilizumabMinInterval = TimeSpan.FromHours(4), TocilizumabMaxDosesTotal = 6 } };
        var b = Chart.ForEligibility().Infused(3 * 24, "Procedure/cart-infusion").Weight(40m);
        foreach (var h in new[] { 20, 14, 8, 4 }) b.Given(Drug.Tocilizumab, h, 320m, $"MedicationAdministration/toci-{h}h");

        var d = Compute(b, rules);

        var limit = Assert.Single(d.Limits);
        Assert.Equal("max-per-24h", limit.Rule);
        Assert.Equal(Now.AddHours(10), limit.LiftsAt);
        Assert.Equal(Now.AddHours(10), d.NextDoseEarliest);
        Assert.Equal(4, limit.Evidence.Count);
    }

    [Fact]
    public void GivenDosesBeforeTheLatestInfusion_WhenComputed_ThenOnlyDosesSinceItCount()
    {
        var b = Chart.ForEligibility().Weight(40m)
            .Given(Drug.Tocilizumab, 60 * 24, id: "MedicationAdministration/previous-course")
            .Infused(10 * 24, "Procedure/cart-infusion")
            .Given(Drug.Tocilizumab, 48, id: "MedicationAdministration/this-course");

        var d = Compute(b);

        Assert.Equal("MedicationAdministration/this-course", Assert.Single(d.DosesGiven).Source);
        Assert.Equal(Now.AddHours(-10 * 24), d.CourseStart);
    }

    [Fact]
    public void GivenNoInfusionOnRecord_WhenComputed_ThenDosesOfTheLast30DaysCountWithANote()
    {
        var b = Chart.ForEligibility().Weight(40m).Given(Drug.Tocilizumab, 31 * 24, id: "MedicationAdministration/old").Given(Drug.Tocilizumab, 48, id: "MedicationAdministration/recent");

        var d = Compute(b);

        Assert.Equal("MedicationAdministration/recent", Assert.Single(d.DosesGiven).Source);
        Assert.Contains(d.Notes, n => n.StartsWith("No CAR-T infusion on record", StringComparison.Ordinal));
    }

    [Fact]
    public void GivenADoseRecordedAfterTheEvaluationTime_WhenComputed_ThenItIsIgnored()
    {
        var b = Chart.ForEligibility().Infused(48, "Procedure/cart-infusion").Weight(40m).Given(Drug.Tocilizumab, -1, id: "MedicationAdministration/future");

        var d = Compute(b);

        Assert.Empty(d.DosesGiven);
        Assert.True(d.NextDoseAllowedNow);
    }

    // Doses of this course: from the infusion (48 h ago) up to now, both instants included.
    [Theory]
    [InlineData(48.0, true)]
    [InlineData(48 + (1.0 / 60), false)]
    [InlineData(0.0, true)]
    [InlineData(-1.0 / 60, false)]
    public void GivenADoseAtTheEdgeOfTheCourse_WhenComputed_ThenOnlyDosesFromTheInfusionUpToNowCount(double hoursAgo, bool counted)
    {
        var b = Chart.ForEligibility().Infused(48, "Procedure/cart-infusion").Weight(40m).Given(Drug.Tocilizumab, hoursAgo, 320m, "MedicationAdministration/toci");

        var d = Compute(b);

        Assert.Equal(counted ? ["MedicationAdministration/toci"] : [], d.DosesGiven.Select(g => g.Source));
        Assert.Equal(counted, d.Evidence.Any(e => e.Source == "MedicationAdministration/toci"));
    }
}
