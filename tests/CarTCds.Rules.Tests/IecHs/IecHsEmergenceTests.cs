using CarTCds.Rules.Facts;
using CarTCds.Rules.IecHs;

namespace CarTCds.Rules.Tests.IecHs;

/// <summary>Issue 20 §1 (Hines 2023): IEC-HS features must start or worsen after CRS began
/// improving; cytopenias are compared with the post-lymphodepletion baseline (the count at
/// infusion); a ferritin falling from its CRS peak is CRS resolving, not IEC-HS.</summary>
public sealed class IecHsEmergenceTests
{
    private const double Minute = 1.0 / 60;

    /// <summary>Infusion 192 h ago (day 0 = 2013-05-11, r1). CRS grade 4 on day 6 (39.2 °C + BiPAP
    /// 52 h ago), afebrile on room air on days 7 and 8 (28 h and 4 h ago): CRS began improving at
    /// the start of day 7, 2013-05-18 00:00Z = 36 h ago.</summary>
    private static ClinicalFacts WithCrsImprovingFrom36HoursAgo(Chart labs)
    {
        var lab = labs.Build();
        var now = Chart.Now;
        return new ClinicalFacts
        {
            PatientSource = "Patient/p",
            BirthDate = lab.BirthDate,
            Labs = lab.Labs,
            Infusions = lab.Infusions,
            Temperatures = [new(now.AddHours(-52), 39.2m, "Observation/t1"), new(now.AddHours(-28), 37.0m, "Observation/t2"), new(now.AddHours(-4), 37.0m, "Observation/t3")],
            OxygenDevices = [new(now.AddHours(-52), OxygenDevice.Bipap, "Observation/o1"), new(now.AddHours(-28), OxygenDevice.RoomAir, "Observation/o2"), new(now.AddHours(-4), OxygenDevice.RoomAir, "Observation/o3")],
        };
    }

    private static IecHsAssessment Screen(ClinicalFacts facts) => IecHsScreen.Assess(facts, Chart.Now, RuleSet.Default);

    [Fact]
    public void GivenFerritinFallingFromItsPeakAndNeutrophilsLowSinceLymphodepletion_WhenCrsImproves_ThenNoIecHsFlag()
    {
        var labs = new Chart().Infused(192)      // r1
            .Lab(LabTest.Neutrophils, 3.0m, 240)           // r2: before lymphodepletion
            .Lab(LabTest.Neutrophils, 0.3m, 193)           // r3: at infusion (post-lymphodepletion baseline)
            .Lab(LabTest.Ferritin, 40_000, 50)             // r4: CRS peak, day 6
            .Lab(LabTest.Fibrinogen, 120, 50)              // r5
            .Lab(LabTest.Ferritin, 22_000, 26)             // r6: falling
            .Lab(LabTest.Fibrinogen, 160, 26)              // r7: recovering
            .Lab(LabTest.Neutrophils, 0.2m, 26);           // r8

        var a = Screen(WithCrsImprovingFrom36HoursAgo(labs));

        Assert.False(a.Flag);
        Assert.False(a.IecHs.Met);
        var ferritin = a.IecHs.Criterion(IecHsCriterionKind.IecHsFerritin)!;
        Assert.False(ferritin.Met);
        Assert.Contains("not higher after CRS began improving", ferritin.Description, StringComparison.Ordinal);
        Assert.Equal(["Observation/r6", "Observation/r4"], ferritin.Evidence.Select(e => e.Source));
        var cytopenia = a.IecHs.Criterion(IecHsCriterionKind.IecHsCytopenia)!;
        Assert.False(cytopenia.Met);
        Assert.DoesNotContain(a.Missing, m => m.StartsWith("ferritin", StringComparison.Ordinal) && m.Contains("in the last 72 h", StringComparison.Ordinal));
    }

    [Fact]
    public void GivenFerritinRisingAgainAndANewCytopenia_WhenCrsImproves_ThenIecHsFlagsWithTheBaselineAsEvidence()
    {
        var labs = new Chart().Infused(192)      // r1
            .Lab(LabTest.Platelets, 120, 193)              // r2: at infusion (post-lymphodepletion baseline)
            .Lab(LabTest.Ferritin, 40_000, 50)             // r3: CRS peak
            .Lab(LabTest.Ferritin, 30_000, 30)             // r4: falling as CRS improves
            .Lab(LabTest.Ferritin, 45_000, 6)              // r5: rising again
            .Lab(LabTest.Platelets, 40, 6);                // r6: 67 % below the baseline

        var a = Screen(WithCrsImprovingFrom36HoursAgo(labs));

        Assert.True(a.Flag);
        Assert.Equal([IecHsCriteriaSet.AstctIecHs], a.RaisedBy);
        Assert.Equal(["Observation/r2", "Observation/r6"], a.IecHs.Criterion(IecHsCriterionKind.IecHsCytopenia)!.Evidence.Select(e => e.Source));
        Assert.Contains(a.Evidence, e => e.Source == "Observation/r2" && e.Description.Contains("post-lymphodepletion baseline", StringComparison.Ordinal));
        Assert.Contains(a.Notes, n => n.Contains("only results after 2013-05-18 00:00Z", StringComparison.Ordinal));
    }

    // Ferritin 5,000 ng/mL 46 h ago (before CRS improved, r2); after it (24 h ago, r3) it must be higher.
    [Theory]
    [InlineData(5_000, false)]
    [InlineData(5_001, true)]
    public void GivenFerritinAfterCrsImproved_WhenEqualToOrAboveTheValueBefore_ThenOnlyAHigherValueCounts(int after, bool expected)
    {
        var labs = new Chart().Infused(192)
            .Lab(LabTest.Ferritin, 5_000, 46)              // r2
            .Lab(LabTest.Ferritin, after, 24)              // r3
            .Lab(LabTest.Fibrinogen, 100, 24);             // r4: no earlier fibrinogen → new

        var a = Screen(WithCrsImprovingFrom36HoursAgo(labs));

        Assert.Equal(expected, a.Flag);
        var ferritin = a.IecHs.Criterion(IecHsCriterionKind.IecHsFerritin)!;
        Assert.Equal(expected, ferritin.Met);
        Assert.Contains("Observation/r3", ferritin.Evidence.Select(e => e.Source));
    }

    // Fibrinogen 140 mg/dL 46 h ago (r3); after CRS improved (24 h ago, r5) it must be lower.
    [Theory]
    [InlineData(140, false)]
    [InlineData(139, true)]
    public void GivenFibrinogenAfterCrsImproved_WhenEqualToOrBelowTheValueBefore_ThenOnlyALowerValueCounts(int after, bool expected)
    {
        var labs = new Chart().Infused(192)
            .Lab(LabTest.Ferritin, 5_000, 46)              // r2
            .Lab(LabTest.Fibrinogen, 140, 46)              // r3
            .Lab(LabTest.Ferritin, 8_000, 24)              // r4
            .Lab(LabTest.Fibrinogen, after, 24);           // r5

        var a = Screen(WithCrsImprovingFrom36HoursAgo(labs));

        Assert.Equal(expected, a.Flag);
        var fibrinogen = a.IecHs.Criterion(IecHsCriterionKind.IecHsFibrinogen)!;
        Assert.Equal(expected, fibrinogen.Met);
        Assert.Equal(expected ? ["Observation/r5"] : ["Observation/r5", "Observation/r3"], fibrinogen.Evidence.Select(e => e.Source));
    }

    // CRS began improving exactly 36 h ago; a fibrinogen of 100 then belongs to "before" (it is the
    // value compared with), one minute later it is after.
    [Theory]
    [InlineData(36.0, false)]
    [InlineData(36 - Minute, true)]
    public void GivenAFibrinogenAtTheMomentCrsBeganImproving_WhenScreened_ThenOnlyResultsAfterThatMomentCount(double hoursAgo, bool expected)
    {
        var labs = new Chart().Infused(192)
            .Lab(LabTest.Ferritin, 5_000, 46)              // r2
            .Lab(LabTest.Fibrinogen, 200, 46)              // r3
            .Lab(LabTest.Ferritin, 8_000, 24)              // r4
            .Lab(LabTest.Fibrinogen, 100, hoursAgo);       // r5

        var a = Screen(WithCrsImprovingFrom36HoursAgo(labs));

        Assert.Equal(expected, a.IecHs.Criterion(IecHsCriterionKind.IecHsFibrinogen)!.Met);
        Assert.Equal(expected, a.Flag);
    }

    [Fact]
    public void GivenAFibrinogenExactlyWhenCrsBeganImproving_WhenALaterOneIsLowerThanIt_ThenItIsTheValueComparedWith()
    {
        var labs = new Chart().Infused(192)
            .Lab(LabTest.Ferritin, 5_000, 46)              // r2
            .Lab(LabTest.Fibrinogen, 100, 46)              // r3
            .Lab(LabTest.Fibrinogen, 150, 36)              // r4: exactly when CRS began improving
            .Lab(LabTest.Ferritin, 8_000, 24)              // r5
            .Lab(LabTest.Fibrinogen, 140, 24);             // r6: lower than r4, not than r3

        var a = Screen(WithCrsImprovingFrom36HoursAgo(labs));

        Assert.True(a.IecHs.Criterion(IecHsCriterionKind.IecHsFibrinogen)!.Met);
        Assert.True(a.Flag);
    }

    /// <summary>CRS at its worst on day 5 and still on day 6: it began improving only at the start of
    /// day 7 (36 h ago), so a fibrinogen that fell on day 6 fell during CRS, not after it.</summary>
    [Fact]
    public void GivenCrsStillAtItsWorstTheDayAfterItFirstPeaked_WhenAFibrinogenFellThatDay_ThenItDidNotEmergeAfterImprovement()
    {
        var labs = new Chart().Infused(192)
            .Lab(LabTest.Ferritin, 5_000, 80)              // r2: day 5
            .Lab(LabTest.Fibrinogen, 200, 80)              // r3: day 5
            .Lab(LabTest.Fibrinogen, 100, 40)              // r4: day 6, CRS still grade 4
            .Lab(LabTest.Ferritin, 8_000, 24);             // r5: day 7, rising after improvement
        var facts = WithCrsImprovingFrom36HoursAgo(labs);
        var now = Chart.Now;
        facts = new ClinicalFacts
        {
            PatientSource = facts.PatientSource,
            BirthDate = facts.BirthDate,
            Labs = facts.Labs,
            Infusions = facts.Infusions,
            Temperatures = [new(now.AddHours(-76), 39.4m, "Observation/t0"), .. facts.Temperatures],
            OxygenDevices = [new(now.AddHours(-76), OxygenDevice.Bipap, "Observation/o0"), .. facts.OxygenDevices],
        };

        var a = Screen(facts);

        Assert.True(a.IecHs.Criterion(IecHsCriterionKind.IecHsFerritin)!.Met);
        var fibrinogen = a.IecHs.Criterion(IecHsCriterionKind.IecHsFibrinogen)!;
        Assert.False(fibrinogen.Met);
        Assert.Equal(["Observation/r4"], fibrinogen.Evidence.Select(e => e.Source));
        Assert.False(a.Flag);
    }

    // The value compared with is the latest from [infusion − 30 days, CRS began improving]: a
    // fibrinogen of 140 exactly 30 days before the infusion (912 h ago) still is, so 145 after CRS
    // improved is not lower; a minute older it is not, and 145 < 150 is a new hypofibrinogenaemia.
    [Theory]
    [InlineData(912.0, false)]
    [InlineData(912 - Minute, false)]
    [InlineData(912 + Minute, true)]
    public void GivenTheOnlyEarlierFibrinogenAtTheBaselineWindowStart_WhenScreened_ThenItIsStillTheValueComparedWith(double hoursAgo, bool expected)
    {
        var labs = new Chart().Infused(192)
            .Lab(LabTest.Fibrinogen, 140, hoursAgo)        // r2
            .Lab(LabTest.Ferritin, 5_000, 46)              // r3
            .Lab(LabTest.Ferritin, 8_000, 24)              // r4
            .Lab(LabTest.Fibrinogen, 145, 24);             // r5

        var a = Screen(WithCrsImprovingFrom36HoursAgo(labs));

        var fibrinogen = a.IecHs.Criterion(IecHsCriterionKind.IecHsFibrinogen)!;
        Assert.Equal(expected, fibrinogen.Met);
        Assert.Equal(expected, a.Flag);
        Assert.Equal(expected ? ["Observation/r5"] : ["Observation/r5", "Observation/r2"], fibrinogen.Evidence.Select(e => e.Source));
    }

    // Two fibrinogens drawn at the very moment CRS began improving (36 h ago) are both "before": the
    // lower one is not a fall after improvement.
    [Fact]
    public void GivenTwoFibrinogensAtTheMomentCrsBeganImproving_WhenScreened_ThenNeitherCountsAsAfter()
    {
        var labs = new Chart().Infused(192)
            .Lab(LabTest.Ferritin, 5_000, 46)              // r2
            .Lab(LabTest.Fibrinogen, 200, 36)              // r3
            .Lab(LabTest.Fibrinogen, 100, 36)              // r4
            .Lab(LabTest.Ferritin, 8_000, 24);             // r5

        var a = Screen(WithCrsImprovingFrom36HoursAgo(labs));

        var fibrinogen = a.IecHs.Criterion(IecHsCriterionKind.IecHsFibrinogen)!;
        Assert.False(fibrinogen.Met);
        Assert.False(a.Flag);
        Assert.Equal(["Observation/r3"], fibrinogen.Evidence.Select(e => e.Source));
    }
}
