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
