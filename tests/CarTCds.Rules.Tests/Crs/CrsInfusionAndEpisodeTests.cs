using CarTCds.Rules.Crs;
using CarTCds.Rules.Facts;

namespace CarTCds.Rules.Tests.Crs;

/// <summary>Issue 20 §1: nothing before the infusion counts toward CRS, and fever masking ends with
/// the CRS episode it was given in.</summary>
public sealed class CrsInfusionAndEpisodeTests
{
    private const double Minute = 1.0 / 60;

    private static CrsAssessment Grade(Chart b, RuleSet? rules = null) => CrsGrading.Assess(b.Build(), Chart.Now, rules ?? RuleSet.Default);

    // Infusion 6 h ago; fever 39.2 °C (r2) and recorded hypotension (r3) around it; 37.1 °C (r4) 1 h ago.
    [Theory]
    [InlineData(6 + Minute, 0)]
    [InlineData(6.0, 0)]
    [InlineData(6 - Minute, 2)]
    public void GivenFeverAndHypotensionAroundTheInfusion_WhenGraded_ThenOnlyFindingsAfterTheInfusionCount(double hoursAgo, int expected)
    {
        var b = new Chart().Infused(6).Temperature(39.2m, hoursAgo).HypotensionRecorded(hoursAgo).Temperature(37.1m, 1);

        var a = Grade(b);

        Assert.Equal(expected, a.Grade);
        Assert.Equal(Chart.Now.AddHours(-6), a.WindowStart);
        var evidence = a.Evidence.Select(e => e.Source).Order().ToList();
        Assert.Equal(expected == 2 ? ["Observation/r2", "Observation/r3"] : ["Observation/r4"], evidence);
    }

    [Theory]
    [InlineData(6 + Minute, 1)]
    [InlineData(6.0, 1)]
    [InlineData(6 - Minute, 3)]
    public void GivenAVasopressorStoppedAroundTheInfusion_WhenFebrileAfterIt_ThenOnlyARunningPressorCounts(double endedHoursAgo, int expected)
    {
        var b = new Chart().Infused(6).Infusion(Drug.Norepinephrine, 8, endedHoursAgo).Temperature(38.5m, 1);

        var a = Grade(b);

        Assert.Equal(expected, a.Grade);
        Assert.Equal(expected == 3 ? ["MedicationAdministration/r2", "Observation/r3"] : ["Observation/r3"], a.Evidence.Select(e => e.Source).Order().ToList());
    }

    [Fact]
    public void GivenFeverOnlyBeforeAnInfusionAt10_WhenTheCourseIsAnalysed_ThenDay0IsNotTheOnset()
    {
        // Infusion at 10:00 on day 0 (Now is 12:00 on day 0), fever 39.5 °C and SBP 70 at 08:00, 37.0 °C at 11:00.
        var b = new Chart().Aged(15).Infused(2).Temperature(39.5m, 4).Systolic(70m, 4).Temperature(37.0m, 1);

        var course = CrsCourseAnalysis.Analyse(b.Build(), Chart.Now, RuleSet.Default)!;

        var day0 = Assert.Single(course.Days);
        Assert.Equal(0, day0.Assessment.Grade);
        Assert.Null(course.OnsetDay);
        Assert.Equal(["Observation/r4"], day0.Assessment.Evidence.Select(e => e.Source));
    }

    // Fever 60 h ago (r2) → acetaminophen 59 h ago (r3) → nasal cannula 40 h ago (r4, last finding of
    // the episode) → nasal cannula again (r5) at the given time; 37.0 °C (r6) 1 h ago.
    // The episode ends 24 h after r4, i.e. 16 h ago: r5 exactly then starts a new episode.
    [Theory]
    [InlineData(16 + Minute, 2)]
    [InlineData(16.0, 0)]
    [InlineData(16 - Minute, 0)]
    public void GivenAnAntipyreticInAnEarlierEpisode_WhenOxygenComesBackAroundTheEpisodeEnd_ThenMaskingEndsWithTheEpisode(double oxygenHoursAgo, int expected)
    {
        var b = new Chart().Infused(96).Temperature(39.0m, 60).Given(Drug.Acetaminophen, 59)
            .Device(OxygenDevice.NasalCannula, 40).Device(OxygenDevice.NasalCannula, oxygenHoursAgo).Temperature(37.0m, 1);

        var a = Grade(b);

        Assert.Equal(expected, a.Grade);
        if (expected == 2)
        {
            Assert.Equal(FeverState.Masked, a.Fever.State);
            Assert.Equal("MedicationAdministration/r3", a.Fever.Masking!.DoseSource);
            Assert.Equal(Chart.Now.AddHours(-60), a.Fever.Masking.EpisodeStart);
            Assert.Equal(["MedicationAdministration/r3", "Observation/r5", "Observation/r6"], a.Evidence.Select(e => e.Source).Order().ToList());
        }
        else
        {
            Assert.Equal(FeverState.Afebrile, a.Fever.State);
            Assert.Equal("MedicationAdministration/r3", a.Fever.Masking!.DoseSource);
            Assert.Contains(a.Notes, n => n.Contains("no longer waives fever", StringComparison.Ordinal) && n.Contains("seek another cause", StringComparison.Ordinal));
            Assert.Equal(["Observation/r5", "Observation/r6"], a.Evidence.Select(e => e.Source).Order().ToList());
        }
    }

    [Fact]
    public void GivenTocilizumabOnDay3AndAWellPatient_WhenNasalCannulaOnDay45_ThenNotMaskedAndNotCrs()
    {
        var b = new Chart().Infused(45 * 24).Temperature(39.4m, 42 * 24).Given(Drug.Tocilizumab, 42 * 24 - 1)
            .Device(OxygenDevice.RoomAir, 40 * 24).Device(OxygenDevice.NasalCannula, 2).Temperature(37.2m, 2);

        var a = Grade(b);

        Assert.Equal(0, a.Grade);
        Assert.Equal(FeverState.Afebrile, a.Fever.State);
        Assert.Equal(Drug.Tocilizumab, a.Fever.Masking!.Drug);
    }

    // Issue 20 §1, the edges of the doses counted: infusion 6 h ago, nasal cannula 2 h ago, 37.0 °C
    // 1 h ago, tocilizumab at the given time. Only a dose after the infusion and up to now masks
    // (ASTCT 2019: CRS follows the infusion; a dose at the infusion instant is not CRS treatment).
    [Theory]
    [InlineData(6 + Minute, false)]
    [InlineData(6.0, false)]
    [InlineData(6 - Minute, true)]
    [InlineData(0.0, true)]
    [InlineData(-Minute, false)]
    public void GivenTocilizumabAroundTheInfusionOrNow_WhenOxygenWithoutFever_ThenOnlyADoseAfterTheInfusionAndUpToNowMasks(double doseHoursAgo, bool masked)
    {
        var b = new Chart().Infused(6, "Procedure/cart").Device(OxygenDevice.NasalCannula, 2, "Observation/o2")
            .Temperature(37.0m, 1, "Observation/t").Given(Drug.Tocilizumab, doseHoursAgo, id: "MedicationAdministration/toci");

        var a = Grade(b);

        Assert.Equal(masked ? 2 : 0, a.Grade);
        Assert.Equal(masked ? FeverState.Masked : FeverState.Afebrile, a.Fever.State);
        Assert.Equal(masked ? "MedicationAdministration/toci" : null, a.Fever.Masking?.DoseSource);
        Assert.Equal(masked ? ["MedicationAdministration/toci", "Observation/o2", "Observation/t"] : ["Observation/o2", "Observation/t"],
            a.Evidence.Select(e => e.Source).Order().ToList());
    }

    // Infusion, a temperature (fever), acetaminophen, then nasal cannula 8 h ago (22 h after the
    // fever: the same episode) and 37.0 °C 1 h ago. The antipyretic masks only a fever of at least
    // 38.0 °C charted after the infusion and at or before the dose.
    [Theory]
    [InlineData(40, 38.0, 30, 29, true)]
    [InlineData(40, 37.9, 30, 29, false)]
    [InlineData(40, 39.0, 30, 30, true)]
    [InlineData(40, 39.0, 30, 30 + Minute, false)]
    [InlineData(30, 39.0, 30 - Minute, 29, true)]
    [InlineData(30, 39.0, 30, 29, false)]
    [InlineData(30, 39.0, 30 + Minute, 29, false)]
    public void GivenAFeverThenAcetaminophen_WhenOxygenLaterInTheEpisode_ThenMaskedOnlyByAFeverAfterTheInfusionAndNotAfterTheDose(
        double infusedHoursAgo, double celsius, double feverHoursAgo, double doseHoursAgo, bool masked)
    {
        var b = new Chart().Infused(infusedHoursAgo, "Procedure/cart").Temperature((decimal)celsius, feverHoursAgo, "Observation/fever")
            .Given(Drug.Acetaminophen, doseHoursAgo, id: "MedicationAdministration/apap")
            .Device(OxygenDevice.NasalCannula, 8, "Observation/o2").Temperature(37.0m, 1, "Observation/t");

        var a = Grade(b);

        Assert.Equal(masked ? 2 : 0, a.Grade);
        Assert.Equal(masked ? FeverState.Masked : FeverState.Afebrile, a.Fever.State);
        Assert.Equal(masked ? "MedicationAdministration/apap" : null, a.Fever.Masking?.DoseSource);
        if (masked) Assert.Equal(Chart.Now.AddHours(-feverHoursAgo), a.Fever.Masking!.EpisodeStart);
        Assert.Equal(masked ? ["MedicationAdministration/apap", "Observation/o2", "Observation/t"] : ["Observation/o2", "Observation/t"],
            a.Evidence.Select(e => e.Source).Order().ToList());
    }

    // Fever 40 h ago (the only finding of its episode), a dose at the given time, nasal cannula 2 h
    // ago and 37.0 °C 1 h ago. The fever's episode ends 24 h after it (16 h ago): a dose exactly then
    // is outside it — acetaminophen masks nothing, tocilizumab starts an episode of its own.
    [Theory]
    [InlineData(Drug.Acetaminophen, 16 + Minute, 40.0)]
    [InlineData(Drug.Acetaminophen, 16.0, null)]
    [InlineData(Drug.Tocilizumab, 16 + Minute, 40.0)]
    [InlineData(Drug.Tocilizumab, 16.0, 16.0)]
    public void GivenAFever40HoursAgo_WhenADoseComesAroundTheEndOfItsEpisode_ThenOnlyADoseBeforeTheEndBelongsToIt(Drug drug, double doseHoursAgo, double? episodeStartHoursAgo)
    {
        var b = new Chart().Infused(48, "Procedure/cart").Temperature(39.0m, 40, "Observation/fever").Given(drug, doseHoursAgo, id: "MedicationAdministration/dose")
            .Device(OxygenDevice.NasalCannula, 2, "Observation/o2").Temperature(37.0m, 1, "Observation/t");

        var a = Grade(b);

        var masked = episodeStartHoursAgo is not null;
        Assert.Equal((masked ? 2 : 0, masked ? FeverState.Masked : FeverState.Afebrile), (a.Grade, a.Fever.State));
        Assert.Equal(episodeStartHoursAgo is { } h ? Chart.Now.AddHours(-h) : null, a.Fever.Masking?.EpisodeStart);
        Assert.Equal(masked ? ["MedicationAdministration/dose", "Observation/o2", "Observation/t"] : ["Observation/o2", "Observation/t"],
            a.Evidence.Select(e => e.Source).Order(StringComparer.Ordinal));
    }

    // Tocilizumab 30 h ago with no finding before it, one record 10 h ago, nasal cannula 2 h ago,
    // 37.0 °C 1 h ago. The cannula is 28 h after the dose: only a CRS-qualifying record 10 h ago
    // (20 h after the dose, 8 h before the cannula) keeps the dose's episode open.
    [Theory]
    [InlineData("oxygen flow 2 L/min", 2, "MedicationAdministration/toci Observation/o2 Observation/t")]
    [InlineData("oxygen flow 0 L/min", 0, "Observation/o2 Observation/t")]
    [InlineData("nasal cannula", 2, "MedicationAdministration/toci Observation/bridge Observation/t")]
    [InlineData("room air", 0, "Observation/o2 Observation/t")]
    [InlineData("SBP 89 mmHg at 15 y", 2, "MedicationAdministration/toci Observation/bridge Observation/o2 Observation/t")]
    [InlineData("SBP 90 mmHg at 15 y", 0, "Observation/o2 Observation/t")]
    [InlineData("hypotension recorded", 2, "MedicationAdministration/toci Observation/bridge Observation/o2 Observation/t")]
    [InlineData("norepinephrine 11 h to 10 h ago", 3, "MedicationAdministration/bridge MedicationAdministration/toci Observation/o2 Observation/t")]
    [InlineData("levetiracetam given", 0, "Observation/o2 Observation/t")]
    [InlineData("nothing", 0, "Observation/o2 Observation/t")]
    public void GivenTocilizumabWithoutFindings_WhenARecord10HoursAgoBridgesToOxygenNow_ThenOnlyACrsFindingKeepsTheEpisodeOpen(string bridge, int expected, string evidence)
    {
        var b = new Chart().Aged(15).Infused(40, "Procedure/cart").Given(Drug.Tocilizumab, 30, id: "MedicationAdministration/toci");
        _ = bridge switch
        {
            "oxygen flow 2 L/min" => b.Flow(2m, 10, "Observation/bridge"),
            "oxygen flow 0 L/min" => b.Flow(0m, 10, "Observation/bridge"),
            "nasal cannula" => b.Device(OxygenDevice.NasalCannula, 10, "Observation/bridge"),
            "room air" => b.Device(OxygenDevice.RoomAir, 10, "Observation/bridge"),
            "SBP 89 mmHg at 15 y" => b.Systolic(89m, 10, "Observation/bridge"),
            "SBP 90 mmHg at 15 y" => b.Systolic(90m, 10, "Observation/bridge"),
            "hypotension recorded" => b.HypotensionRecorded(10, "Observation/bridge"),
            "norepinephrine 11 h to 10 h ago" => b.Infusion(Drug.Norepinephrine, 11, 10, "MedicationAdministration/bridge"),
            "levetiracetam given" => b.Given(Drug.Levetiracetam, 10, id: "MedicationAdministration/bridge"),
            _ => b,
        };
        b.Device(OxygenDevice.NasalCannula, 2, "Observation/o2").Temperature(37.0m, 1, "Observation/t");

        var a = Grade(b);

        Assert.Equal(expected, a.Grade);
        Assert.Equal(expected > 0 ? FeverState.Masked : FeverState.Afebrile, a.Fever.State);
        // Masked or ended, the dose is named, and its episode starts at the dose (no finding before it).
        Assert.Equal("MedicationAdministration/toci", a.Fever.Masking?.DoseSource);
        Assert.Equal(Chart.Now.AddHours(-30), a.Fever.Masking!.EpisodeStart);
        Assert.Equal(evidence.Split(' '), a.Evidence.Select(e => e.Source).Order(StringComparer.Ordinal));
    }

    // Fever 30 h ago, tocilizumab 29 h ago, nasal cannula at the given time and again exactly now;
    // 37.0 °C 1 h ago. The episode ends 24 h after its last finding: a cannula exactly 24 h before
    // now leaves the dose's episode ended (the cannula now starts a new one); one minute later, the
    // episode runs on to the cannula now, its last finding.
    [Theory]
    [InlineData(24.0, false)]
    [InlineData(24 - Minute, true)]
    public void GivenTocilizumabAndOxygen_WhenTheLastFindingIsAround24HoursBeforeNow_ThenMaskingEndsExactly24HoursAfterIt(double earlierOxygenHoursAgo, bool masked)
    {
        var b = new Chart().Infused(40, "Procedure/cart").Temperature(39.0m, 30, "Observation/fever").Given(Drug.Tocilizumab, 29, id: "MedicationAdministration/toci")
            .Device(OxygenDevice.NasalCannula, earlierOxygenHoursAgo, "Observation/o2-earlier").Device(OxygenDevice.NasalCannula, 0, "Observation/o2-now")
            .Temperature(37.0m, 1, "Observation/t");

        var a = Grade(b);

        Assert.Equal(masked ? 2 : 0, a.Grade);
        Assert.Equal(masked ? FeverState.Masked : FeverState.Afebrile, a.Fever.State);
        var m = a.Fever.Masking!;
        Assert.Equal(("MedicationAdministration/toci", Chart.Now.AddHours(-30)), (m.DoseSource, m.EpisodeStart));
        Assert.Equal(masked ? Chart.Now : Chart.Now.AddHours(-24), m.LastFinding);
        Assert.Equal(masked ? ["MedicationAdministration/toci", "Observation/o2-earlier", "Observation/t"] : ["Observation/o2-now", "Observation/t"],
            a.Evidence.Select(e => e.Source).Order(StringComparer.Ordinal).ToList());
        if (!masked) Assert.Contains(a.Notes, n => n.Contains("its CRS episode ended 2013-05-19 12:00Z", StringComparison.Ordinal));
    }

    // Tocilizumab 40 h ago, norepinephrine from 39 h ago to the given end, nasal cannula 5 h ago,
    // 37.0 °C 1 h ago. A stopped pressor is a finding up to its end; one whose end is charted after
    // now counts up to now.
    [Theory]
    [InlineData(35.0, 0, 35.0)]
    [InlineData(-2.0, 3, 0.0)]
    public void GivenTocilizumabThenNorepinephrine_WhenThePressorEndsBeforeOrAfterNow_ThenTheEpisodeRunsToItsEndButNotPastNow(double pressorEndedHoursAgo, int expected, double lastFindingHoursAgo)
    {
        var b = new Chart().Infused(48, "Procedure/cart").Given(Drug.Tocilizumab, 40, id: "MedicationAdministration/toci")
            .Infusion(Drug.Norepinephrine, 39, pressorEndedHoursAgo, "MedicationAdministration/norepinephrine")
            .Device(OxygenDevice.NasalCannula, 5, "Observation/o2").Temperature(37.0m, 1, "Observation/t");

        var a = Grade(b);

        Assert.Equal(expected, a.Grade);
        var m = a.Fever.Masking!;
        Assert.Equal(("MedicationAdministration/toci", Chart.Now.AddHours(-40)), (m.DoseSource, m.EpisodeStart));
        Assert.Equal(Chart.Now.AddHours(-lastFindingHoursAgo), m.LastFinding);
        Assert.Equal(expected == 3 ? ["MedicationAdministration/norepinephrine", "MedicationAdministration/toci", "Observation/o2", "Observation/t"] : ["Observation/o2", "Observation/t"],
            a.Evidence.Select(e => e.Source).Order(StringComparer.Ordinal).ToList());
    }

    [Fact]
    public void GivenNorepinephrineRunningFromTheInfusionInstant_WhenTocilizumabFollows_ThenTheEpisodeStartsAfterTheInfusion()
    {
        var b = new Chart().Infused(10, "Procedure/cart").Infusion(Drug.Norepinephrine, 10, 9, "MedicationAdministration/norepinephrine")
            .Given(Drug.Tocilizumab, 9.5, id: "MedicationAdministration/toci").Device(OxygenDevice.NasalCannula, 2, "Observation/o2").Temperature(37.0m, 1, "Observation/t");

        var a = Grade(b);

        Assert.Equal((3, FeverState.Masked), (a.Grade, a.Fever.State));
        Assert.Equal(Chart.Now.AddHours(-10).AddTicks(1), a.Fever.Masking!.EpisodeStart);
        Assert.Equal(["MedicationAdministration/norepinephrine", "MedicationAdministration/toci", "Observation/o2", "Observation/t"],
            a.Evidence.Select(e => e.Source).Order(StringComparer.Ordinal));
    }

    // Two masking doses in one episode (fever 30 h ago, acetaminophen 29 h ago, tocilizumab at the
    // given time, nasal cannula 8 h ago, 37.0 °C 1 h ago): the card names the latest; at the same
    // instant, the one charted first.
    [Theory]
    [InlineData(20.0, "MedicationAdministration/toci")]
    [InlineData(29.0, "MedicationAdministration/apap")]
    public void GivenAcetaminophenThenTocilizumabInOneEpisode_WhenMasked_ThenTheLatestDoseIsNamed(double tociHoursAgo, string expected)
    {
        var b = new Chart().Infused(40, "Procedure/cart").Temperature(39.0m, 30, "Observation/fever")
            .Given(Drug.Acetaminophen, 29, id: "MedicationAdministration/apap").Given(Drug.Tocilizumab, tociHoursAgo, id: "MedicationAdministration/toci")
            .Device(OxygenDevice.NasalCannula, 8, "Observation/o2").Temperature(37.0m, 1, "Observation/t");

        var a = Grade(b);

        Assert.Equal((2, FeverState.Masked), (a.Grade, a.Fever.State));
        Assert.Equal(expected, a.Fever.Masking!.DoseSource);
        Assert.Equal([expected, "Observation/o2", "Observation/t"], a.Evidence.Select(e => e.Source).Order(StringComparer.Ordinal));
    }

    // The same two doses in an episode that ended (fever 80 h ago, acetaminophen 79 h ago,
    // tocilizumab at the given time, nasal cannula 5 h ago): the note names the latest dose.
    [Theory]
    [InlineData(70.0, "MedicationAdministration/toci", "tocilizumab of 2013-05-16 14:00Z")]
    [InlineData(79.0, "MedicationAdministration/apap", "acetaminophen of 2013-05-16 05:00Z")]
    public void GivenAcetaminophenThenTocilizumabInAnEndedEpisode_WhenOxygenNow_ThenTheNoteNamesTheLatestDose(double tociHoursAgo, string expected, string named)
    {
        var b = new Chart().Infused(100, "Procedure/cart").Temperature(39.0m, 80, "Observation/fever")
            .Given(Drug.Acetaminophen, 79, id: "MedicationAdministration/apap").Given(Drug.Tocilizumab, tociHoursAgo, id: "MedicationAdministration/toci")
            .Device(OxygenDevice.NasalCannula, 5, "Observation/o2").Temperature(37.0m, 1, "Observation/t");

        var a = Grade(b);

        Assert.Equal((0, FeverState.Afebrile), (a.Grade, a.Fever.State));
        Assert.Equal(expected, a.Fever.Masking!.DoseSource);
        Assert.Contains(a.Notes, n => n.Contains($"{named} no longer waives fever", StringComparison.Ordinal));
        Assert.Equal(["Observation/o2", "Observation/t"], a.Evidence.Select(e => e.Source).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void GivenNoInfusionOnRecord_WhenAcetaminophenFollowedAFeverInTheEpisode_ThenItMasksWithinTheLookBack()
    {
        var b = new Chart().Temperature(39.0m, 30, "Observation/fever").Given(Drug.Acetaminophen, 29, id: "MedicationAdministration/apap")
            .Device(OxygenDevice.NasalCannula, 8, "Observation/o2").Temperature(37.0m, 1, "Observation/t");

        var a = Grade(b);

        Assert.Equal((2, FeverState.Masked), (a.Grade, a.Fever.State));
        Assert.Equal(("MedicationAdministration/apap", Chart.Now.AddHours(-30)), (a.Fever.Masking!.DoseSource, a.Fever.Masking.EpisodeStart));
        Assert.Equal(["MedicationAdministration/apap", "Observation/o2", "Observation/t"], a.Evidence.Select(e => e.Source).Order(StringComparer.Ordinal));
    }

    // The course since an infusion on 2013-05-16 10:00 (day 0), graded day by day up to Now (day 3,
    // 2013-05-19 12:00) with the episodes prepared once for the whole course:
    // - "birthday": 10 years old from 2013-05-18 (SBP < 90 is hypotension from then, < 88 before:
    //   Mahadeo 2019 Tab. 2); fever d0 20:00, tocilizumab d0 21:00, SBP 89 d1 18:00 and d2 12:00. The
    //   SBPs join the dose's episode only once she is 10: day 1 is afebrile, day 2 masked grade 2.
    // - "pressor": no birth date; fever d0 18:00, tocilizumab d0 19:00, norepinephrine running since
    //   d1 06:00: masked grade 3 each day, the episode's last finding being that day's end.
    // - "oxygen now": fever d2 06:00, tocilizumab d2 07:00, nasal cannula d2 14:00 and exactly now.
    // Afebrile temperatures (t1, t2, t3) on days 1, 2 and 3.
    [Theory]
    [InlineData("birthday", 1, 0, FeverState.Afebrile, "MedicationAdministration/toci", 63.0, "Observation/t1")]
    [InlineData("birthday", 2, 2, FeverState.Masked, "MedicationAdministration/toci", 24.0, "MedicationAdministration/toci Observation/sbp-2 Observation/t2")]
    [InlineData("birthday", 3, 0, FeverState.Afebrile, "MedicationAdministration/toci", 24.0, "Observation/t3")]
    [InlineData("pressor", 1, 3, FeverState.Masked, "MedicationAdministration/toci", 36.0, "MedicationAdministration/norepinephrine MedicationAdministration/toci Observation/t1")]
    [InlineData("pressor", 2, 3, FeverState.Masked, "MedicationAdministration/toci", 12.0, "MedicationAdministration/norepinephrine MedicationAdministration/toci Observation/t2")]
    [InlineData("pressor", 3, 3, FeverState.Masked, "MedicationAdministration/toci", 0.0, "MedicationAdministration/norepinephrine MedicationAdministration/toci Observation/t3")]
    [InlineData("oxygen now", 3, 2, FeverState.Masked, "MedicationAdministration/toci", 0.0, "MedicationAdministration/toci Observation/o2-now Observation/t3")]
    public void GivenACourseSinceInfusion_WhenEachDayIsGraded_ThenMaskingFollowsTheEpisodeUpToThatDaysEnd(
        string chart, int day, int grade, FeverState fever, string dose, double lastFindingHoursAgo, string evidence)
    {
        var b = new Chart().Infused(74, "Procedure/cart").Temperature(37.0m, 48, "Observation/t1").Temperature(37.0m, 23, "Observation/t2").Temperature(37.0m, 4, "Observation/t3");
        _ = chart switch
        {
            "birthday" => b.Born(new DateOnly(2003, 5, 18)).Temperature(39.0m, 64, "Observation/fever").Given(Drug.Tocilizumab, 63, id: "MedicationAdministration/toci")
                .Systolic(89m, 42, "Observation/sbp-1").Systolic(89m, 24, "Observation/sbp-2"),
            "pressor" => b.Born(null).Temperature(39.0m, 66, "Observation/fever").Given(Drug.Tocilizumab, 65, id: "MedicationAdministration/toci")
                .Running(Drug.Norepinephrine, 54, "MedicationAdministration/norepinephrine"),
            _ => b.Temperature(39.0m, 30, "Observation/fever").Given(Drug.Tocilizumab, 29, id: "MedicationAdministration/toci")
                .Device(OxygenDevice.NasalCannula, 22, "Observation/o2-earlier").Device(OxygenDevice.NasalCannula, 0, "Observation/o2-now"),
        };
        var facts = b.Build();

        var course = CrsCourseAnalysis.Analyse(facts, Chart.Now, RuleSet.Default)!;

        var a = course.Days.Single(d => d.Day == day).Assessment;
        Assert.Equal((grade, fever), (a.Grade, a.Fever.State));
        Assert.Equal(dose, a.Fever.Masking?.DoseSource);
        // Up to the day's end (the last tick of its UTC day, or now), never past it.
        var dayEnd = new DateTimeOffset(2013, 5, 17 + day, 0, 0, 0, TimeSpan.Zero).AddTicks(-1);
        var expectedLast = Chart.Now.AddHours(-lastFindingHoursAgo);
        Assert.Equal(expectedLast > dayEnd ? dayEnd : expectedLast, a.Fever.Masking!.LastFinding);
        Assert.Equal(evidence.Split(' '), a.Evidence.Select(e => e.Source).Order(StringComparer.Ordinal));
        // The same day graded alone over the whole chart says the same.
        var alone = CrsGrading.Assess(facts, a.WindowStart, a.WindowEnd, RuleSet.Default);
        Assert.Equal((a.Grade, a.Fever.State, a.Fever.Masking), (alone.Grade, alone.Fever.State, alone.Fever.Masking));
    }

    // Fever 39 °C charted in UTC and 40 oxygen flows charted in +09:30, all at the same instant, start the
    // episode of a tocilizumab dose 1 h later (a second fever 5 h after the onset is charted first); 28 h
    // later the patient is afebrile on oxygen (still the same episode: oxygen 14 h after the onset).
    // Equal starts keep the order the findings are collected in (temperatures first), so the episode
    // start is the fever's value, offset included, whether graded now or as the last day of the course
    // (a sort that is not stable puts a flow first here).
    [Theory]
    [InlineData("now")]
    [InlineData("course")]
    public void GivenFindingsStartingAnEpisodeAtTheSameInstantInTwoOffsets_WhenFeverIsMasked_ThenTheEpisodeStartIsTheFirstCollected(string graded)
    {
        // Arrange
        var infusion = new DateTimeOffset(2013, 5, 7, 10, 0, 0, TimeSpan.Zero);
        var onset = infusion.AddDays(2);
        var plus0930 = TimeSpan.FromHours(9.5);
        var flows = Enumerable.Range(1, 40).Select(i => new OxygenFlowReading(onset.ToOffset(plus0930), 2m, $"Observation/flow-{i}")).ToList();
        flows.Add(new OxygenFlowReading(onset.AddHours(14), 2m, "Observation/flow-14h"));
        flows.Add(new OxygenFlowReading(onset.AddHours(28), 2m, "Observation/flow-28h"));
        var facts = new ClinicalFacts
        {
            BirthDate = new DateOnly(2003, 1, 1),
            Infusions = [new(infusion, "Procedure/cart")],
            Temperatures = [new(onset.AddHours(5), 39.0m, "Observation/fever-5h"), new(onset, 39.0m, "Observation/fever"), new(onset.AddHours(28), 37.0m, "Observation/afebrile")],
            OxygenFlows = flows,
            Administrations = [new(Drug.Tocilizumab, onset.AddHours(1), null, false, 400m, "MedicationAdministration/toci")],
        };
        var at = onset.AddHours(30);

        // Act
        var a = graded == "now"
            ? CrsGrading.Assess(facts, at, RuleSet.Default)
            : CrsCourseAnalysis.Analyse(facts, at, RuleSet.Default)!.Days[^1].Assessment;

        // Assert
        Assert.Equal((2, FeverState.Masked), (a.Grade, a.Fever.State));
        Assert.Equal("MedicationAdministration/toci", a.Fever.Masking!.DoseSource);
        Assert.Equal((onset, TimeSpan.Zero), (a.Fever.Masking.EpisodeStart, a.Fever.Masking.EpisodeStart.Offset));
    }

    [Theory]
    [InlineData(24, true)]
    [InlineData(23.9, false)]
    public void GivenAnEpisodeEndShorterThanTheLookBack_WhenValidated_ThenRefused(double hours, bool valid)
    {
        var rules = new RuleSet { Crs = new CrsParameters { EpisodeEndsAfter = TimeSpan.FromHours(hours) } };

        var errors = rules.Validate();

        Assert.Equal(valid, errors.Count == 0);
        if (!valid) Assert.Contains(errors, e => e.Contains("Crs.EpisodeEndsAfter", StringComparison.Ordinal));
    }
}
