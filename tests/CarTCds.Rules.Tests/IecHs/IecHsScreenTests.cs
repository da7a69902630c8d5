using CarTCds.Rules.Facts;
using CarTCds.Rules.IecHs;

namespace CarTCds.Rules.Tests.IecHs;

public sealed class IecHsScreenTests
{
    private static IecHsAssessment Screen(Chart b, RuleSet? rules = null) =>
        IecHsScreen.Assess(b.Build(), Chart.Now, rules ?? RuleSet.Default);

    private static string[] Sources(IecHsAssessment a) => a.Evidence.Select(e => e.Source).Distinct().ToArray();

    // Day 0 five days ago; carHLH labs at 100 h and 90 h ago (days 1 and 1.25) lie in the CARTOX
    // period but outside the 72 h IEC-HS look-back, so only CARTOX can raise the flag.
    private static Chart CarHlhCase(decimal ferritin) => new Chart()
        .Infused(120)                                 // r1
        .Lab(LabTest.Ferritin, ferritin, 100);        // r2

    [Theory]
    [InlineData(10_000, false)]
    [InlineData(10_001, true)]
    public void GivenTwoOrganCriteria_WhenPeakFerritinIs10000Or10001_ThenOnlyAbove10000Flags(int ferritin, bool expected)
    {
        var b = CarHlhCase(ferritin)
            .Lab(LabTest.Alt, 250, 90)               // r3: 6.25 × default ULN 40
            .Lab(LabTest.Creatinine, 3.5m, 90);      // r4: 3.5 × default ULN 1.0

        var a = Screen(b);

        Assert.Equal(expected, a.Flag);
        Assert.Equal(expected, a.CarHlh.Met);
        Assert.False(a.IecHs.Met);
        Assert.Equal(expected ? [IecHsCriteriaSet.CartoxCarHlh] : [], a.RaisedBy);
        Assert.True(a.CarHlh.Criterion(IecHsCriterionKind.CarHlhHepatic)!.Met);
        Assert.True(a.CarHlh.Criterion(IecHsCriterionKind.CarHlhRenal)!.Met);
        Assert.Equal(["Observation/r2", "Observation/r3", "Observation/r4"], Sources(a).Order(StringComparer.Ordinal));
        Assert.Contains(a.Notes, n => n == "A flag for clinician confirmation, not a diagnosis.");
        Assert.Equal(expected, a.ManagementPointers.Any(m => m.Contains("anakinra", StringComparison.Ordinal)));
    }

    [Fact]
    public void GivenFerritinAbove10000WithOneOrganCriterion_WhenScreened_ThenNoFlagAndTheUnseenCriteriaAreNamed()
    {
        var b = CarHlhCase(20_000).Lab(LabTest.Alt, 250, 90).Lab(LabTest.Creatinine, 0.8m, 90);

        var a = Screen(b);

        Assert.False(a.Flag);
        Assert.True(a.CarHlh.Criterion(IecHsCriterionKind.CarHlhFerritin)!.Met);
        Assert.False(a.CarHlh.Criterion(IecHsCriterionKind.CarHlhRenal)!.Met);
        Assert.Contains(a.Notes, n => n.Contains("1 organ criterion", StringComparison.Ordinal) && n.Contains("pulmonary oedema", StringComparison.Ordinal));
        Assert.Contains(a.NotAssessable, n => n.Contains("haemophagocytosis", StringComparison.Ordinal));
        Assert.Contains(a.NotAssessable, n => n.Contains("pulmonary oedema", StringComparison.Ordinal));
        Assert.Empty(a.ManagementPointers);
    }

    [Fact]
    public void GivenAlt_AstAndBilirubinAllGrade3_WhenScreened_ThenHepaticCountsOnce()
    {
        var b = CarHlhCase(20_000).Lab(LabTest.Alt, 250, 90).Lab(LabTest.Ast, 300, 90).Lab(LabTest.Bilirubin, 4m, 90).Lab(LabTest.Creatinine, 0.8m, 90);

        var a = Screen(b);

        Assert.False(a.Flag);
        var hepatic = a.CarHlh.Criterion(IecHsCriterionKind.CarHlhHepatic)!;
        Assert.True(hepatic.Met);
        Assert.Equal(["Observation/r3", "Observation/r4", "Observation/r5"], hepatic.Evidence.Select(e => e.Source));
        Assert.Contains("1 organ criteria met (hepatic) of 2 needed", a.CarHlh.Summary, StringComparison.Ordinal);
    }

    // ALT 210 U/L: 4.2 × a laboratory ULN of 50 (not grade 3), 5.25 × the default ULN of 40 (grade 3).
    [Theory]
    [InlineData(50.0, false)]
    [InlineData(null, true)]
    public void GivenAnAltOf210_WhenTheLabSendsItsUlnOrNot_ThenItsOwnUlnWinsOverTheDefault(double? uln, bool expected)
    {
        var b = CarHlhCase(20_000).Lab(LabTest.Alt, 210, 90, (decimal?)uln).Lab(LabTest.Creatinine, 3.5m, 90);

        var a = Screen(b);

        Assert.Equal(expected, a.Flag);
        var hepatic = a.CarHlh.Criterion(IecHsCriterionKind.CarHlhHepatic)!;
        Assert.Equal(expected, hepatic.Met);
        Assert.Contains(uln is null ? "default ULN 40" : "laboratory ULN 50", hepatic.Description, StringComparison.Ordinal);
        Assert.Equal("Observation/r3", hepatic.Evidence.Single().Source);
    }

    // Bilirubin 3.7 mg/dL: 3.08 × the default ULN 1.2 (grade 3), 2.85 × a laboratory ULN of 1.3 (not).
    [Theory]
    [InlineData(1.3, false)]
    [InlineData(null, true)]
    public void GivenABilirubinOf3Point7_WhenTheLabSendsItsUlnOrNot_ThenGrade3IsAbove3TimesThatUln(double? uln, bool expected)
    {
        var b = CarHlhCase(20_000).Lab(LabTest.Bilirubin, 3.7m, 90, (decimal?)uln).Lab(LabTest.Creatinine, 3.5m, 90);

        var a = Screen(b);

        Assert.Equal(expected, a.Flag);
        Assert.Equal(expected, a.CarHlh.Criterion(IecHsCriterionKind.CarHlhHepatic)!.Met);
    }

    [Fact]
    public void GivenACreatinineOf1Point6_WhenTheEarliestBaselineBeforeInfusionIs0Point5_ThenMoreThan3TimesBaselineIsGrade3()
    {
        var b = new Chart()
            .Infused(120)                              // r1
            .Lab(LabTest.Creatinine, 0.5m, 200)        // r2: baseline (earliest in the 30 days before infusion)
            .Lab(LabTest.Creatinine, 0.9m, 130)        // r3: after lymphodepletion, not the baseline
            .Lab(LabTest.Ferritin, 20_000, 100)        // r4
            .Lab(LabTest.Bilirubin, 4m, 90)            // r5
            .Lab(LabTest.Creatinine, 1.6m, 90);        // r6: 1.6 × ULN 1.0, 3.2 × baseline 0.5

        var a = Screen(b);

        Assert.True(a.Flag);
        var renal = a.CarHlh.Criterion(IecHsCriterionKind.CarHlhRenal)!;
        Assert.True(renal.Met);
        Assert.Equal(["Observation/r6", "Observation/r2"], renal.Evidence.Select(e => e.Source));
        Assert.Contains("3.2 × baseline 0.5 mg/dL", renal.Description, StringComparison.Ordinal);
    }

    [Fact]
    public void GivenACreatinineBaselineOlderThan30DaysBeforeInfusion_WhenScreened_ThenThereIsNoBaseline()
    {
        var b = new Chart()
            .Infused(120)
            .Lab(LabTest.Creatinine, 0.5m, 120 + (31 * 24))
            .Lab(LabTest.Ferritin, 20_000, 100)
            .Lab(LabTest.Bilirubin, 4m, 90)
            .Lab(LabTest.Creatinine, 1.6m, 90);

        var a = Screen(b);

        Assert.False(a.Flag);
        var renal = a.CarHlh.Criterion(IecHsCriterionKind.CarHlhRenal)!;
        Assert.False(renal.Met);
        Assert.Contains("no baseline", renal.Description, StringComparison.Ordinal);
    }

    // CARTOX: "during CRS (typically the first 5 days)": (infusion, infusion + 5 days].
    [Theory]
    [InlineData(120, true)]
    [InlineData(121, false)]
    public void GivenFerritinAbove10000_WhenDrawnAtOrAfterDay5_ThenOnlyTheFirst5DaysCount(int hoursAfterInfusion, bool expected)
    {
        var b = new Chart()
            .Infused(168)                                          // r1
            .Lab(LabTest.Ferritin, 20_000, 168 - hoursAfterInfusion) // r2
            .Lab(LabTest.Bilirubin, 4m, 60)                        // r3
            .Lab(LabTest.Creatinine, 3.5m, 60);                    // r4

        var a = Screen(b);

        Assert.Equal(expected, a.Flag);
        Assert.Equal(expected, a.CarHlh.Met);
        Assert.False(a.IecHs.Met);
        Assert.Equal(Chart.Now.AddHours(-48), a.CarHlh.To);
    }

    [Fact]
    public void GivenAShorterInstitutionWindow_WhenFerritinOnDay4_ThenItIsOutside()
    {
        var rules = new RuleSet { IecHs = new IecHsParameters { CarHlhFerritinWindowDays = 3 } };
        var b = new Chart().Infused(120).Lab(LabTest.Ferritin, 20_000, 24 * 1.5).Lab(LabTest.Bilirubin, 4m, 100).Lab(LabTest.Creatinine, 3.5m, 100);

        var a = Screen(b, rules);

        Assert.False(a.CarHlh.Met);
    }

    [Theory]
    [InlineData(10, true)]
    [InlineData(15, false)]
    public void GivenNoInfusionOnRecord_WhenScreened_ThenTheLast14DaysAreUsedAndSaid(int daysAgo, bool expected)
    {
        var b = new Chart()
            .Lab(LabTest.Ferritin, 20_000, daysAgo * 24)
            .Lab(LabTest.Bilirubin, 4m, daysAgo * 24)
            .Lab(LabTest.Creatinine, 3.5m, daysAgo * 24);

        var a = Screen(b);

        Assert.Equal(expected, a.Flag);
        Assert.Equal(expected, a.Screened);
        Assert.Contains(a.Notes, n => n.StartsWith("No CAR-T infusion on record", StringComparison.Ordinal));
    }

    [Fact]
    public void GivenNoFerritin_WhenScreened_ThenNotScreenedAndFerritinIsMissing()
    {
        var a = Screen(new Chart().Infused(120).Lab(LabTest.Alt, 500, 24).Lab(LabTest.Fibrinogen, 90, 24));

        Assert.False(a.Flag);
        Assert.False(a.Screened);
        Assert.Contains(a.Missing, m => m.StartsWith("ferritin (LOINC 2276-4)", StringComparison.Ordinal));
        Assert.Contains(a.Notes, n => n.StartsWith("Not screened", StringComparison.Ordinal));
    }

    // IEC-HS [U]: ferritin > 2 × ULN plus fibrinogen < 150 mg/dL.
    [Theory]
    [InlineData(149, true)]
    [InlineData(150, false)]
    public void GivenRaisedFerritin_WhenFibrinogenIs149Or150_ThenOnlyBelow150Flags(int fibrinogen, bool expected)
    {
        var b = new Chart()
            .Infused(120)                                  // r1
            .Lab(LabTest.Ferritin, 2_000, 24)              // r2: > 2 × default ULN 300
            .Lab(LabTest.Fibrinogen, fibrinogen, 24);      // r3

        var a = Screen(b);

        Assert.Equal(expected, a.Flag);
        Assert.Equal(expected ? [IecHsCriteriaSet.AstctIecHs] : [], a.RaisedBy);
        Assert.False(a.CarHlh.Met);
        Assert.True(a.IecHs.Criterion(IecHsCriterionKind.IecHsFerritin)!.Met);
        Assert.Equal(expected, a.IecHs.Criterion(IecHsCriterionKind.IecHsFibrinogen)!.Met);
        Assert.Equal(["Observation/r2", "Observation/r3"], Sources(a));
        Assert.Equal(expected, a.Notes.Any(n => n.Contains("unverified [U]", StringComparison.Ordinal)));
    }

    // Ferritin 700 ng/mL: > 2 × the default ULN 300, not > 2 × a laboratory ULN of 400.
    [Theory]
    [InlineData(null, true)]
    [InlineData(400.0, false)]
    public void GivenFerritin700AndLowFibrinogen_WhenTheLabSendsItsUlnOrNot_ThenTheIecHsFerritinFeatureFollowsThatUln(double? uln, bool expected)
    {
        var b = new Chart().Infused(120).Lab(LabTest.Ferritin, 700, 24, (decimal?)uln).Lab(LabTest.Fibrinogen, 100, 24);

        var a = Screen(b);

        Assert.Equal(expected, a.Flag);
        Assert.Equal(expected, a.IecHs.Criterion(IecHsCriterionKind.IecHsFerritin)!.Met);
    }

    // Baseline ferritin 900 (above ULN 300); 1,500 is > 2 × ULN but not > 2 × baseline.
    [Theory]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public void GivenABaselineAboveUln_WhenFerritinIs1500_ThenTheReadingOfUlnOrBaselineDecides(bool againstHigher, bool expected)
    {
        var rules = new RuleSet { IecHs = new IecHsParameters { FerritinAgainstHigherOfUlnAndBaseline = againstHigher } };
        var b = new Chart()
            .Infused(120)                              // r1
            .Lab(LabTest.Ferritin, 900, 130, 300)      // r2: baseline (latest before infusion)
            .Lab(LabTest.Ferritin, 1_500, 24, 300)     // r3
            .Lab(LabTest.Fibrinogen, 120, 24);         // r4

        var a = Screen(b, rules);

        Assert.Equal(expected, a.Flag);
        var ferritin = a.IecHs.Criterion(IecHsCriterionKind.IecHsFerritin)!;
        Assert.Equal(expected, ferritin.Met);
        Assert.Equal(["Observation/r3", "Observation/r2"], ferritin.Evidence.Select(e => e.Source));
    }

    // Rapidly rising [U]: ≥ 2 × an earlier value within 48 h (laboratory ULN 1,000 keeps both below 2 × ULN).
    [Theory]
    [InlineData(350, true)]
    [InlineData(351, false)]
    public void GivenFerritinBelow2TimesUln_WhenItDoublesWithin48Hours_ThenItCountsAsRapidlyRising(int earlier, bool expected)
    {
        var b = new Chart()
            .Infused(120)                                 // r1
            .Lab(LabTest.Ferritin, earlier, 48, 1_000)    // r2
            .Lab(LabTest.Ferritin, 700, 24, 1_000)        // r3
            .Lab(LabTest.Fibrinogen, 120, 24);            // r4

        var a = Screen(b);

        Assert.Equal(expected, a.Flag);
        var ferritin = a.IecHs.Criterion(IecHsCriterionKind.IecHsFerritin)!;
        Assert.Equal(expected, ferritin.Met);
        if (expected) Assert.Contains(ferritin.Evidence, e => e.Source == "Observation/r2" && e.Description.StartsWith("earlier ferritin 350", StringComparison.Ordinal));
    }

    // New/worse cytopenia [U]: below the lower limit and ≥ 50 % below the highest earlier count.
    [Theory]
    [InlineData(LabTest.Platelets, 60, 25, true)]
    [InlineData(LabTest.Platelets, 60, 30, true)]
    [InlineData(LabTest.Platelets, 60, 35, false)]
    [InlineData(LabTest.Neutrophils, 4.0, 1.8, false)]
    [InlineData(LabTest.Neutrophils, 4.0, 1.4, true)]
    public void GivenRaisedFerritin_WhenACountFalls_ThenAFallOfHalfBelowTheLowerLimitIsACytopenia(LabTest test, double before, double now, bool expected)
    {
        var b = new Chart()
            .Infused(120)                              // r1
            .Lab(test, (decimal)before, 150)           // r2: before infusion
            .Lab(LabTest.Ferritin, 2_000, 24)          // r3
            .Lab(test, (decimal)now, 24);              // r4

        var a = Screen(b);

        Assert.Equal(expected, a.Flag);
        var cytopenia = a.IecHs.Criterion(IecHsCriterionKind.IecHsCytopenia)!;
        Assert.Equal(expected, cytopenia.Met);
        if (expected) Assert.Equal(["Observation/r2", "Observation/r4"], cytopenia.Evidence.Select(e => e.Source));
    }

    [Fact]
    public void GivenRaisedFerritinWithoutAnyFurtherFeature_WhenScreened_ThenNoFlag()
    {
        var a = Screen(new Chart().Infused(120).Lab(LabTest.Ferritin, 8_000, 24).Lab(LabTest.Alt, 150, 24).Lab(LabTest.Fibrinogen, 250, 24));

        Assert.False(a.Flag);
        Assert.True(a.IecHs.Criterion(IecHsCriterionKind.IecHsFerritin)!.Met);
        Assert.False(a.IecHs.Met);
    }

    [Fact]
    public void GivenSyntheticPatientE5OnDay5_WhenScreened_ThenBothCriteriaSetsFlagWithValues()
    {
        // cart-e5-carhlh evaluated 2022-03-13T23:00Z (day 5, infusion day 0 at 10:00): labs at 06:00
        // on days −1, 1, 3, 4, 5 are 161, 113, 65, 41 and 17 h before the evaluation.
        var b = new Chart().Infused(133);
        var hours = new Dictionary<int, double> { [-1] = 161, [1] = 113, [3] = 65, [4] = 41, [5] = 17 };
        void Series(LabTest t, decimal? uln, params (int Day, decimal Value)[] values)
        {
            foreach (var (day, value) in values) b.Lab(t, value, hours[day], uln);
        }
        Series(LabTest.Ferritin, 300, (-1, 900), (1, 2_100), (3, 12_500), (4, 45_000), (5, 38_000));
        Series(LabTest.Alt, 40, (-1, 28), (1, 35), (3, 95), (4, 420), (5, 510));
        Series(LabTest.Ast, 40, (-1, 32), (1, 40), (3, 110), (4, 610), (5, 480));
        Series(LabTest.Bilirubin, 1.2m, (-1, 0.5m), (1, 0.6m), (3, 1.0m), (4, 2.5m), (5, 4.0m));
        Series(LabTest.Creatinine, 0.8m, (-1, 0.5m), (1, 0.5m), (3, 0.7m), (4, 1.6m), (5, 2.8m));
        Series(LabTest.Fibrinogen, 400, (-1, 310), (1, 280), (3, 210), (4, 120), (5, 95));
        Series(LabTest.Platelets, 400, (-1, 60), (1, 55), (3, 40), (4, 22), (5, 15));

        var a = Screen(b);

        Assert.True(a.Flag);
        Assert.Equal([IecHsCriteriaSet.CartoxCarHlh, IecHsCriteriaSet.AstctIecHs], a.RaisedBy);
        Assert.Contains("peak ferritin 45,000 ng/mL (> 10,000)", a.CarHlh.Summary, StringComparison.Ordinal);
        Assert.Contains("2 organ criteria met (hepatic, renal)", a.CarHlh.Summary, StringComparison.Ordinal);
        Assert.Contains("3 further feature(s) met", a.IecHs.Summary, StringComparison.Ordinal);
        Assert.Contains(a.Evidence, e => e.Description.StartsWith("fibrinogen 95 mg/dL", StringComparison.Ordinal));
        Assert.Contains(a.ManagementPointers, m => m.Contains("anakinra", StringComparison.Ordinal));
        Assert.Contains(a.ManagementPointers, m => m.Contains("ruxolitinib, emapalumab or etoposide", StringComparison.Ordinal));
        Assert.Equal(a.Evidence.OrderBy(e => e.Time).ToList(), a.Evidence);
    }

    [Fact]
    public void GivenSyntheticPatientP2_WhenFerritinStaysInTheReferenceRange_ThenNoFlag()
    {
        var b = new Chart().Infused(110)
            .Lab(LabTest.Ferritin, 220, 140, 300).Lab(LabTest.Ferritin, 240, 80, 300).Lab(LabTest.Ferritin, 280, 30, 300)
            .Lab(LabTest.Alt, 30, 30, 40).Lab(LabTest.Ast, 31, 30, 40).Lab(LabTest.Creatinine, 0.6m, 30, 0.8m).Lab(LabTest.Fibrinogen, 320, 30, 400);

        var a = Screen(b);

        Assert.False(a.Flag);
        Assert.True(a.Screened);
        Assert.Empty(a.RaisedBy);
        Assert.Empty(a.ManagementPointers);
        Assert.Contains(a.Notes, n => n.Contains("not a diagnosis", StringComparison.Ordinal));
    }

    [Fact]
    public void GivenResultsAfterTheEvaluationTime_WhenScreened_ThenTheyAreIgnored()
    {
        var a = Screen(new Chart().Infused(24).Lab(LabTest.Ferritin, 50_000, -2).Lab(LabTest.Fibrinogen, 80, -2));

        Assert.False(a.Flag);
        Assert.False(a.Screened);
    }
}
