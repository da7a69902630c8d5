using System.Globalization;
using System.Text.Json;
using CarTCds.Fhir.Model;
using CarTCds.Fhir.Serialization;
using CarTCds.Hooks.Facts;
using CarTCds.Rules;
using CarTCds.Rules.Crs;
using CarTCds.Rules.Facts;

namespace CarTCds.Hooks.Tests.Crs;

/// <summary>The CRS course since infusion, graded from each day's own records and the episodes
/// prepared once, without the words and evidence of each day (<see cref="CrsCourseAnalysis"/>, issue 21),
/// gives exactly what grading every day over the whole chart gave (<see cref="ReferenceCrsCourse"/>):
/// every day's grade, and, built on request (<see cref="CrsDay.Assessment"/>), its window, fever (with its
/// masking dose and episode), hypotension, hypoxia, drivers, evidence, missing data and notes, and the
/// course's first day — on the seed journeys (seeded random patients: CarTCds.Rules.Tests,
/// CrsCourseGradesTests, where mutation testing sees them).</summary>
public sealed class CrsCourseEquivalenceTests
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = false };

    // Rule sets that move every boundary the course uses: the defaults; antipyretics not masking with
    // a longer episode; a short course (CourseMaxDays) so that older infusions start past day 0.
    private static readonly Dictionary<string, RuleSet> RuleSets = new()
    {
        ["default"] = RuleSet.Default,
        ["no-antipyretic-masking, 48 h episodes, 38.3 °C"] = new RuleSet
        {
            Crs = new CrsParameters { AntipyreticsMaskFever = false, EpisodeEndsAfter = TimeSpan.FromHours(48), FeverCelsius = 38.3m },
        },
        ["30-day course"] = new RuleSet { Crs = new CrsParameters { CourseMaxDays = 30 } },
    };

    private static string Root()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "CarTCds.sln"))) dir = dir.Parent;
        return dir!.FullName;
    }

    public static TheoryData<string, string> SeedJourneys()
    {
        var data = new TheoryData<string, string>();
        foreach (var file in Directory.GetFiles(Path.Combine(Root(), "profiles", "examples"), "cart-*.json").Order(StringComparer.Ordinal))
        {
            foreach (var rules in RuleSets.Keys) data.Add(Path.GetFileName(file), rules);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(SeedJourneys))]
    public void GivenASeedJourney_WhenTheCourseIsGradedAtEveryExpectationAndEverySixHours_ThenEveryDayEqualsTheWholeChartGrading(string bundle, string rules)
    {
        // Arrange
        var root = Root();
        var resources = ((Bundle)FhirJson.Parse(File.ReadAllBytes(Path.Combine(root, "profiles", "examples", bundle)))).Resources().ToList();
        var facts = ClinicalFactsMapper.Map(resources.OfType<Patient>().Single(), resources);
        using var expectations = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(root, "profiles", "examples", "expectations.json")));
        var times = expectations.RootElement.EnumerateArray()
            .Where(e => e.GetProperty("bundle").GetString() == bundle)
            .Select(e => DateTimeOffset.Parse(e.GetProperty("now").GetString()!, CultureInfo.InvariantCulture))
            .ToList();
        foreach (var infusion in facts.Infusions)
        {
            // The infusion instant itself, the tick after it, and every 6 h from the day before it to day 30.
            times.Add(infusion.Time);
            times.Add(infusion.Time.AddTicks(1));
            for (var h = -24; h <= 30 * 24; h += 6) times.Add(infusion.DayZero.AddHours(h));
        }

        // Act + Assert
        var graded = AssertSameCourses(facts, times, RuleSets[rules]);

        Assert.True(facts.Infusions.Count == 0 || graded > 0, $"{bundle}: no course was graded although an infusion is on record");
    }

    [Fact]
    public void GivenATenthBirthdayOnDay3_WhenSbp89ChainsTheEpisodeAfterIt_ThenDay3IsMaskedGrade2BothWays()
    {
        // Arrange: SBP 89 is hypotension from age 10 (threshold 90) but not at 9 (88; Mahadeo 2019
        // Table 2), so the episode of the tocilizumab dose reaches day 3 only once she is 10.
        var infusion = new DateTimeOffset(2013, 5, 7, 10, 0, 0, TimeSpan.Zero);
        DateTimeOffset On(int day, int hour) => new DateTimeOffset(2013, 5, 7, hour, 0, 0, TimeSpan.Zero).AddDays(day);
        var facts = new ClinicalFacts
        {
            BirthDate = new DateOnly(2003, 5, 10),
            Infusions = [new(infusion, "Procedure/infusion")],
            Temperatures = [new(On(1, 12), 39.0m, "Observation/fever"), new(On(3, 8), 37.0m, "Observation/afebrile")],
            SystolicPressures = [new(On(2, 6), 89m, "Observation/sbp-1"), new(On(3, 2), 89m, "Observation/sbp-2")],
            Administrations = [new(Drug.Tocilizumab, On(1, 13), null, false, 400m, "MedicationAdministration/toci")],
        };
        var at = On(3, 20);

        // Act
        var expected = ReferenceCrsCourse.Analyse(facts, at, RuleSet.Default)!.Value;
        var day3 = CrsCourseAnalysis.Analyse(facts, at, RuleSet.Default)!.Days.Single(d => d.Day == 3).Assessment;

        // Assert
        var expectedDay3 = expected.Days.Single(d => d.Day == 3).Assessment;
        Assert.Equal((FeverState.Masked, 2), (expectedDay3.Fever.State, expectedDay3.Grade));
        Assert.Equal((FeverState.Masked, 2), (day3.Fever.State, day3.Grade));
        Assert.Equal(["MedicationAdministration/toci", "Observation/sbp-2", "Observation/afebrile"], day3.Evidence.Select(e => e.Source));
        AssertSameCourses(facts, [at], RuleSet.Default);
    }

    // Grades the course at each time both ways and compares them day by day; returns how many courses there were.
    private static int AssertSameCourses(ClinicalFacts facts, IEnumerable<DateTimeOffset> times, RuleSet rules)
    {
        var graded = 0;
        foreach (var at in times.Distinct())
        {
            var expected = ReferenceCrsCourse.Analyse(facts, at, rules);
            var actual = CrsCourseAnalysis.Analyse(facts, at, rules);
            if (expected is not var (firstDay, days))
            {
                Assert.Null(actual);
                continue;
            }
            Assert.NotNull(actual);
            graded++;
            Assert.Equal((firstDay, days.Count), (actual.FirstDay, actual.Days.Count));
            // The grades the course decides without texts, before any assessment is built on request.
            Assert.Equal(days.Select(d => (d.Day, d.Assessment.Grade)), actual.Days.Select(d => (d.Day, d.Grade)));
            for (var i = 0; i < days.Count; i++)
            {
                Assert.Equal($"at {at:O} day {days[i].Day}: {JsonSerializer.Serialize(days[i], Json)}",
                    $"at {at:O} day {actual.Days[i].Day}: {JsonSerializer.Serialize(actual.Days[i], Json)}");
            }
        }
        return graded;
    }
}
