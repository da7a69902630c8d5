using CarTCds.Rules.Facts;
using CarTCds.Rules.IecHs;

namespace CarTCds.Rules.Tests.IecHs;

/// <summary>Exact boundaries of every carHLH / IEC-HS comparison (k × ULN, k × baseline, limits and
/// windows): exactly k on one side, just past it on the other, so that a <c>&gt;</c>→<c>&gt;=</c>
/// mutation fails a row. No CRS data: the IEC-HS timing rule is not in play here.</summary>
public sealed class IecHsBoundaryTests
{
    private const double Minute = 1.0 / 60;

    private static IecHsAssessment Screen(Chart b, RuleSet? rules = null) =>
        IecHsScreen.Assess(b.Build(), Chart.Now, rules ?? RuleSet.Default);

    // IEC-HS ferritin > 2 × laboratory ULN 300 = 600.
    [Theory]
    [InlineData(600, false)]
    [InlineData(601, true)]
    public void GivenFerritinAt2TimesUln_WhenScreened_ThenOnlyAboveItIsRaised(int ferritin, bool expected)
    {
        var b = new Chart().Infused(120).Lab(LabTest.Ferritin, ferritin, 24, 300).Lab(LabTest.Fibrinogen, 100, 24); // r2, r3

        var a = Screen(b);

        var c = a.IecHs.Criterion(IecHsCriterionKind.IecHsFerritin)!;
        Assert.Equal(expected, c.Met);
        Assert.Equal(expected, a.Flag);
        Assert.Equal(["Observation/r2"], c.Evidence.Select(e => e.Source));
    }

    // Baseline 900 above ULN 300: > 2 × baseline = 1,800 (the higher of ULN and baseline, default).
    [Theory]
    [InlineData(1_800, false)]
    [InlineData(1_801, true)]
    public void GivenFerritinAt2TimesABaselineAboveUln_WhenScreened_ThenOnlyAboveItIsRaised(int ferritin, bool expected)
    {
        var b = new Chart().Infused(120).Lab(LabTest.Ferritin, 900, 130, 300).Lab(LabTest.Ferritin, ferritin, 24, 300).Lab(LabTest.Fibrinogen, 100, 24);

        var a = Screen(b);

        var c = a.IecHs.Criterion(IecHsCriterionKind.IecHsFerritin)!;
        Assert.Equal(expected, c.Met);
        Assert.Equal(["Observation/r3", "Observation/r2"], c.Evidence.Select(e => e.Source));
    }

    // Either reading: ULN 1,000 (2 × = 2,000), baseline 200 (2 × = 400): > 400 suffices, up to and including 2,000.
    [Theory]
    [InlineData(400, false)]
    [InlineData(401, true)]
    [InlineData(2_000, true)]
    public void GivenTheEitherReading_WhenFerritinIsAt2TimesBaselineOr2TimesUln_ThenAboveEitherIsRaised(int ferritin, bool expected)
    {
        var rules = new RuleSet { IecHs = new IecHsParameters { FerritinAgainstHigherOfUlnAndBaseline = false } };
        var b = new Chart().Infused(120).Lab(LabTest.Ferritin, 200, 130, 1_000).Lab(LabTest.Ferritin, ferritin, 24, 1_000).Lab(LabTest.Fibrinogen, 100, 24);

        var a = Screen(b, rules);

        Assert.Equal(expected, a.IecHs.Criterion(IecHsCriterionKind.IecHsFerritin)!.Met);
    }

    // Rapid rise: 350 → 700 (2 ×) counts within 48 h, not 48 h + 1 min apart (laboratory ULN 1,000).
    [Theory]
    [InlineData(48.0, true)]
    [InlineData(48 + Minute, false)]
    public void GivenFerritinDoubling_WhenTheEarlierValueIsExactly48HoursBefore_ThenItIsStillRapid(double hoursBefore, bool expected)
    {
        var b = new Chart().Infused(120).Lab(LabTest.Ferritin, 350, 10 + hoursBefore, 1_000).Lab(LabTest.Ferritin, 700, 10, 1_000).Lab(LabTest.Fibrinogen, 100, 10);

        var a = Screen(b);

        var c = a.IecHs.Criterion(IecHsCriterionKind.IecHsFerritin)!;
        Assert.Equal(expected, c.Met);
        if (expected) Assert.Equal(["Observation/r3", "Observation/r2", "Observation/r3"], c.Evidence.Select(e => e.Source));
    }

    // IEC-HS transaminitis: ALT or AST > 5 × laboratory ULN 40 = 200.
    [Theory]
    [InlineData(LabTest.Alt, 200, false)]
    [InlineData(LabTest.Alt, 201, true)]
    [InlineData(LabTest.Ast, 200, false)]
    [InlineData(LabTest.Ast, 201, true)]
    public void GivenATransaminaseAt5TimesUln_WhenScreened_ThenOnlyAboveItIsTransaminitis(LabTest test, int value, bool expected)
    {
        var b = new Chart().Infused(120).Lab(LabTest.Ferritin, 2_000, 24, 300).Lab(test, value, 24, 40);

        var a = Screen(b);

        var c = a.IecHs.Criterion(IecHsCriterionKind.IecHsTransaminases)!;
        Assert.Equal(expected, c.Met);
        Assert.Equal(expected, a.Flag);
        Assert.Equal(["Observation/r3"], c.Evidence.Select(e => e.Source));
    }

    // CARTOX hepatic: ALT > 5 × ULN 40 = 200 or bilirubin > 3 × ULN 1.2 = 3.6; renal criterion met by creatinine 4.0 (ULN 1.0).
    [Theory]
    [InlineData(LabTest.Alt, 200.0, false)]
    [InlineData(LabTest.Alt, 201.0, true)]
    [InlineData(LabTest.Bilirubin, 3.6, false)]
    [InlineData(LabTest.Bilirubin, 3.61, true)]
    public void GivenCarHlhFerritinAndRenalCriterion_WhenTheHepaticValueIsAtItsMultipleOfUln_ThenOnlyAboveItCounts(LabTest test, double value, bool expected)
    {
        var uln = test == LabTest.Alt ? 40m : 1.2m;
        var b = new Chart().Infused(120).Lab(LabTest.Ferritin, 20_000, 100).Lab(LabTest.Creatinine, 4.0m, 100, 1.0m).Lab(test, (decimal)value, 100, uln);

        var a = Screen(b);

        var c = a.CarHlh.Criterion(IecHsCriterionKind.CarHlhHepatic)!;
        Assert.Equal(expected, c.Met);
        Assert.Equal(expected, a.CarHlh.Met);
        if (expected) Assert.Equal(["Observation/r4"], c.Evidence.Select(e => e.Source));
    }

    // CARTOX renal: creatinine > 3 × ULN 1.0 = 3.0 (no baseline).
    [Theory]
    [InlineData(3.0, false)]
    [InlineData(3.01, true)]
    public void GivenCreatinineAt3TimesUln_WhenScreened_ThenOnlyAboveItIsGrade3(double creatinine, bool expected)
    {
        var b = new Chart().Infused(120).Lab(LabTest.Ferritin, 20_000, 100).Lab(LabTest.Alt, 250, 100, 40).Lab(LabTest.Creatinine, (decimal)creatinine, 100, 1.0m);

        var a = Screen(b);

        Assert.Equal(expected, a.CarHlh.Criterion(IecHsCriterionKind.CarHlhRenal)!.Met);
        Assert.Equal(expected, a.Flag);
    }

    // CARTOX renal: creatinine > 3 × baseline 0.5 = 1.5 (ULN 2.0 keeps the ULN comparison out of reach).
    [Theory]
    [InlineData(1.5, false)]
    [InlineData(1.51, true)]
    public void GivenCreatinineAt3TimesBaseline_WhenScreened_ThenOnlyAboveItIsGrade3(double creatinine, bool expected)
    {
        var b = new Chart().Infused(120).Lab(LabTest.Creatinine, 0.5m, 200, 2.0m)
            .Lab(LabTest.Ferritin, 20_000, 100).Lab(LabTest.Alt, 250, 100, 40).Lab(LabTest.Creatinine, (decimal)creatinine, 100, 2.0m);

        var a = Screen(b);

        var c = a.CarHlh.Criterion(IecHsCriterionKind.CarHlhRenal)!;
        Assert.Equal(expected, c.Met);
        Assert.Equal(["Observation/r5", "Observation/r2"], c.Evidence.Select(e => e.Source));
    }

    // Cytopenia: below the lower limit (platelets 150, neutrophils 1.5 ×10⁹/L) and ≥ 50 % below the baseline at infusion.
    [Theory]
    [InlineData(LabTest.Platelets, 400.0, 150.0, false)]
    [InlineData(LabTest.Platelets, 400.0, 149.0, true)]
    [InlineData(LabTest.Neutrophils, 4.0, 1.5, false)]
    [InlineData(LabTest.Neutrophils, 4.0, 1.49, true)]
    public void GivenACountAtItsLowerLimit_WhenFallenByHalfFromTheBaseline_ThenOnlyBelowTheLimitIsACytopenia(LabTest test, double baseline, double now, bool expected)
    {
        var b = new Chart().Infused(120).Lab(test, (decimal)baseline, 121).Lab(LabTest.Ferritin, 2_000, 24, 300).Lab(test, (decimal)now, 24);

        var a = Screen(b);

        var c = a.IecHs.Criterion(IecHsCriterionKind.IecHsCytopenia)!;
        Assert.Equal(expected, c.Met);
        if (expected) Assert.Equal(["Observation/r2", "Observation/r4"], c.Evidence.Select(e => e.Source));
    }

    // The post-lymphodepletion baseline is the latest count at or before the infusion: 50 exactly at
    // the infusion (r3) is the baseline, so 30 is only a 40 % fall; a minute later, 400 (r2) is.
    [Theory]
    [InlineData(120.0, false)]
    [InlineData(120 - Minute, true)]
    public void GivenACountAroundTheInfusionTime_WhenScreened_ThenTheLastOneAtOrBeforeTheInfusionIsTheBaseline(double hoursAgo, bool expected)
    {
        var b = new Chart().Infused(120).Lab(LabTest.Platelets, 400, 130).Lab(LabTest.Platelets, 50, hoursAgo)
            .Lab(LabTest.Ferritin, 2_000, 24, 300).Lab(LabTest.Platelets, 30, 24);

        var a = Screen(b);

        Assert.Equal(expected, a.IecHs.Criterion(IecHsCriterionKind.IecHsCytopenia)!.Met);
    }

    // carHLH period (infusion, infusion + 5 days]: a ferritin exactly at the infusion is before it.
    [Theory]
    [InlineData(120.0, false)]
    [InlineData(120 - Minute, true)]
    public void GivenCarHlhFerritinAtTheInfusionTime_WhenScreened_ThenOnlyAfterTheInfusionCounts(double hoursAgo, bool expected)
    {
        var b = new Chart().Infused(120).Lab(LabTest.Ferritin, 20_000, hoursAgo).Lab(LabTest.Alt, 250, 100, 40).Lab(LabTest.Creatinine, 4.0m, 100, 1.0m);

        var a = Screen(b);

        Assert.Equal(expected, a.CarHlh.Criterion(IecHsCriterionKind.CarHlhFerritin)!.Met);
    }

    // IEC-HS look-back (now − 72 h, now]: a fibrinogen exactly 72 h old is outside.
    [Theory]
    [InlineData(72.0, false)]
    [InlineData(72 - Minute, true)]
    public void GivenAFibrinogenAtTheLookBackEdge_WhenScreened_ThenOnlyInsideTheLast72HoursCounts(double hoursAgo, bool expected)
    {
        var b = new Chart().Infused(120).Lab(LabTest.Ferritin, 2_000, 24, 300).Lab(LabTest.Fibrinogen, 100, hoursAgo);

        var a = Screen(b);

        Assert.Equal(expected, a.IecHs.Criterion(IecHsCriterionKind.IecHsFibrinogen)!.Met);
    }
}
