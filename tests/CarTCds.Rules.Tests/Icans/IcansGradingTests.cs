using CarTCds.Rules.Facts;
using CarTCds.Rules.Icans;

namespace CarTCds.Rules.Tests.Icans;

public sealed class IcansGradingTests
{
    private static IcansAssessment Grade(Chart b, RuleSet? rules = null) =>
        IcansGrading.Assess(b.Build(), Chart.Now, rules ?? RuleSet.Default);

    private static string[] Sources(IcansAssessment a) => a.Evidence.Select(e => e.Source).ToArray();

    // ASTCT 2019 Table 6, ICE row (age > 12): 10 → 0; 7–9 → 1; 3–6 → 2; 0–2 → 3.
    [Theory]
    [InlineData(10, 0, "normal")]
    [InlineData(9, 1, "7–9: grade 1")]
    [InlineData(7, 1, "7–9: grade 1")]
    [InlineData(6, 2, "3–6: grade 2")]
    [InlineData(3, 2, "3–6: grade 2")]
    [InlineData(2, 3, "0–2: grade 3")]
    [InlineData(1, 3, "0–2: grade 3")]
    public void GivenAnIceScoreAtAge15_WhenGraded_ThenTheAstctBandSetsTheGrade(int ice, int expected, string band)
    {
        var b = new Chart().Aged(15).Ice(ice);

        var a = Grade(b);

        Assert.Equal(expected, a.Grade);
        Assert.Equal(IcansStatus.Graded, a.Status);
        Assert.Equal(EncephalopathyTool.Ice, a.Tool);
        Assert.Equal(["Observation/r1"], Sources(a));
        Assert.Equal($"ICE score {ice}/10 ({band})", a.Evidence[0].Description);
        Assert.Equal($"ICE {ice}", a.Domain(IcansDomain.Encephalopathy)!.Description);
        if (expected > 0) Assert.Equal([$"ICE {ice}"], a.Drivers);
        else Assert.Empty(a.Drivers);
    }

    // ASTCT Table 6 footnote: ICE 0 awake (global aphasia) → 3; ICE 0 because unarousable → 4.
    [Theory]
    [InlineData(ConsciousnessLevel.Alert, 3, "ICE 0")]
    [InlineData(ConsciousnessLevel.AwakensSpontaneously, 3, "ICE 0")]
    [InlineData(ConsciousnessLevel.Unarousable, 4, "ICE 0, unarousable")]
    public void GivenIce0_WhenTheLevelOfConsciousnessIsRecordedWithIt_ThenAwakeIs3AndUnarousableIs4(ConsciousnessLevel level, int expected, string encephalopathy)
    {
        var b = new Chart().Aged(15).Ice(0, hoursAgo: 2).Conscious(level, hoursAgo: 2.5);

        var a = Grade(b);

        Assert.Equal(expected, a.Grade);
        var finding = a.Domain(IcansDomain.Encephalopathy)!;
        Assert.Equal(expected, finding.Grade);
        Assert.Equal(encephalopathy, finding.Description);
        Assert.Equal(["Observation/r2", "Observation/r1"], Sources(a));
    }

    [Fact]
    public void GivenIce0WithoutAnyLevelOfConsciousness_WhenGraded_ThenGrade3AndTheNoteAsksForOne()
    {
        var a = Grade(new Chart().Aged(15).Ice(0));

        Assert.Equal(3, a.Grade);
        Assert.Equal(["Observation/r1"], Sources(a));
        Assert.Contains(a.Notes, n => n.Contains("grade 4 if unarousable", StringComparison.Ordinal));
    }

    [Fact]
    public void GivenIce0AndUnarousableHoursApart_WhenGraded_ThenTheIceIs3ButConsciousnessMakesIt4()
    {
        var b = new Chart().Aged(15).Ice(0, hoursAgo: 10).Conscious(ConsciousnessLevel.Unarousable, hoursAgo: 2);

        var a = Grade(b);

        Assert.Equal(4, a.Grade);
        Assert.Equal(3, a.Domain(IcansDomain.Encephalopathy)!.Grade);
        Assert.Equal(["unarousable"], a.Drivers);
        Assert.Equal(["Observation/r1", "Observation/r2"], Sources(a));
    }

    // ASTCT paediatric table, CAPD row (age ≤ 12): 0 → 0; 1–8 → 1 (or 2 with "awakens to voice"); ≥ 9 → 3.
    [Theory]
    [InlineData(0, 0, "no delirium")]
    [InlineData(1, 1, "1–8: grade 1–2")]
    [InlineData(8, 1, "1–8: grade 1–2")]
    [InlineData(9, 3, "≥ 9: grade 3")]
    [InlineData(32, 3, "≥ 9: grade 3")]
    public void GivenACapdScoreAtAge6_WhenGraded_ThenCapdBandsSetTheGrade(int capd, int expected, string band)
    {
        var b = new Chart().Aged(6).Capd(capd);

        var a = Grade(b);

        Assert.Equal(expected, a.Grade);
        Assert.Equal(EncephalopathyTool.Capd, a.Tool);
        Assert.Equal(["Observation/r1"], Sources(a));
        Assert.Equal($"CAPD {capd}", a.Domain(IcansDomain.Encephalopathy)!.Description);
        Assert.Equal($"CAPD score {capd}/32 ({band})", a.Evidence[0].Description);
        Assert.Equal(expected == 1, a.Notes.Any(n => n.Contains("fits ICANS grade 1 or 2", StringComparison.Ordinal)));
        Assert.Equal(expected == 1, a.Notes.Contains($"CAPD {capd}: CAPD 1–8 fits ICANS grade 1 or 2 (ASTCT); graded 1 from CAPD alone — no level of consciousness was recorded, so grade 2 (awakens to voice) cannot be excluded."));
    }

    [Fact]
    public void GivenCapd8AndAwakensToVoice_WhenGraded_ThenGrade2FromConsciousness()
    {
        var b = new Chart().Aged(6).Capd(8).Conscious(ConsciousnessLevel.AwakensToVoice);

        var a = Grade(b);

        Assert.Equal(2, a.Grade);
        Assert.Equal(["awakens to voice"], a.Drivers);
        Assert.Equal(1, a.Domain(IcansDomain.Encephalopathy)!.Grade);
        Assert.Contains("CAPD 8: CAPD 1–8 fits ICANS grade 1 or 2 (ASTCT); graded 1 from CAPD alone — grade 2 comes from the level of consciousness (awakens to voice).", a.Notes);
        Assert.Equal(["Observation/r1", "Observation/r2"], Sources(a).Order(StringComparer.Ordinal));
    }

    // CapdMaxAgeYears = 12 (NCI Thesaurus C188936): a 12-year-old is graded by CAPD, a 13-year-old by ICE.
    [Theory]
    [InlineData(12, 10, 9, 3, EncephalopathyTool.Capd, "Observation/r2", "ICE scores in the window were not used: at age 12 ≤ 12 the tool is CAPD.")]
    [InlineData(13, 10, 9, 0, EncephalopathyTool.Ice, "Observation/r1", "CAPD scores in the window were not used: at age 13 > 12 the tool is ICE.")]
    [InlineData(12, 2, 0, 0, EncephalopathyTool.Capd, "Observation/r2", "ICE scores in the window were not used: at age 12 ≤ 12 the tool is CAPD.")]
    [InlineData(13, 2, 0, 3, EncephalopathyTool.Ice, "Observation/r1", "CAPD scores in the window were not used: at age 13 > 12 the tool is ICE.")]
    public void GivenBothIceAndCapd_WhenAge12Or13_ThenTheAgeChoosesTheTool(int age, int ice, int capd, int expected, EncephalopathyTool tool, string source, string note)
    {
        var b = new Chart().Aged(age).Ice(ice).Capd(capd);

        var a = Grade(b);

        Assert.Equal(expected, a.Grade);
        Assert.Equal(tool, a.Tool);
        Assert.Equal(age, a.AgeYears);
        Assert.Equal([source], Sources(a));
        Assert.Contains(note, a.Notes);
    }

    // Only the age-appropriate score recorded (CAPD at 6, ICE at 15): nothing was left unused.
    [Theory]
    [InlineData(6, EncephalopathyTool.Capd)]
    [InlineData(15, EncephalopathyTool.Ice)]
    public void GivenOnlyTheAgeAppropriateScore_WhenGraded_ThenNoScoreIsSaidToBeUnused(int age, EncephalopathyTool tool)
    {
        var b = new Chart().Aged(age);
        if (tool == EncephalopathyTool.Capd) b.Capd(9); else b.Ice(2);

        var a = Grade(b);

        Assert.Equal(3, a.Grade);
        Assert.Equal(tool, a.Tool);
        Assert.Equal(["Observation/r1"], Sources(a));
        Assert.DoesNotContain(a.Notes, n => n.Contains("were not used", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(0, 13, EncephalopathyTool.Ice)]   // 13th birthday today: 13 → ICE
    [InlineData(-1, 12, EncephalopathyTool.Capd)] // 13th birthday tomorrow: still 12 → CAPD
    public void GivenThe13thBirthday_WhenGraded_ThenCompletedYearsOnTheEvaluationDateChooseTheTool(int birthdayOffsetDays, int age, EncephalopathyTool tool)
    {
        var today = DateOnly.FromDateTime(Chart.Now.UtcDateTime);
        var b = new Chart().Born(today.AddYears(-13).AddDays(-birthdayOffsetDays)).Ice(5).Capd(12);

        var a = Grade(b);

        Assert.Equal(age, a.AgeYears);
        Assert.Equal(tool, a.Tool);
    }

    [Fact]
    public void GivenAnInstitutionCutOffOfUnder12_WhenAge12_ThenIceIsUsed()
    {
        var rules = new RuleSet { Version = "1.0.0-local", Icans = new IcansParameters { CapdMaxAgeYears = 11 } };

        var a = Grade(new Chart().Aged(12).Ice(5).Capd(12), rules);

        Assert.Equal(2, a.Grade);
        Assert.Equal(EncephalopathyTool.Ice, a.Tool);
        Assert.Equal(["Observation/r1"], Sources(a));
    }

    [Fact]
    public void GivenAge15WithOnlyCapd_WhenGraded_ThenCapdIsUsedAndDevelopmentalDelayIsNamed()
    {
        // Seed 003 patient 4 (Down syndrome, 15 y) is assessed by CAPD only.
        var a = Grade(new Chart().Aged(15).Capd(10));

        Assert.Equal(3, a.Grade);
        Assert.Equal(EncephalopathyTool.Capd, a.Tool);
        Assert.Equal(["Observation/r1"], Sources(a));
        Assert.Contains(a.Notes, n => n.Contains("developmental delay", StringComparison.Ordinal));
    }

    [Fact]
    public void GivenAge6WithOnlyIce_WhenGraded_ThenIceIsUsedAndTheNoteAsksForCapd()
    {
        var a = Grade(new Chart().Aged(6).Ice(6));

        Assert.Equal(2, a.Grade);
        Assert.Equal(EncephalopathyTool.Ice, a.Tool);
        Assert.Contains(a.Notes, n => n.Contains("confirm with CAPD", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(true, false, 1, EncephalopathyTool.Ice)]
    [InlineData(false, true, 3, EncephalopathyTool.Capd)]
    [InlineData(true, true, 3, EncephalopathyTool.Capd)]
    public void GivenUnknownAge_WhenScoresArePresent_ThenThePresentOrTheWorseScoreIsUsedAndSaid(bool withIce, bool withCapd, int expected, EncephalopathyTool tool)
    {
        var b = new Chart().Born(null);
        if (withIce) b.Ice(8);
        if (withCapd) b.Capd(9);

        var a = Grade(b);

        Assert.Equal(expected, a.Grade);
        Assert.Equal(tool, a.Tool);
        Assert.Null(a.AgeYears);
        Assert.Contains(a.Missing, m => m.Contains("birthDate", StringComparison.Ordinal));
        Assert.Contains(a.Notes, n => n.StartsWith("Age unknown", StringComparison.Ordinal));
        var expectedSource = tool == EncephalopathyTool.Ice ? "Observation/r1" : withIce ? "Observation/r2" : "Observation/r1";
        Assert.Equal([expectedSource], Sources(a));
    }

    // Age unknown, both scores: the worse grade is used; at equal grades ICE (ICE 8 and CAPD 5 are both grade 1).
    [Theory]
    [InlineData(8, 5, EncephalopathyTool.Ice, 1, "Observation/r1", "the worse (ICE: ICE 8 vs CAPD 5) was used.")]
    [InlineData(8, 9, EncephalopathyTool.Capd, 3, "Observation/r2", "the worse (CAPD: CAPD 9 vs ICE 8) was used.")]
    public void GivenUnknownAgeAndBothScores_WhenGraded_ThenTheWorseIsUsedAndATieGoesToIce(int ice, int capd, EncephalopathyTool tool, int expected, string source, string noteEnd)
    {
        var a = Grade(new Chart().Born(null).Ice(ice).Capd(capd));

        Assert.Equal(expected, a.Grade);
        Assert.Equal(tool, a.Tool);
        Assert.Equal([source], Sources(a));
        Assert.Contains($"Age unknown and both ICE and CAPD recorded: {noteEnd}", a.Notes);
    }

    [Theory]
    [InlineData(ConsciousnessLevel.Alert, 0, null)]
    [InlineData(ConsciousnessLevel.AwakensSpontaneously, 1, "awakens spontaneously")]
    [InlineData(ConsciousnessLevel.AwakensToVoice, 2, "awakens to voice")]
    [InlineData(ConsciousnessLevel.AwakensToTouch, 3, "awakens only to tactile stimulus")]
    [InlineData(ConsciousnessLevel.Unarousable, 4, "unarousable")]
    public void GivenIce10AndALevelOfConsciousness_WhenGraded_ThenConsciousnessSetsTheGrade(ConsciousnessLevel level, int expected, string? driver)
    {
        var a = Grade(new Chart().Aged(15).Ice(10).Conscious(level));

        Assert.Equal(expected, a.Grade);
        Assert.Equal(expected, a.Domain(IcansDomain.Consciousness)!.Grade);
        Assert.Equal("Observation/r2", Assert.Single(a.Domain(IcansDomain.Consciousness)!.Evidence).Source);
        Assert.Equal(expected > 0, a.Notes.Any(n => n.StartsWith("A depressed level of consciousness counts for ICANS only", StringComparison.Ordinal)));
        if (driver is null) Assert.Empty(a.Drivers);
        else Assert.Equal([driver], a.Drivers);
    }

    [Theory]
    [InlineData(SeizureKind.RapidlyResolving, 3, "seizure (rapidly resolving)")]
    [InlineData(SeizureKind.ProlongedOrRepetitive, 4, "seizure (prolonged or repetitive)")]
    public void GivenIce10AndASeizure_WhenGraded_ThenTheSeizureKindSetsTheGrade(SeizureKind kind, int expected, string driver)
    {
        var a = Grade(new Chart().Aged(15).Ice(10).Seizure(kind));

        Assert.Equal(expected, a.Grade);
        Assert.Equal([driver], a.Drivers);
        Assert.Equal(["Observation/r1", "Observation/r2"], Sources(a).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData(EdemaKind.Focal, 3, "focal cerebral oedema")]
    [InlineData(EdemaKind.Diffuse, 4, "diffuse cerebral oedema")]
    [InlineData(EdemaKind.RaisedIcpSigns, 4, "signs of raised intracranial pressure")]
    public void GivenIce10AndCerebralOedema_WhenGraded_ThenFocalIs3AndDiffuseOrRaisedIcpIs4(EdemaKind kind, int expected, string driver)
    {
        var a = Grade(new Chart().Aged(15).Ice(10).Oedema(kind));

        Assert.Equal(expected, a.Grade);
        Assert.Equal([driver], a.Drivers);
        Assert.Equal("Observation/r2", Assert.Single(a.Domain(IcansDomain.RaisedIcpOrCerebralOedema)!.Evidence).Source);
    }

    [Fact]
    public void GivenIce10AndDeepFocalMotorWeakness_WhenGraded_ThenGrade4()
    {
        var a = Grade(new Chart().Aged(15).Ice(10).Motor());

        Assert.Equal(4, a.Grade);
        Assert.Equal(["deep focal motor weakness"], a.Drivers);
        Assert.Equal("Observation/r2", Assert.Single(a.Domain(IcansDomain.Motor)!.Evidence).Source);
    }

    [Fact]
    public void GivenTheAstctExample_WhenIce3AndAGeneralisedSeizure_ThenGrade3SetByTheSeizure()
    {
        var a = Grade(new Chart().Aged(15).Ice(3).Seizure(SeizureKind.RapidlyResolving));

        Assert.Equal(3, a.Grade);
        Assert.Equal(2, a.Domain(IcansDomain.Encephalopathy)!.Grade);
        Assert.Equal(["seizure (rapidly resolving)"], a.Drivers);
        Assert.Equal(["Observation/r1", "Observation/r2"], Sources(a).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void GivenSeed003Patient4_WhenARapidlyResolvingSeizureWithCapd6AndAwakensToVoice_ThenGrade3()
    {
        var b = new Chart().Aged(15).Seizure(SeizureKind.RapidlyResolving, 14).Capd(6, 12).Conscious(ConsciousnessLevel.AwakensToVoice, 12);

        var a = Grade(b);

        Assert.Equal(3, a.Grade);
        Assert.Equal(["seizure (rapidly resolving)"], a.Drivers);
        Assert.Equal("Observation/r1", a.Evidence[0].Source);
    }

    [Fact]
    public void GivenSeveralIceScores_WhenGraded_ThenTheWorstInTheWindowCountsNotTheLatest()
    {
        var a = Grade(new Chart().Aged(15).Ice(5, hoursAgo: 20).Ice(4, hoursAgo: 14).Ice(10, hoursAgo: 2));

        Assert.Equal(2, a.Grade);
        Assert.Equal(["ICE 4"], a.Drivers);
        Assert.Equal(["Observation/r2"], Sources(a));
    }

    [Theory]
    [InlineData(23.9, 3)]
    [InlineData(24.0, 0)]
    [InlineData(0.0, 3)]
    [InlineData(-0.5, 0)]
    public void GivenAnIce2NearTheWindowEdge_WhenGraded_ThenOnlyTheLast24HoursCount(double hoursAgo, int expected)
    {
        var a = Grade(new Chart().Aged(15).Ice(10, hoursAgo: 1).Ice(2, hoursAgo));

        Assert.Equal(expected, a.Grade);
        Assert.Equal([expected == 3 ? "Observation/r2" : "Observation/r1"], Sources(a));
    }

    [Fact]
    public void GivenNoNeurologicalRecordInTheWindow_WhenGraded_ThenNoGradeAndTheMissingScoreIsListed()
    {
        var a = Grade(new Chart().Aged(15).Ice(2, hoursAgo: 30));

        Assert.Null(a.Grade);
        Assert.False(a.IsGradable);
        Assert.Equal(IcansStatus.NoNeurologicalAssessment, a.Status);
        Assert.Contains(a.Notes, n => n.Contains("No neurological assessment in the last 24 h", StringComparison.Ordinal));
        Assert.Contains(a.Missing, m => m.StartsWith("an ICE or CAPD score", StringComparison.Ordinal));
        Assert.Empty(a.Evidence);
        Assert.Null(a.Tool);
    }

    [Fact]
    public void GivenOnlyAnAlertLevelOfConsciousness_WhenGraded_ThenGrade0ButTheMissingScoreIsSaid()
    {
        var a = Grade(new Chart().Aged(15).Conscious(ConsciousnessLevel.Alert));

        Assert.Equal(0, a.Grade);
        Assert.Null(a.Tool);
        Assert.Equal(["Observation/r1"], Sources(a));
        Assert.Contains(a.Missing, m => m.StartsWith("an ICE or CAPD score", StringComparison.Ordinal));
        Assert.Contains(a.Notes, n => n.Contains("may understate", StringComparison.Ordinal));
    }

    [Fact]
    public void GivenOnlyASeizure_WhenGraded_ThenGrade3AndTheMissingScoreIsSaid()
    {
        var a = Grade(new Chart().Aged(15).Seizure(SeizureKind.RapidlyResolving));

        Assert.Equal(3, a.Grade);
        Assert.Equal(["Observation/r1"], Sources(a));
        Assert.Contains("an ICE or CAPD score in the last 24 h", a.Missing);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(10)]
    public void GivenMechanicalVentilationAndAnIceScore_WhenNoSeizureOedemaOrMotorFinding_ThenNotGradableSaidPlainly(int ice)
    {
        var b = new Chart().Aged(15).Device(OxygenDevice.MechanicalVentilation, hoursAgo: 6).Ice(ice, hoursAgo: 3).Conscious(ConsciousnessLevel.Unarousable, hoursAgo: 3);

        var a = Grade(b);

        Assert.Null(a.Grade);
        Assert.Equal(IcansStatus.NotGradableIntubatedOrSedated, a.Status);
        Assert.Contains(a.Notes, n => n.StartsWith("Not gradable: intubated/sedated — encephalopathy cannot be assessed", StringComparison.Ordinal));
        Assert.Contains(a.Missing, m => m.Contains("off sedation", StringComparison.Ordinal));
        Assert.Equal(["Observation/r1"], Sources(a));
        Assert.Empty(a.Findings);
        Assert.Empty(a.Drivers);
    }

    [Theory]
    [InlineData("seizure", 4)]
    [InlineData("oedema", 3)]
    [InlineData("motor", 4)]
    public void GivenMechanicalVentilationAndAnObjectiveFinding_WhenGraded_ThenThatFindingGradesAndTheCaveatIsSaid(string finding, int expected)
    {
        var b = new Chart().Aged(15).Device(OxygenDevice.MechanicalVentilation, hoursAgo: 6).Ice(0, hoursAgo: 3);
        _ = finding switch
        {
            "seizure" => b.Seizure(SeizureKind.ProlongedOrRepetitive),
            "oedema" => b.Oedema(EdemaKind.Focal),
            _ => b.Motor(),
        };

        var a = Grade(b);

        Assert.Equal(expected, a.Grade);
        Assert.Equal(IcansStatus.Graded, a.Status);
        Assert.Null(a.Domain(IcansDomain.Encephalopathy));
        Assert.Equal(["Observation/r1", "Observation/r3"], Sources(a));
        Assert.Contains(a.Notes, n => n.Contains("Intubated/sedated", StringComparison.Ordinal) && n.Contains("may understate", StringComparison.Ordinal));
        Assert.Contains("an ICE or CAPD score taken off sedation", a.Missing);
    }

    [Fact]
    public void GivenVentilationThenExtubation_WhenAnIce2IsRecordedAfterwards_ThenItIsGraded()
    {
        var b = new Chart().Aged(15)
            .Ice(9, hoursAgo: 22).Device(OxygenDevice.MechanicalVentilation, hoursAgo: 20)
            .Device(OxygenDevice.NasalCannula, hoursAgo: 8).Ice(2, hoursAgo: 4);

        var a = Grade(b);

        Assert.Equal(3, a.Grade);
        Assert.Equal(["ICE 2"], a.Drivers);
        Assert.Equal(["Observation/r2", "Observation/r3", "Observation/r4"], Sources(a));
    }

    [Fact]
    public void GivenAnIce2BeforeIntubation_WhenStillVentilated_ThenNotGradableButTheEarlierIceIsShown()
    {
        var b = new Chart().Aged(15).Ice(2, hoursAgo: 10).Device(OxygenDevice.MechanicalVentilation, hoursAgo: 6);

        var a = Grade(b);

        Assert.Null(a.Grade);
        Assert.Equal(IcansStatus.NotGradableIntubatedOrSedated, a.Status);
        Assert.Contains(a.Notes, n => n.Contains("before or during mechanical ventilation", StringComparison.Ordinal) && n.Contains("ICE 2", StringComparison.Ordinal) && n.Contains("Observation/r1", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(OxygenDevice.Bipap)]
    [InlineData(OxygenDevice.HighFlowNasalCannula)]
    public void GivenNonInvasiveSupport_WhenGraded_ThenIceIsGradedNormally(OxygenDevice device)
    {
        var a = Grade(new Chart().Aged(15).Device(device).Ice(5));

        Assert.Equal(2, a.Grade);
        Assert.Equal(["Observation/r2"], Sources(a));
    }

    [Fact]
    public void GivenAnIceScoreOutside0To10_WhenGraded_ThenItIsNotUsedAndSaid()
    {
        var a = Grade(new Chart().Aged(15).Ice(14).Ice(8));

        Assert.Equal(1, a.Grade);
        Assert.Equal(["Observation/r2"], Sources(a));
        Assert.Contains(a.Notes, n => n.Contains("Observation/r1: ICE 14 is outside 0–10", StringComparison.Ordinal));
    }

    [Fact]
    public void GivenEverythingAbnormalAt4_WhenGraded_ThenEveryGrade4DomainIsADriverInTableOrder()
    {
        var b = new Chart().Aged(15).Ice(0).Conscious(ConsciousnessLevel.Unarousable).Seizure(SeizureKind.ProlongedOrRepetitive).Motor().Oedema(EdemaKind.Diffuse);

        var a = Grade(b);

        Assert.Equal(4, a.Grade);
        Assert.Equal(["ICE 0, unarousable", "unarousable", "seizure (prolonged or repetitive)", "deep focal motor weakness", "diffuse cerebral oedema"], a.Drivers);
        Assert.Equal(5, a.Evidence.Count);
    }

    // Of two seizures (or two oedema findings) in the window the graver counts, even when the milder one is later.
    [Theory]
    [InlineData(10.0, 2.0)]
    [InlineData(2.0, 10.0)]
    public void GivenAProlongedAndARapidlyResolvingSeizure_WhenGraded_ThenTheProlongedOneCounts(double prolongedHoursAgo, double rapidHoursAgo)
    {
        var b = new Chart().Aged(15).Ice(10, hoursAgo: 1)                   // r1
            .Seizure(SeizureKind.ProlongedOrRepetitive, prolongedHoursAgo)  // r2
            .Seizure(SeizureKind.RapidlyResolving, rapidHoursAgo);          // r3

        var a = Grade(b);

        Assert.Equal(4, a.Grade);
        Assert.Equal(["seizure (prolonged or repetitive)"], a.Drivers);
        Assert.Equal("Observation/r2", Assert.Single(a.Domain(IcansDomain.Seizure)!.Evidence).Source);
    }

    [Theory]
    [InlineData(10.0, 2.0)]
    [InlineData(2.0, 10.0)]
    public void GivenDiffuseAndFocalCerebralOedema_WhenGraded_ThenTheDiffuseOneCounts(double diffuseHoursAgo, double focalHoursAgo)
    {
        var b = new Chart().Aged(15).Ice(10, hoursAgo: 1)  // r1
            .Oedema(EdemaKind.Diffuse, diffuseHoursAgo)    // r2
            .Oedema(EdemaKind.Focal, focalHoursAgo);       // r3

        var a = Grade(b);

        Assert.Equal(4, a.Grade);
        Assert.Equal(["diffuse cerebral oedema"], a.Drivers);
        Assert.Equal("Observation/r2", Assert.Single(a.Domain(IcansDomain.RaisedIcpOrCerebralOedema)!.Evidence).Source);
    }

    // Of ICE scores of the same grade the lowest score counts; of equal scores the latest (the first
    // recorded when both are at the same instant). r1 and r2 in recording order.
    [Theory]
    [InlineData(5, 4.0, 3, 2.0, "Observation/r2")]
    [InlineData(3, 2.0, 5, 4.0, "Observation/r1")]
    [InlineData(3, 4.0, 5, 2.0, "Observation/r1")]
    [InlineData(5, 2.0, 5, 4.0, "Observation/r1")]
    [InlineData(5, 4.0, 5, 2.0, "Observation/r2")]
    [InlineData(5, 4.0, 6, 2.0, "Observation/r1")]
    [InlineData(5, 2.0, 5, 2.0, "Observation/r1")]
    public void GivenTwoIceScoresOfTheSameGrade_WhenGraded_ThenTheLowestThenTheLatestCounts(int first, double firstHoursAgo, int second, double secondHoursAgo, string source)
    {
        var a = Grade(new Chart().Aged(15).Ice(first, firstHoursAgo).Ice(second, secondHoursAgo));

        Assert.Equal(2, a.Grade);
        Assert.Equal([source], Sources(a));
        Assert.Equal([$"ICE {Math.Min(first, second)}"], a.Drivers);
    }

    // ICE 0 with "unarousable" within 1 h of it (either side) is grade 4; a minute further it is ICE 0
    // awake (grade 3), and the unarousable level grades 4 on its own.
    [Theory]
    [InlineData(3.0, 4, "ICE 0, unarousable")]
    [InlineData(1.0, 4, "ICE 0, unarousable")]
    [InlineData(3 + 1.0 / 60, 3, "ICE 0")]
    [InlineData(1 - 1.0 / 60, 3, "ICE 0")]
    public void GivenIce0AndUnarousableAboutAnHourApart_WhenGraded_ThenOnlyWithinTheHourIsItOneAssessment(double unarousableHoursAgo, int encephalopathyGrade, string description)
    {
        var b = new Chart().Aged(15).Ice(0, hoursAgo: 2).Conscious(ConsciousnessLevel.Unarousable, unarousableHoursAgo); // r1, r2

        var a = Grade(b);

        Assert.Equal(4, a.Grade);
        var finding = a.Domain(IcansDomain.Encephalopathy)!;
        Assert.Equal(encephalopathyGrade, finding.Grade);
        Assert.Equal(description, finding.Description);
        Assert.Equal(encephalopathyGrade == 4 ? ["Observation/r1", "Observation/r2"] : ["Observation/r1"], finding.Evidence.Select(e => e.Source));
    }

    // Intubated/sedated: mechanical ventilation in (now − 24 h, now] with no later non-ventilator record.
    [Theory]
    [InlineData(0.0, true)]
    [InlineData(-1.0 / 60, false)]
    [InlineData(24.0, false)]
    [InlineData(24 - 1.0 / 60, true)]
    public void GivenMechanicalVentilationAtTheEdgeOfTheWindow_WhenAsked_ThenOnlyInsideItIsThePatientIntubated(double hoursAgo, bool intubated)
    {
        var facts = new Chart().Aged(15).Device(OxygenDevice.MechanicalVentilation, hoursAgo).Build(); // r1

        var result = IcansGrading.IsIntubatedOrSedated(facts, Chart.Now, RuleSet.Default);
        var a = IcansGrading.Assess(facts, Chart.Now, RuleSet.Default);

        Assert.Equal(intubated, result);
        Assert.Equal(intubated ? IcansStatus.NotGradableIntubatedOrSedated : IcansStatus.NoNeurologicalAssessment, a.Status);
        Assert.Equal(intubated ? ["Observation/r1"] : [], Sources(a));
    }

    // Extubation is a non-ventilator oxygen record after the last ventilator record: not one before
    // it, nor one at the same instant. ICE 3 (r3) 2 h ago is graded only after extubation.
    [Theory]
    [InlineData(10.0, false)]
    [InlineData(5.0, false)]
    [InlineData(4.0, true)]
    public void GivenANonVentilatorRecordAroundTheVentilatorRecord_WhenGraded_ThenOnlyALaterOneIsExtubation(double cannulaHoursAgo, bool extubated)
    {
        var b = new Chart().Aged(15).Device(OxygenDevice.NasalCannula, cannulaHoursAgo).Device(OxygenDevice.MechanicalVentilation, 5).Ice(3, 2); // r1–r3

        var a = Grade(b);

        Assert.Equal(extubated ? IcansStatus.Graded : IcansStatus.NotGradableIntubatedOrSedated, a.Status);
        Assert.Equal(extubated ? 2 : null, a.Grade);
        Assert.Equal(extubated ? ["Observation/r2", "Observation/r1", "Observation/r3"] : ["Observation/r2"], Sources(a));
    }

    // Assessments before ventilation are set aside, and named for review only when abnormal
    // (ICE < 10, CAPD > 0, a depressed level of consciousness).
    [Theory]
    [InlineData("ice", 10, false)]
    [InlineData("ice", 9, true)]
    [InlineData("capd", 0, false)]
    [InlineData("capd", 1, true)]
    [InlineData("level", (int)ConsciousnessLevel.Alert, false)]
    [InlineData("level", (int)ConsciousnessLevel.AwakensSpontaneously, true)]
    public void GivenAnAssessmentBeforeIntubation_WhenStillVentilated_ThenOnlyAnAbnormalOneIsNamedForReview(string kind, int value, bool named)
    {
        var b = new Chart().Aged(15);
        _ = kind switch
        {
            "ice" => b.Ice(value, 10),
            "capd" => b.Capd(value, 10),
            _ => b.Conscious((ConsciousnessLevel)value, 10),
        };                                                    // r1
        b.Device(OxygenDevice.MechanicalVentilation, 6);      // r2

        var a = Grade(b);

        Assert.Equal(IcansStatus.NotGradableIntubatedOrSedated, a.Status);
        Assert.Equal(named, a.Notes.Any(n => n.StartsWith("Not graded because recorded before or during mechanical ventilation", StringComparison.Ordinal) && n.Contains("(Observation/r1)", StringComparison.Ordinal)));
        Assert.Equal(named, a.Notes.Any(n => n.StartsWith("Not graded because", StringComparison.Ordinal)));
        Assert.Equal(["Observation/r2"], Sources(a));
    }
}
