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

    // IEC-HS look-back (now − 72 h, now]: a fibrinogen exactly 72 h old is outside; one taken exactly
    // now is inside, one dated a minute after now is not yet known.
    [Theory]
    [InlineData(72.0, false)]
    [InlineData(72 - Minute, true)]
    [InlineData(0.0, true)]
    [InlineData(-Minute, false)]
    public void GivenAFibrinogenAtTheLookBackEdge_WhenScreened_ThenOnlyInsideTheLast72HoursCounts(double hoursAgo, bool expected)
    {
        var b = new Chart().Infused(120).Lab(LabTest.Ferritin, 2_000, 24, 300).Lab(LabTest.Fibrinogen, 100, hoursAgo);

        var a = Screen(b);

        Assert.Equal(expected, a.IecHs.Criterion(IecHsCriterionKind.IecHsFibrinogen)!.Met);
    }

    // Baseline window [infusion − 30 days, infusion]: a creatinine exactly at either edge is the
    // baseline; a minute after the infusion it is a result of the period, a minute older it is neither.
    // Creatinine 1.6 mg/dL (r5) is 3.2 × a 0.5 baseline but only 0.8 × the laboratory ULN 2.0.
    [Theory]
    [InlineData(120.0, true)]
    [InlineData(120 - Minute, false)]
    [InlineData(120 + 720.0, true)]
    [InlineData(120 + 720 + Minute, false)]
    public void GivenACreatinineAtTheEdgeOfTheBaselineWindow_WhenScreened_ThenOnlyInsideItIsTheBaseline(double hoursAgo, bool isBaseline)
    {
        var b = new Chart().Infused(120)                   // r1
            .Lab(LabTest.Creatinine, 0.5m, hoursAgo, 2.0m) // r2
            .Lab(LabTest.Ferritin, 20_000, 100)            // r3
            .Lab(LabTest.Alt, 250, 100, 40)                // r4
            .Lab(LabTest.Creatinine, 1.6m, 90, 2.0m);      // r5

        var a = Screen(b);

        var c = a.CarHlh.Criterion(IecHsCriterionKind.CarHlhRenal)!;
        Assert.Equal(isBaseline, c.Met);
        Assert.Equal(isBaseline, a.CarHlh.Met);
        Assert.Equal(isBaseline ? ["Observation/r5", "Observation/r2"] : ["Observation/r5"], c.Evidence.Select(e => e.Source));
    }

    // The note on criteria the data cannot show comes only when ferritin is above 10,000 ng/mL and
    // exactly one organ criterion short (hepatic: ALT > 5 × ULN 40; renal not met: creatinine 1.0 = 1 × ULN).
    [Theory]
    [InlineData(20_000, 250, true, "1 organ criteria met (hepatic) of 2 needed")]
    [InlineData(10_000, 250, false, "1 organ criteria met (hepatic) of 2 needed")]
    [InlineData(20_000, 200, false, "0 organ criteria met of 2 needed")]
    public void GivenCarHlhFerritinAndOrganCriteria_WhenOneOrganCriterionShort_ThenOnlyThenTheNoteNamesWhatTheDataCannotShow(int ferritin, int alt, bool note, string summaryEnd)
    {
        var b = new Chart().Infused(120)                   // r1
            .Lab(LabTest.Ferritin, ferritin, 100)          // r2
            .Lab(LabTest.Alt, alt, 100, 40)                // r3
            .Lab(LabTest.Creatinine, 1.0m, 100, 1.0m);     // r4

        var a = Screen(b);

        Assert.False(a.CarHlh.Met);
        Assert.Equal(note, a.Notes.Any(n => n.StartsWith("Ferritin above 10,000 ng/mL with 1 organ criterion", StringComparison.Ordinal)));
        Assert.EndsWith(summaryEnd, a.CarHlh.Summary, StringComparison.Ordinal);
        Assert.Equal(["Observation/r2"], a.CarHlh.Criterion(IecHsCriterionKind.CarHlhFerritin)!.Evidence.Select(e => e.Source));
        Assert.Equal(["Observation/r3"], a.CarHlh.Criterion(IecHsCriterionKind.CarHlhHepatic)!.Evidence.Select(e => e.Source));
    }

    // No CRS since the infusion: the timing note comes with the IEC-HS features, not without them
    // (fibrinogen 100 < 150 mg/dL is a further feature, 150 is not).
    [Theory]
    [InlineData(100, true, "1 further feature(s) met (hypofibrinogenaemia) of 1 needed")]
    [InlineData(150, false, "0 further feature(s) met of 1 needed")]
    public void GivenNoCrsSinceInfusion_WhenTheIecHsFeaturesAreOrAreNotMet_ThenTheTimingNoteComesOnlyWithThem(int fibrinogen, bool met, string summaryEnd)
    {
        var b = new Chart().Infused(120).Lab(LabTest.Ferritin, 2_000, 24, 300).Lab(LabTest.Fibrinogen, fibrinogen, 24); // r2, r3

        var a = Screen(b);

        Assert.Equal(met, a.IecHs.Met);
        Assert.Equal(met, a.Notes.Any(n => n.StartsWith("IEC-HS features without any CRS since infusion", StringComparison.Ordinal)));
        Assert.EndsWith(summaryEnd, a.IecHs.Summary, StringComparison.Ordinal);
        Assert.Equal(["Observation/r3"], a.IecHs.Criterion(IecHsCriterionKind.IecHsFibrinogen)!.Evidence.Select(e => e.Source));
    }

    // Screened when a ferritin lies in the carHLH period (infusion, infusion + 5 days] or the IEC-HS
    // look-back (now − 72 h, now]. Infusion 240 h ago: the period ends 120 h ago.
    [Theory]
    [InlineData(240.0, false)]
    [InlineData(240 - Minute, true)]
    [InlineData(120.0, true)]
    [InlineData(120 - Minute, false)]
    [InlineData(72.0, false)]
    [InlineData(72 - Minute, true)]
    [InlineData(24.0, true)]
    [InlineData(0.0, true)]
    public void GivenOneFerritinAtTheEdgeOfEitherPeriod_WhenScreened_ThenOnlyInsideOneIsItScreened(double hoursAgo, bool screened)
    {
        var b = new Chart().Infused(240).Lab(LabTest.Ferritin, 2_000, hoursAgo, 300); // r2

        var a = Screen(b);

        Assert.Equal(screened, a.Screened);
        Assert.Equal(!screened, a.Notes.Contains("Not screened: no ferritin in either period."));
        Assert.Equal(screened, a.Evidence.Any(e => e.Source == "Observation/r2"));
    }

    // The IEC-HS period is named "(since infusion)" when the infusion is at or after its start (now − 72 h).
    [Theory]
    [InlineData(48.0, "in the last 72 h (since infusion)")]
    [InlineData(72.0, "in the last 72 h (since infusion)")]
    [InlineData(72 + Minute, "in the last 72 h")]
    public void GivenAnInfusionAroundTheLookBackStart_WhenAResultIsMissing_ThenThePeriodSaysWhetherItStartsAtTheInfusion(double infusedHoursAgo, string period)
    {
        var b = new Chart().Infused(infusedHoursAgo).Lab(LabTest.Ferritin, 2_000, 24, 300); // r2

        var a = Screen(b);

        Assert.Contains($"fibrinogen (LOINC 3255-7) {period}", a.Missing);
        Assert.Equal($"no fibrinogen {period}", a.IecHs.Criterion(IecHsCriterionKind.IecHsFibrinogen)!.Description);
        Assert.Equal(["Observation/r2"], a.IecHs.Criterion(IecHsCriterionKind.IecHsFerritin)!.Evidence.Select(e => e.Source));
    }

    [Fact]
    public void GivenOnlyAFerritin_WhenScreened_ThenEachMissingLiverTestIsNamedForItsCriteriaSet()
    {
        var b = new Chart().Infused(120).Lab(LabTest.Ferritin, 20_000, 24, 300); // r2

        var a = Screen(b);

        Assert.Contains("ALT, AST or bilirubin in the first 5 days after infusion", a.Missing);
        Assert.Contains("ALT or AST in the last 72 h", a.Missing);
        Assert.Equal("no ALT, AST or bilirubin in the first 5 days after infusion", a.CarHlh.Criterion(IecHsCriterionKind.CarHlhHepatic)!.Description);
        Assert.Equal("no ALT or AST in the last 72 h", a.IecHs.Criterion(IecHsCriterionKind.IecHsTransaminases)!.Description);
        Assert.Equal(["Observation/r2"], a.IecHs.Criterion(IecHsCriterionKind.IecHsFerritin)!.Evidence.Select(e => e.Source));
    }

    // The worst ALT is the highest multiple of its own laboratory ULN, not the highest value: 150 with
    // ULN 20 (7.5 ×, r3) over 210 with ULN 100 (2.1 ×, r4). Both criteria sets judge it, each in its words.
    [Fact]
    public void GivenTwoAltsWithDifferentLaboratoryUlns_WhenScreened_ThenTheHighestMultipleOfItsUlnIsJudged()
    {
        var b = new Chart().Infused(120).Lab(LabTest.Ferritin, 2_000, 24, 300) // r2
            .Lab(LabTest.Alt, 150, 30, 20)                                      // r3
            .Lab(LabTest.Alt, 210, 20, 100);                                    // r4

        var a = Screen(b);

        const string Alt = "ALT 150 U/L (7.5 × ULN; > 5 × laboratory ULN 20 U/L)";
        var iec = a.IecHs.Criterion(IecHsCriterionKind.IecHsTransaminases)!;
        Assert.True(iec.Met);
        Assert.Equal($"transaminitis: met — {Alt}", iec.Description);
        Assert.Equal(["Observation/r3"], iec.Evidence.Select(e => e.Source));
        var car = a.CarHlh.Criterion(IecHsCriterionKind.CarHlhHepatic)!;
        Assert.Equal($"grade ≥ 3 hepatic rise: met — {Alt}", car.Description);
        Assert.Equal(["Observation/r3"], car.Evidence.Select(e => e.Source));
    }

    // A laboratory ULN of 0 is unusable: the default ULN (ALT 40 U/L) applies, > 5 × = 200.
    [Theory]
    [InlineData(200, false, "ALT 200 U/L (5 × ULN; ≤ 5 × default ULN 40 U/L)")]
    [InlineData(201, true, "ALT 201 U/L (5.03 × ULN; > 5 × default ULN 40 U/L)")]
    public void GivenAnAltWithALaboratoryUlnOf0_WhenScreened_ThenTheDefaultUlnIsUsed(int alt, bool expected, string text)
    {
        var b = new Chart().Infused(120).Lab(LabTest.Ferritin, 2_000, 24, 300).Lab(LabTest.Alt, alt, 24, 0m); // r2, r3

        var a = Screen(b);

        var c = a.IecHs.Criterion(IecHsCriterionKind.IecHsTransaminases)!;
        Assert.Equal(expected, c.Met);
        Assert.Equal([("Observation/r3", text)], c.Evidence.Select(e => (e.Source, e.Description)));
    }

    // CARTOX renal against a paediatric laboratory ULN 0.5 mg/dL: > 3 × = 1.5 (no baseline).
    [Theory]
    [InlineData(1.5, false, "creatinine 1.5 mg/dL: 3 × laboratory ULN 0.5 mg/dL (≤ 3 ×), no baseline")]
    [InlineData(1.51, true, "creatinine 1.51 mg/dL: 3.02 × laboratory ULN 0.5 mg/dL (> 3 ×), no baseline")]
    public void GivenCreatinineAt3TimesAPaediatricUln_WhenScreened_ThenOnlyAboveItIsGrade3(double creatinine, bool expected, string text)
    {
        var b = new Chart().Infused(120).Lab(LabTest.Ferritin, 20_000, 100).Lab(LabTest.Alt, 250, 100, 40).Lab(LabTest.Creatinine, (decimal)creatinine, 100, 0.5m); // r2–r4

        var a = Screen(b);

        var c = a.CarHlh.Criterion(IecHsCriterionKind.CarHlhRenal)!;
        Assert.Equal(expected, c.Met);
        Assert.Equal(expected, a.Flag);
        Assert.Equal([("Observation/r4", text)], c.Evidence.Select(e => (e.Source, e.Description)));
    }

    // The worst creatinine is the highest multiple of its own ULN: 3.5 with ULN 1.0 (r3) over 2.4 with ULN 2.5 (r4).
    [Fact]
    public void GivenTwoCreatininesWithDifferentLaboratoryUlns_WhenScreened_ThenTheHighestMultipleOfItsUlnIsJudged()
    {
        var b = new Chart().Infused(120).Lab(LabTest.Ferritin, 20_000, 100) // r2
            .Lab(LabTest.Creatinine, 3.5m, 100, 1.0m)                       // r3
            .Lab(LabTest.Creatinine, 2.4m, 90, 2.5m);                       // r4

        var a = Screen(b);

        var c = a.CarHlh.Criterion(IecHsCriterionKind.CarHlhRenal)!;
        Assert.True(c.Met);
        Assert.Equal(["Observation/r3"], c.Evidence.Select(e => e.Source));
    }

    // A baseline creatinine of 0 mg/dL is unusable: no "× baseline" comparison (creatinine 1.0 = 1 × ULN).
    [Fact]
    public void GivenABaselineCreatinineOf0_WhenScreened_ThenItIsNotComparedWith()
    {
        var b = new Chart().Infused(120).Lab(LabTest.Creatinine, 0m, 130) // r2
            .Lab(LabTest.Ferritin, 20_000, 100).Lab(LabTest.Creatinine, 1.0m, 100, 1.0m); // r3, r4

        var a = Screen(b);

        var c = a.CarHlh.Criterion(IecHsCriterionKind.CarHlhRenal)!;
        Assert.False(c.Met);
        Assert.Equal("grade ≥ 3 creatinine rise: not met — creatinine 1 mg/dL: 1 × laboratory ULN 1 mg/dL (≤ 3 ×), no baseline", c.Description);
        Assert.Equal(["Observation/r4", "Observation/r2"], c.Evidence.Select(e => e.Source));
    }

    // A baseline ferritin of 0 ng/mL is unusable under either reading: 500 is ≤ 2 × ULN 300 (r3).
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void GivenABaselineFerritinOf0_WhenScreened_ThenOnlyTheUlnIsComparedWith(bool higherOfUlnAndBaseline)
    {
        var rules = new RuleSet { IecHs = new IecHsParameters { FerritinAgainstHigherOfUlnAndBaseline = higherOfUlnAndBaseline } };
        var b = new Chart().Infused(120).Lab(LabTest.Ferritin, 0m, 130, 300).Lab(LabTest.Ferritin, 500, 24, 300).Lab(LabTest.Fibrinogen, 100, 24); // r2–r4

        var a = Screen(b, rules);

        var c = a.IecHs.Criterion(IecHsCriterionKind.IecHsFerritin)!;
        Assert.False(c.Met);
        Assert.Equal("ferritin: not met — ferritin 500 ng/mL (≤ 2 × laboratory ULN 300 ng/mL)", c.Description);
        Assert.Equal(["Observation/r3", "Observation/r2"], c.Evidence.Select(e => e.Source));
    }

    // Rapid rise (≥ 2 × an earlier value within 48 h; laboratory ULN 10,000, so the level alone is not
    // raised): the steepest rise is the evidence, the latest of equally steep ones; results at the same
    // instant are not a rise, nor is one from a value of 0. Ferritins r2, r3, r4 in time order.
    [Theory]
    [InlineData(100, 40, 250, 30, 300, 10, "r4 r2 r4", "; ferritin rising 100 → 300 ng/mL in 30 h (≥ 2 × within 48 h)")]
    [InlineData(100, 40, 400, 30, 250, 10, "r3 r2 r3", "; ferritin rising 100 → 400 ng/mL in 10 h (≥ 2 × within 48 h)")]
    [InlineData(100, 40, 200, 30, 200, 10, "r4 r2 r4", "; ferritin rising 100 → 200 ng/mL in 30 h (≥ 2 × within 48 h)")]
    [InlineData(100, 40, 150, 30, 190, 10, "r4", " ng/mL)")]
    [InlineData(400, 40, 300, 10, 700, 10, "r4", " ng/mL)")]
    [InlineData(0, 40, 300, 30, 500, 10, "r4", " ng/mL)")]
    public void GivenAFerritinSeries_WhenScreened_ThenTheSteepestRiseWithin48HoursIsTheEvidence(
        int v2, double h2, int v3, double h3, int v4, double h4, string evidence, string descriptionEnd)
    {
        var b = new Chart().Infused(120)
            .Lab(LabTest.Ferritin, v2, h2, 10_000).Lab(LabTest.Ferritin, v3, h3, 10_000).Lab(LabTest.Ferritin, v4, h4, 10_000);

        var a = Screen(b);

        var c = a.IecHs.Criterion(IecHsCriterionKind.IecHsFerritin)!;
        Assert.Equal(evidence.Contains(' ', StringComparison.Ordinal), c.Met);
        Assert.EndsWith(descriptionEnd, c.Description, StringComparison.Ordinal);
        Assert.Equal(evidence.Split(' ').Select(r => $"Observation/{r}"), c.Evidence.Select(e => e.Source));
    }

    // Cytopenia against the count at the infusion (the post-lymphodepletion baseline, r2 at 120 h) or,
    // without one, against the highest earlier count after the infusion (r2 at 100 h). Ferritin r3 is
    // drawn before the count and must never be taken for it.
    [Theory]
    [InlineData(120.0, "platelets 400 ×10⁹/L at infusion (post-lymphodepletion baseline)")]
    [InlineData(100.0, "earlier platelets 400 ×10⁹/L")]
    public void GivenAFallFromTheBaselineOrAnEarlierCount_WhenScreened_ThenTheEvidenceSaysWhichItWas(double baselineHoursAgo, string baseline)
    {
        var b = new Chart().Infused(120)
            .Lab(LabTest.Platelets, 400, baselineHoursAgo)  // r2
            .Lab(LabTest.Ferritin, 2_000, 30, 300)          // r3
            .Lab(LabTest.Platelets, 100, 24);               // r4

        var a = Screen(b);

        var c = a.IecHs.Criterion(IecHsCriterionKind.IecHsCytopenia)!;
        Assert.True(c.Met);
        Assert.Equal("new/worse cytopenia: met — platelets 100 ×10⁹/L (< 150), down 75 % from 400 (≥ 50 %)", c.Description);
        Assert.Equal([("Observation/r2", baseline), ("Observation/r4", "platelets 100 ×10⁹/L (< 150), down 75 % from 400 (≥ 50 %)")],
            c.Evidence.Select(e => (e.Source, e.Description)));
    }

    // The reference counts reach back BaselineLookBack (30 days) before the infusion (120 h ago), that
    // instant included: a baseline count 840 h ago is the reference, one a minute older is not.
    [Theory]
    [InlineData(840.0, true)]
    [InlineData(840.0 + Minute, false)]
    public void GivenABaselineCountAtTheStartOfTheLookBack_WhenPlateletsFell_ThenItIsTheReferenceFromThatInstantOn(double baselineHoursAgo, bool expected)
    {
        var b = new Chart().Infused(120)
            .Lab(LabTest.Platelets, 400, baselineHoursAgo)  // r2
            .Lab(LabTest.Ferritin, 2_000, 30, 300)          // r3
            .Lab(LabTest.Platelets, 100, 24);               // r4

        var a = Screen(b);

        var c = a.IecHs.Criterion(IecHsCriterionKind.IecHsCytopenia)!;
        Assert.Equal(expected, c.Met);
        Assert.Equal(expected ? ["Observation/r2", "Observation/r4"] : Array.Empty<string>(), c.Evidence.Select(e => e.Source));
    }

    // Without an infusion on record the earlier count is the highest one before the count judged.
    [Fact]
    public void GivenNoInfusionOnRecord_WhenPlateletsFell_ThenTheHighestEarlierCountIsTheReference()
    {
        var b = new Chart().Lab(LabTest.Platelets, 400, 48).Lab(LabTest.Ferritin, 2_000, 30, 300).Lab(LabTest.Platelets, 100, 24); // r1–r3

        var a = Screen(b);

        var c = a.IecHs.Criterion(IecHsCriterionKind.IecHsCytopenia)!;
        Assert.True(c.Met);
        Assert.Equal(["Observation/r1", "Observation/r3"], c.Evidence.Select(e => e.Source));
        Assert.Equal("earlier platelets 400 ×10⁹/L", c.Evidence[0].Description);
    }

    // No usable earlier count: none at all, a baseline of 0, or only one drawn at the same instant.
    [Theory]
    [InlineData(null, null)]
    [InlineData(0.0, 120.0)]
    [InlineData(200.0, 24.0)]
    public void GivenNoUsableEarlierCount_WhenPlateletsAreLow_ThenNoFallIsClaimed(double? earlier, double? earlierHoursAgo)
    {
        var b = new Chart().Infused(120).Lab(LabTest.Ferritin, 2_000, 30, 300); // r2
        if (earlier is { } e) b.Lab(LabTest.Platelets, (decimal)e, earlierHoursAgo!.Value); // r3
        b.Lab(LabTest.Platelets, 30, 24);

        var a = Screen(b);

        var c = a.IecHs.Criterion(IecHsCriterionKind.IecHsCytopenia)!;
        Assert.False(c.Met);
        Assert.Equal("new/worse cytopenia: not met — platelets lowest 30 ×10⁹/L (no fall of ≥ 50 % below the lower limit)", c.Description);
        Assert.Empty(c.Evidence);
        Assert.Equal(["Observation/r2"], a.IecHs.Criterion(IecHsCriterionKind.IecHsFerritin)!.Evidence.Select(x => x.Source));
    }

    // Of several counts that fell enough, the largest fall is the evidence; of equal falls, the first.
    [Theory]
    [InlineData(100, 50, "r5", "platelets 50 ×10⁹/L (< 150), down 87.5 % from 400 (≥ 50 %)")]
    [InlineData(50, 100, "r4", "platelets 50 ×10⁹/L (< 150), down 87.5 % from 400 (≥ 50 %)")]
    [InlineData(100, 100, "r4", "platelets 100 ×10⁹/L (< 150), down 75 % from 400 (≥ 50 %)")]
    public void GivenTwoCountsThatFell_WhenScreened_ThenTheLargestFallIsTheEvidence(int first, int second, string worst, string text)
    {
        var b = new Chart().Infused(120)
            .Lab(LabTest.Platelets, 400, 121)               // r2: baseline
            .Lab(LabTest.Ferritin, 2_000, 30, 300)          // r3
            .Lab(LabTest.Platelets, first, 28)              // r4
            .Lab(LabTest.Platelets, second, 24);            // r5

        var a = Screen(b);

        var c = a.IecHs.Criterion(IecHsCriterionKind.IecHsCytopenia)!;
        Assert.True(c.Met);
        Assert.Equal(["Observation/r2", $"Observation/{worst}"], c.Evidence.Select(e => e.Source));
        Assert.Equal(text, c.Evidence[1].Description);
    }
}
