using CarTCds.Rules.Crs;
using CarTCds.Rules.Facts;

namespace CarTCds.Rules.Tests.Crs;

public sealed class CrsGradingTests
{
    private static CrsAssessment Grade(Chart b, RuleSet? rules = null) => CrsGrading.Assess(b.Build(), Chart.Now, rules ?? RuleSet.Default);

    [Theory]
    [InlineData(37.9, 0)]
    [InlineData(38.0, 1)]
    [InlineData(38.1, 1)]
    [InlineData(41.0, 1)]
    public void GivenOnlyATemperature_WhenGraded_ThenFeverAt38Point0IsGrade1(double celsius, int expected)
    {
        var b = new Chart().Temperature((decimal)celsius);

        var a = Grade(b);

        Assert.Equal(expected, a.Grade);
        var ev = Assert.Single(a.Evidence);
        Assert.Equal("Observation/r1", ev.Source);
        Assert.Contains($"{(decimal)celsius:0.0#} °C", ev.Description, StringComparison.Ordinal);
    }

    [Fact]
    public void GivenAnInstitutionFeverThresholdOf38Point3_When38Point2_ThenNoCrs()
    {
        var rules = new RuleSet { Version = "1.0.0-local", Crs = new CrsParameters { FeverCelsius = 38.3m } };

        var a = Grade(new Chart().Temperature(38.2m), rules);

        Assert.Equal(0, a.Grade);
        Assert.Equal(FeverState.Afebrile, a.Fever.State);
    }

    [Theory]
    [InlineData(6.0, 2, "low-flow")]
    [InlineData(6.5, 3, "high-flow")]
    [InlineData(0.5, 2, "low-flow")]
    [InlineData(15, 3, "high-flow")]
    public void GivenFeverAndOxygenFlow_WhenGraded_Then6LitresIsLowFlowAndAboveIsHighFlow(double lpm, int expected, string kind)
    {
        var b = new Chart().Temperature(39m).Device(OxygenDevice.NasalCannula).Flow((decimal)lpm);

        var a = Grade(b);

        Assert.Equal(expected, a.Grade);
        Assert.NotNull(a.Hypoxia);
        Assert.Equal($"nasal cannula {(decimal)lpm:0.##} L/min ({kind}", a.Hypoxia!.Description[..($"nasal cannula {(decimal)lpm:0.##} L/min ({kind}".Length)]);
        Assert.Equal(["Observation/r2", "Observation/r3"], a.Hypoxia.Evidence.Select(e => e.Source));
    }

    [Theory]
    [InlineData(OxygenDevice.RoomAir, 1)]
    [InlineData(OxygenDevice.BlowBy, 2)]
    [InlineData(OxygenDevice.NasalCannula, 2)]
    [InlineData(OxygenDevice.HighFlowNasalCannula, 3)]
    [InlineData(OxygenDevice.FaceMask, 3)]
    [InlineData(OxygenDevice.NonRebreatherMask, 3)]
    [InlineData(OxygenDevice.VenturiMask, 3)]
    [InlineData(OxygenDevice.Cpap, 4)]
    [InlineData(OxygenDevice.Bipap, 4)]
    [InlineData(OxygenDevice.MechanicalVentilation, 4)]
    public void GivenFeverAndADevice_WhenGraded_ThenTheDeviceSetsTheGrade(OxygenDevice device, int expected)
    {
        var a = Grade(new Chart().Temperature(39m).Device(device));

        Assert.Equal(expected, a.Grade);
        if (expected > 1)
        {
            Assert.Equal("Observation/r2", Assert.Single(a.Hypoxia!.Evidence).Source);
            Assert.Equal(CrsGrading.DeviceGrade(device).Name, Assert.Single(a.Drivers));
        }
    }

    [Theory]
    [InlineData(new[] { Drug.Norepinephrine }, 3, "norepinephrine")]
    [InlineData(new[] { Drug.Vasopressin }, 3, "vasopressin")]
    [InlineData(new[] { Drug.Norepinephrine, Drug.Vasopressin }, 3, "norepinephrine (+ vasopressin")]
    [InlineData(new[] { Drug.Norepinephrine, Drug.Epinephrine }, 4, "multiple vasopressors (norepinephrine + epinephrine)")]
    [InlineData(new[] { Drug.Norepinephrine, Drug.Epinephrine, Drug.Vasopressin }, 4, "multiple vasopressors")]
    [InlineData(new[] { Drug.Dopamine, Drug.Phenylephrine }, 4, "multiple vasopressors (dopamine + phenylephrine)")]
    public void GivenFeverAndConcurrentVasopressors_WhenGraded_ThenVasopressinNeverMakesMultiple(Drug[] drugs, int expected, string driver)
    {
        var b = new Chart().Temperature(39.5m);
        foreach (var d in drugs) b.Running(d);

        var a = Grade(b);

        Assert.Equal(expected, a.Grade);
        Assert.StartsWith(driver, Assert.Single(a.Drivers), StringComparison.Ordinal);
        Assert.Contains(a.Evidence, e => e.Source.StartsWith("MedicationAdministration/", StringComparison.Ordinal));
    }

    [Fact]
    public void GivenNorepinephrineStoppedBeforeEpinephrineStarted_WhenGraded_ThenOneVasopressorAtATimeIsGrade3()
    {
        var b = new Chart().Temperature(39m).Infusion(Drug.Norepinephrine, 20, 10).Running(Drug.Epinephrine, 9);

        var a = Grade(b);

        Assert.Equal(3, a.Grade);
    }

    [Theory]
    [InlineData(6.0, 2)]
    [InlineData(6.5, 3)]
    public void GivenFeverAndAFlowWithoutADevice_WhenGraded_ThenTheFlowAloneDecides(double lpm, int expected)
    {
        var a = Grade(new Chart().Temperature(38.6m).Flow((decimal)lpm));

        Assert.Equal(expected, a.Grade);
        Assert.Equal("Observation/r2", Assert.Single(a.Hypoxia!.Evidence).Source);
    }

    [Fact]
    public void GivenAFaceMaskAtFourLitres_WhenFebrile_ThenTheDeviceNotTheFlowSetsGrade3()
    {
        var a = Grade(new Chart().Temperature(38.6m).Device(OxygenDevice.FaceMask).Flow(4m));

        Assert.Equal(3, a.Grade);
        Assert.Equal("facemask 4 L/min", a.Hypoxia!.Description);
    }

    [Fact]
    public void GivenSeed003Patient1_WhenNorepinephrinePlusBiPap_ThenAstctGrade4SetByBiPap()
    {
        // Seed 003 calls this "grade 3" on an older scale; ASTCT: positive pressure is grade 4.
        var b = new Chart().Infused(5 * 24).Temperature(39.5m).Running(Drug.Norepinephrine).Device(OxygenDevice.Bipap);

        var a = Grade(b);

        Assert.Equal(4, a.Grade);
        Assert.Equal(["BiPAP"], a.Drivers);
        Assert.Equal(3, a.Hypotension!.Grade);
        Assert.Equal(
            ["MedicationAdministration/r3", "Observation/r2", "Observation/r4"],
            a.Evidence.Select(e => e.Source).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void GivenTheClinicalRulesExample_When39Point5OneVasopressorAndNasalCannula2L_ThenGrade3()
    {
        var b = new Chart().Temperature(39.5m).Running(Drug.Norepinephrine).Device(OxygenDevice.NasalCannula).Flow(2m);

        var a = Grade(b);

        Assert.Equal(3, a.Grade);
        Assert.Equal(["norepinephrine"], a.Drivers);
        Assert.Equal(2, a.Hypoxia!.Grade);
    }

    // Mahadeo et al. 2019 Table 2: 1–10 y SBP < 70 + 2 × age; > 10 y SBP < 90.
    [Theory]
    [InlineData(5, 79, 2)]
    [InlineData(5, 80, 1)]
    [InlineData(1, 71, 2)]
    [InlineData(1, 72, 1)]
    [InlineData(10, 89, 2)]
    [InlineData(10, 90, 1)]
    [InlineData(11, 89, 2)]
    [InlineData(11, 90, 1)]
    [InlineData(15, 89, 2)]
    [InlineData(30, 90, 1)]
    [InlineData(0, 69, 2)]
    [InlineData(0, 70, 1)]
    public void GivenFeverAndSystolicPressure_WhenGraded_ThenTheAgeThresholdDecidesHypotension(int ageYears, int sbp, int expected)
    {
        var b = new Chart().Aged(ageYears).Temperature(38.5m).Systolic(sbp);

        var a = Grade(b);

        Assert.Equal(expected, a.Grade);
        if (expected == 2)
        {
            Assert.Equal("Observation/r2", Assert.Single(a.Hypotension!.Evidence).Source);
            Assert.Contains($"at age {ageYears} y", a.Hypotension.Description, StringComparison.Ordinal);
        }
        else Assert.Null(a.Hypotension);
    }

    // The evidence is the lowest pressure, and of equal lowest ones the first recorded (list order).
    [Theory]
    [InlineData(80, 80, "Observation/sbp-a")]
    [InlineData(80, 79, "Observation/sbp-b")]
    [InlineData(79, 80, "Observation/sbp-a")]
    public void GivenTwoLowSystolicPressures_WhenGraded_ThenTheLowestIsTheEvidenceAndOfEqualOnesTheFirst(int first, int second, string expected)
    {
        var b = new Chart().Aged(10).Temperature(38.5m).Systolic(first, 2, "Observation/sbp-a").Systolic(second, 3, "Observation/sbp-b");

        var a = Grade(b);

        Assert.Equal(2, a.Grade);
        Assert.Equal(expected, Assert.Single(a.Hypotension!.Evidence).Source);
    }

    // The evidence is the latest recorded hypotension, and of equally late ones the first (list order).
    [Theory]
    [InlineData(3, 3, "Observation/h-a")]
    [InlineData(3, 2, "Observation/h-b")]
    [InlineData(2, 3, "Observation/h-a")]
    public void GivenTwoRecordedHypotensions_WhenGraded_ThenTheLatestIsTheEvidenceAndOfEquallyLateOnesTheFirst(double firstHoursAgo, double secondHoursAgo, string expected)
    {
        var b = new Chart().Temperature(38.5m).HypotensionRecorded(firstHoursAgo, "Observation/h-a").HypotensionRecorded(secondHoursAgo, "Observation/h-b");

        var a = Grade(b);

        Assert.Equal(2, a.Grade);
        Assert.Equal(expected, Assert.Single(a.Hypotension!.Evidence).Source);
    }

    [Fact]
    public void GivenARecordedHypotensionWithoutVasopressor_WhenFebrile_ThenGrade2()
    {
        var a = Grade(new Chart().Temperature(38.4m).HypotensionRecorded());

        Assert.Equal(2, a.Grade);
        Assert.Contains(a.Evidence, e => e.Source == "Observation/r2" && e.Description.StartsWith("hypotension recorded", StringComparison.Ordinal));
    }

    [Fact]
    public void GivenUnknownAge_WhenSystolicIsLow_ThenItIsNotJudgedAndTheMissingBirthDateIsSaid()
    {
        var a = Grade(new Chart().Born(null).Temperature(38.4m).Systolic(60));

        Assert.Equal(1, a.Grade);
        Assert.Contains(a.Missing, m => m.Contains("birthDate", StringComparison.Ordinal));
    }

    [Fact]
    public void GivenNeverFebrileAndNoTherapy_WhenOnAVasopressor_ThenNoCrsAndAnotherCauseIsSuggested()
    {
        var a = Grade(new Chart().Temperature(37.2m).Running(Drug.Norepinephrine));

        Assert.Equal(0, a.Grade);
        Assert.Contains(a.Notes, n => n.Contains("seek another cause", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(Drug.Tocilizumab)]
    [InlineData(Drug.Dexamethasone)]
    [InlineData(Drug.Methylprednisolone)]
    [InlineData(Drug.Anakinra)]
    [InlineData(Drug.Siltuximab)]
    public void GivenTocilizumabOrSteroidAfterInfusion_WhenAfebrileOnBiPap_ThenGradedOnHypoxiaAlone(Drug drug)
    {
        var b = new Chart().Infused(6 * 24).Given(drug, 20).Temperature(37.1m).Device(OxygenDevice.Bipap);

        var a = Grade(b);

        Assert.Equal(4, a.Grade);
        Assert.Equal(FeverState.Masked, a.Fever.State);
        Assert.Contains(a.Evidence, e => e.Source == "MedicationAdministration/r2" && e.Description.Contains("fever no longer required", StringComparison.Ordinal));
    }

    [Fact]
    public void GivenTocilizumabAndNoHypotensionOrHypoxia_WhenAfebrile_ThenGrade0NotGrade1()
    {
        var b = new Chart().Infused(6 * 24).Given(Drug.Tocilizumab, 20).Temperature(37.1m).Device(OxygenDevice.RoomAir);

        var a = Grade(b);

        Assert.Equal(0, a.Grade);
        Assert.Equal(FeverState.Masked, a.Fever.State);
        Assert.Contains(a.Notes, n => n.Contains("Fever may be masked", StringComparison.Ordinal));
    }

    [Fact]
    public void GivenAcetaminophenPremedicationAndNoFeverSinceInfusion_WhenOnAVasopressor_ThenFeverIsNotMasked()
    {
        var b = new Chart().Infused(48).Given(Drug.Acetaminophen, 47.5).Temperature(37.0m).Running(Drug.Norepinephrine);

        var a = Grade(b);

        Assert.Equal(0, a.Grade);
        Assert.Equal(FeverState.Afebrile, a.Fever.State);
    }

    [Theory]
    [InlineData(true, 3)]
    [InlineData(false, 0)]
    public void GivenAcetaminophenAfterADocumentedFever_WhenAfebrileOnAVasopressor_ThenTheParameterDecides(bool antipyreticsMask, int expected)
    {
        var rules = new RuleSet { Crs = new CrsParameters { AntipyreticsMaskFever = antipyreticsMask } };
        // Fever 30 h ago, acetaminophen, hypotension 20 h ago, a vasopressor now: one CRS episode.
        var b = new Chart().Infused(96).Temperature(39.0m, hoursAgo: 30).Given(Drug.Acetaminophen, 29).HypotensionRecorded(20).Temperature(37.0m).Running(Drug.Norepinephrine);

        var a = Grade(b, rules);

        Assert.Equal(expected, a.Grade);
    }

    [Fact]
    public void GivenTocilizumabBeforeTheInfusion_WhenAfebrileOnBiPap_ThenItDoesNotMaskFever()
    {
        var b = new Chart().Given(Drug.Tocilizumab, 60).Infused(48).Temperature(37.0m).Device(OxygenDevice.Bipap);

        var a = Grade(b);

        Assert.Equal(0, a.Grade);
    }

    [Fact]
    public void GivenNoTemperatureInTheWindow_WhenGraded_ThenNotGradableAndTheTemperatureIsMissing()
    {
        var a = Grade(new Chart().Temperature(39.9m, hoursAgo: 30).Device(OxygenDevice.FaceMask));

        Assert.Null(a.Grade);
        Assert.False(a.IsGradable);
        Assert.Contains(a.Missing, m => m.Contains("8310-5", StringComparison.Ordinal));
        Assert.Contains(a.Notes, n => n.Contains("record a temperature", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(23.9, 1)]
    [InlineData(24.0, 0)]
    [InlineData(-0.5, 0)]
    public void GivenAFeverNearTheWindowEdge_WhenGraded_ThenOnlyTheLast24HoursCount(double hoursAgo, int expected)
    {
        var a = Grade(new Chart().Temperature(37m, 1).Temperature(39m, hoursAgo));

        Assert.Equal(expected, a.Grade);
    }

    [Fact]
    public void GivenHypotensionAndHypoxiaOfTheSameGrade_WhenGraded_ThenBothAreNamedAsDrivers()
    {
        var a = Grade(new Chart().Temperature(39m).Running(Drug.Norepinephrine).Device(OxygenDevice.FaceMask));

        Assert.Equal(3, a.Grade);
        Assert.Equal(["norepinephrine", "facemask"], a.Drivers);
    }

    private const double Minute = 1.0 / 60;

    // The window is (now − 24 h, now]: a fever charted exactly now counts, one a minute after does not.
    [Theory]
    [InlineData(0.0, 1)]
    [InlineData(-Minute, null)]
    public void GivenAFeverAtOrAfterNow_WhenGraded_ThenOnlyOneUpToNowCounts(double hoursAgo, int? expected)
    {
        var a = Grade(new Chart().Temperature(39.0m, hoursAgo, "Observation/t"));

        Assert.Equal(expected, a.Grade);
        Assert.Equal(expected is null ? [] : new[] { "Observation/t" }, a.Evidence.Select(e => e.Source));
    }

    // What the CRS card says without a usable temperature, or afebrile, with or without a record left
    // out (unit not convertible) and with or without oxygen.
    [Theory]
    [InlineData("nothing", null, "no temperature recorded", "body temperature (LOINC 8310-5) in the 24 h before evaluation", "")]
    [InlineData("nasal cannula", null, "no temperature recorded", "body temperature (LOINC 8310-5) in the 24 h before evaluation",
        "Hypotension or hypoxia is present: record a temperature to grade CRS.")]
    [InlineData("temperature left out", null, "no usable temperature; Observation/bad left out",
        "body temperature (LOINC 8310-5) in the 24 h before evaluation (Observation/bad was left out)", "")]
    [InlineData("37.2 °C", 0, "afebrile (max 37.2 °C)", "", "")]
    [InlineData("37.2 °C, temperature left out", 0, "max 37.2 °C of the usable temperatures; Observation/bad left out", "",
        "Graded on the usable temperatures only: Observation/bad in the window was left out (see Left out); if it was a fever, CRS would be graded.")]
    [InlineData("37.2 °C, blood pressure left out", 0, "afebrile (max 37.2 °C)", "", "")]
    [InlineData("37.2 °C, nasal cannula", 0, "afebrile (max 37.2 °C)", "",
        "Hypotension or hypoxia without fever and without tocilizumab, steroids or antipyretics: not CRS by ASTCT criteria; seek another cause (e.g. sepsis).")]
    public void GivenNoFever_WhenGraded_ThenTheMissingDataAndNotesSayOnlyWhatApplies(string chart, int? grade, string fever, string missing, string notes)
    {
        var b = new Chart();
        if (chart.StartsWith("37.2", StringComparison.Ordinal)) b.Temperature(37.2m, 2, "Observation/t");
        if (chart.Contains("nasal cannula", StringComparison.Ordinal)) b.Device(OxygenDevice.NasalCannula, 3, "Observation/o2");
        if (chart.Contains("temperature left out", StringComparison.Ordinal)) b.LeftOut(RecordKind.Temperature, 1, "Observation/bad");
        if (chart.Contains("blood pressure left out", StringComparison.Ordinal)) b.LeftOut(RecordKind.Haemodynamics, 1, "Observation/bad");

        var a = Grade(b);

        Assert.Equal(grade, a.Grade);
        Assert.Equal(fever, a.Fever.Description);
        Assert.Equal(missing, string.Join(" | ", a.Missing));
        Assert.Equal(notes, string.Join(" | ", a.Notes));
        Assert.Equal(chart.StartsWith("37.2", StringComparison.Ordinal) ? new[] { "Observation/t" } : [], a.Fever.Evidence.Select(e => e.Source));
    }

    // Equal highest temperatures: the first charted is the evidence; a higher one replaces it.
    [Theory]
    [InlineData(39.0, "Observation/t1")]
    [InlineData(39.1, "Observation/t2")]
    public void GivenTwoFevers_WhenTheSecondIsEqualOrHigher_ThenTheFirstHighestIsTheEvidence(double second, string expected)
    {
        var a = Grade(new Chart().Temperature(39.0m, 5, "Observation/t1").Temperature((decimal)second, 2, "Observation/t2"));

        Assert.Equal(1, a.Grade);
        Assert.Equal(expected, Assert.Single(a.Evidence).Source);
    }

    // How a vasopressor is named in the evidence: a stopped infusion, a single dose, one still running.
    [Theory]
    [InlineData("infusion", "norepinephrine infusion from 2013-05-19 07:00Z")]
    [InlineData("given", "norepinephrine given from 2013-05-19 07:00Z")]
    [InlineData("running", "norepinephrine running from 2013-05-19 07:00Z")]
    public void GivenFeverAndNorepinephrine_WhenGraded_ThenTheEvidenceSaysHowItWasGiven(string how, string description)
    {
        var b = new Chart().Temperature(39.0m, 1, "Observation/t");
        _ = how switch
        {
            "infusion" => b.Infusion(Drug.Norepinephrine, 5, 3, "MedicationAdministration/ne"),
            "given" => b.Given(Drug.Norepinephrine, 5, id: "MedicationAdministration/ne"),
            _ => b.Running(Drug.Norepinephrine, 5, "MedicationAdministration/ne"),
        };

        var a = Grade(b);

        Assert.Equal(3, a.Grade);
        Assert.Equal(description, Assert.Single(a.Hypotension!.Evidence).Description);
        Assert.Equal(["MedicationAdministration/ne", "Observation/t"], a.Evidence.Select(e => e.Source));
    }

    [Fact]
    public void GivenTwoPairsOfConcurrentVasopressors_WhenGraded_ThenTheFirstPairIsTheGrade4Finding()
    {
        var b = new Chart().Temperature(39.0m, 1, "Observation/t")
            .Infusion(Drug.Norepinephrine, 10, 6, "MedicationAdministration/ne").Infusion(Drug.Epinephrine, 9, 6, "MedicationAdministration/epi")
            .Infusion(Drug.Dopamine, 4, 1, "MedicationAdministration/dopa").Infusion(Drug.Phenylephrine, 3, 1, "MedicationAdministration/phe");

        var a = Grade(b);

        Assert.Equal(4, a.Grade);
        Assert.Equal("multiple vasopressors (norepinephrine + epinephrine)", a.Hypotension!.Description);
        Assert.Equal(["MedicationAdministration/ne", "MedicationAdministration/epi"], a.Hypotension.Evidence.Select(e => e.Source));
    }

    // Fever 39.0 °C 1 h ago, and oxygen records: the first record of the highest grade is the hypoxia
    // finding; a flow within 1 h of a nasal cannula (exactly 1 h included) is that cannula's flow, the
    // nearer of two, the earlier of two as near; flows of 0 L/min and flows outside the window are not oxygen.
    [Theory]
    [InlineData("facemask 3 h, 2 L/min 6 h", 3, "facemask", "Observation/mask")]
    [InlineData("cannula 3 h, 2 L/min 6 h", 2, "nasal cannula", "Observation/nc")]
    [InlineData("cannula 6 h, cannula 3 h", 2, "nasal cannula", "Observation/nc")]
    [InlineData("0 L/min 3 h", 1, null, "")]
    [InlineData("2 L/min 30 h", 1, null, "")]
    [InlineData("cannula 2 h, 8 L/min 2.5 h", 3, "nasal cannula 8 L/min (high-flow, > 6 L/min)", "Observation/nc Observation/flow-1")]
    [InlineData("cannula 2 h, 8 L/min 3 h", 3, "nasal cannula 8 L/min (high-flow, > 6 L/min)", "Observation/nc Observation/flow-1")]
    [InlineData("cannula 2 h, 8 L/min 3 h 1 min", 3, "oxygen 8 L/min (high-flow, > 6 L/min)", "Observation/flow-1")]
    [InlineData("cannula 2 h, 4 L/min 2.5 h and 1.5 h", 2, "nasal cannula 4 L/min (low-flow, ≤ 6 L/min)", "Observation/nc Observation/flow-1")]
    [InlineData("cannula 2 h, 4 L/min 2.75 h and 1.8 h", 2, "nasal cannula 4 L/min (low-flow, ≤ 6 L/min)", "Observation/nc Observation/flow-2")]
    public void GivenFeverAndOxygenRecords_WhenGraded_ThenTheHypoxiaFindingIsTheFirstOfTheHighestGrade(string chart, int grade, string? hypoxia, string evidence)
    {
        var b = new Chart().Temperature(39.0m, 1, "Observation/t");
        _ = chart switch
        {
            "facemask 3 h, 2 L/min 6 h" => b.Device(OxygenDevice.FaceMask, 3, "Observation/mask").Flow(2m, 6, "Observation/flow-1"),
            "cannula 3 h, 2 L/min 6 h" => b.Device(OxygenDevice.NasalCannula, 3, "Observation/nc").Flow(2m, 6, "Observation/flow-1"),
            "cannula 6 h, cannula 3 h" => b.Device(OxygenDevice.NasalCannula, 6, "Observation/nc").Device(OxygenDevice.NasalCannula, 3, "Observation/nc-2"),
            "0 L/min 3 h" => b.Flow(0m, 3, "Observation/flow-1"),
            "2 L/min 30 h" => b.Flow(2m, 30, "Observation/flow-1"),
            "cannula 2 h, 8 L/min 2.5 h" => b.Device(OxygenDevice.NasalCannula, 2, "Observation/nc").Flow(8m, 2.5, "Observation/flow-1"),
            "cannula 2 h, 8 L/min 3 h" => b.Device(OxygenDevice.NasalCannula, 2, "Observation/nc").Flow(8m, 3, "Observation/flow-1"),
            "cannula 2 h, 8 L/min 3 h 1 min" => b.Device(OxygenDevice.NasalCannula, 2, "Observation/nc").Flow(8m, 3 + Minute, "Observation/flow-1"),
            "cannula 2 h, 4 L/min 2.5 h and 1.5 h" => b.Device(OxygenDevice.NasalCannula, 2, "Observation/nc").Flow(4m, 2.5, "Observation/flow-1").Flow(4m, 1.5, "Observation/flow-2"),
            _ => b.Device(OxygenDevice.NasalCannula, 2, "Observation/nc").Flow(4m, 2.75, "Observation/flow-1").Flow(4m, 1.8, "Observation/flow-2"),
        };

        var a = Grade(b);

        Assert.Equal(grade, a.Grade);
        Assert.Equal(hypoxia, a.Hypoxia?.Description);
        Assert.Equal(evidence, string.Join(" ", a.Hypoxia?.Evidence.Select(e => e.Source) ?? []));
    }
}

public sealed class CrsCourseTests
{
    [Fact]
    public void GivenNoInfusionOnRecord_WhenAnalysingTheCourse_ThenThereIsNone()
    {
        Assert.Null(CrsCourseAnalysis.Analyse(new Chart().Temperature(39m).Build(), Chart.Now, RuleSet.Default));
    }

    [Fact]
    public void GivenFeverOnDay2AndBiPapOnDay3_WhenAnalysedOnDay5_ThenMaxGrade4OnDay3AndOnsetDay2()
    {
        // Infusion at 10:00 five days before Now (12:00): day 0 is that calendar day.
        var b = new Chart().Infused(5 * 24 + 2)
            .Temperature(37.0m, hoursAgo: 4 * 24 + 2)                        // day 1: afebrile
            .Temperature(38.6m, hoursAgo: 3 * 24 + 2)                        // day 2: fever only
            .Temperature(39.4m, hoursAgo: 2 * 24 + 2).Device(OxygenDevice.Bipap, hoursAgo: 2 * 24 + 1) // day 3
            .Temperature(37.0m, hoursAgo: 1);                                // day 5
        var facts = b.Build();

        var course = CrsCourseAnalysis.Analyse(facts, Chart.Now, RuleSet.Default)!;

        Assert.Equal(6, course.Days.Count);
        Assert.Equal([null, 0, 1, 4, null, 0], course.Days.Select(d => d.Assessment.Grade));
        Assert.Equal(4, course.MaxGrade);
        Assert.Equal(3, course.MaxGradeDay);
        Assert.Equal(2, course.OnsetDay);
        Assert.Contains(course.Days[3].Assessment.Evidence, e => e.Description == "oxygen by BiPAP");
    }

    [Theory]
    // The evaluation day is day N; the course grades at most the last CourseMaxDays (365) days.
    [InlineData(363, 0, 364)]
    [InlineData(364, 0, 365)]   // day 364: exactly 365 days (0 … 364), all graded
    [InlineData(365, 1, 365)]   // day 365: one day too many, day 0 left out
    [InlineData(366, 2, 365)]
    public void GivenAnInfusionNDaysAgo_WhenAnalysingTheCourse_ThenAtMostTheLast365DaysAreGraded(int daysAgo, int firstDay, int graded)
    {
        // Arrange: infusion at 10:00 daysAgo days before Now (12:00); fever + BiPAP today.
        var facts = new Chart().Infused(daysAgo * 24 + 2).Temperature(39m, hoursAgo: 1).Device(OxygenDevice.Bipap, hoursAgo: 1).Build();

        // Act
        var course = CrsCourseAnalysis.Analyse(facts, Chart.Now, RuleSet.Default)!;

        // Assert
        Assert.Equal(firstDay, course.FirstDay);
        Assert.Equal(graded, course.Days.Count);
        Assert.Equal(firstDay, course.Days[0].Day);
        Assert.Equal(daysAgo, course.Days[^1].Day);
        Assert.Equal(4, course.MaxGrade);
        Assert.Equal(daysAgo, course.MaxGradeDay);
    }

    [Fact]
    public void GivenAnInfusionOnTheFirstDayOfTheCalendar_WhenAnalysingTheCourse_ThenTheLast365DaysAreGradedWithoutOverflow()
    {
        // Arrange: 0001-01-01T00:00Z is valid FHIR; day 0 has no instant before it.
        var facts = new ClinicalFacts
        {
            Temperatures = [new TemperatureReading(Chart.Now.AddHours(-1), 39m, "Observation/t")],
            Infusions = [new CarTInfusion(DateTimeOffset.MinValue, "Procedure/year-1")],
        };

        // Act
        var course = CrsCourseAnalysis.Analyse(facts, Chart.Now, RuleSet.Default)!;

        // Assert
        Assert.Equal(365, course.Days.Count);
        Assert.Equal(CarTInfusion.CalendarDayAfter(DateTimeOffset.MinValue, Chart.Now), course.Days[^1].Day);
        Assert.Equal(1, course.MaxGrade);
    }

    [Fact]
    public void GivenCourseMaxDaysOf30_WhenAnalysingACourseOf40Days_ThenOnlyTheLast30AreGraded()
    {
        // Arrange
        var rules = new RuleSet { Crs = new CrsParameters { CourseMaxDays = 30 } };
        var facts = new Chart().Infused(40 * 24 + 2).Temperature(38.5m, hoursAgo: 1).Build();

        // Act
        var course = CrsCourseAnalysis.Analyse(facts, Chart.Now, rules)!;

        // Assert
        Assert.Equal(11, course.FirstDay);
        Assert.Equal(30, course.Days.Count);
    }
}
