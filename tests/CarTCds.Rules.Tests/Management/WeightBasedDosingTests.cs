using CarTCds.Rules.Facts;
using CarTCds.Rules.Management;

namespace CarTCds.Rules.Tests.Management;

/// <summary>Every dose rule at its cap: the weight where mg/kg × weight equals the cap, and just above.</summary>
public sealed class WeightBasedDosingTests
{
    private static readonly ManagementParameters P = RuleSet.Default.Management;

    public static TheoryData<Drug, double, double, bool> CapBoundaries() => new()
    {
        { Drug.Dexamethasone, 20.0, 10.0, false },   // 0.5 mg/kg × 20 kg = 10 mg = cap
        { Drug.Dexamethasone, 20.2, 10.0, true },    // 10.1 → 10
        { Drug.Dexamethasone, 19.8, 9.9, false },
        { Drug.Methylprednisolone, 33.3, 999.0, false },
        { Drug.Methylprednisolone, 33.4, 1000.0, true }, // 1,002 → 1,000
        { Drug.Anakinra, 50.0, 100.0, false },
        { Drug.Anakinra, 50.1, 100.0, true },
        { Drug.Ruxolitinib, 20.0, 10.0, false },
        { Drug.Ruxolitinib, 20.2, 10.0, true },
        { Drug.Levetiracetam, 62.5, 2500.0, false },
        { Drug.Levetiracetam, 62.6, 2500.0, true },
        { Drug.Siltuximab, 120.0, 1320.0, false },  // no cap named
    };

    [Theory]
    [MemberData(nameof(CapBoundaries))]
    public void GivenAWeightAtTheCap_WhenDosed_ThenTheCapAppliesOnlyAboveIt(Drug drug, double kg, double expectedMg, bool capped)
    {
        var rule = P.RuleFor(drug)!;

        var (uncapped, dose) = WeightBasedDosing.DoseFor((decimal)kg, rule, P);

        Assert.Equal((decimal)expectedMg, dose);
        Assert.Equal(capped, dose < uncapped);
    }

    public static TheoryData<Drug, double, double> OrderMaxima() => new()
    {
        { Drug.Dexamethasone, 40.0, 20.0 },   // 0.5 × 40 = 20 = absolute max
        { Drug.Dexamethasone, 30.0, 15.0 },
        { Drug.Dexamethasone, 50.0, 20.0 },
        { Drug.Methylprednisolone, 30.0, 900.0 },
        { Drug.Methylprednisolone, 40.0, 1000.0 },
        { Drug.Anakinra, 20.0, 50.0 },
        { Drug.Anakinra, 100.0, 200.0 },
        { Drug.Levetiracetam, 75.0, 4500.0 },
        { Drug.Levetiracetam, 20.0, 1200.0 },
    };

    [Theory]
    [MemberData(nameof(OrderMaxima))]
    public void GivenAWeight_WhenTheOrderMaximumIsComputed_ThenItIsTheLowerOfMgPerKgAndTheAdultMaximum(Drug drug, double kg, double expectedMg)
    {
        Assert.Equal((decimal)expectedMg, WeightBasedDosing.OrderMaximumMg((decimal)kg, P.RuleFor(drug)!, P));
    }

    [Fact]
    public void GivenAStaleWeight_WhenDosed_ThenTheTextSaysReWeigh()
    {
        var now = Chart.Now;
        var facts = new ClinicalFacts { Weights = [new BodyWeight(now.AddDays(-40), 30m, "Observation/w")] };

        var dose = WeightBasedDosing.Compute(Drug.Dexamethasone, P.Dexamethasone, facts, now, now.AddDays(-5), RuleSet.Default);

        Assert.True(dose.WeightIsStale);
        Assert.Equal(10m, dose.DoseMg);
        Assert.Contains("is stale, re-weigh", dose.Text, StringComparison.Ordinal);
        Assert.Equal("Observation/w", Assert.Single(dose.Evidence).Source);
    }

    [Theory]
    [InlineData(20.0, "dexamethasone 10 mg IV every 6 h (0.5 mg/kg × 20 kg; max 10 mg)")]
    [InlineData(20.2, "dexamethasone 10 mg IV every 6 h (0.5 mg/kg × 20.2 kg = 10.1 mg, capped at 10 mg)")]
    public void GivenAWeightAtTheDexamethasoneCap_WhenDosed_ThenTheTextSaysCappedOnlyAboveIt(double kg, string expected)
    {
        var now = Chart.Now;
        var facts = new ClinicalFacts { Weights = [new BodyWeight(now.AddHours(-1), (decimal)kg, "Observation/w")] };

        var dose = WeightBasedDosing.Compute(Drug.Dexamethasone, P.Dexamethasone, facts, now, now.AddDays(-5), RuleSet.Default);

        Assert.Equal(expected, dose.Text);
        Assert.Equal(kg > 20.0, dose.IsCapped);
    }
}
