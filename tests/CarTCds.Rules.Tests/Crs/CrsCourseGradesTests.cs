using CarTCds.Rules.Crs;
using CarTCds.Rules.Facts;

namespace CarTCds.Rules.Tests.Crs;

/// <summary>The CRS course since infusion decides each day's grade without its words and evidence, from
/// each day's own records and the CRS episodes prepared once (<see cref="CrsCourseAnalysis"/>, issue 21);
/// <see cref="CrsDay.Assessment"/> grades the day again the plain way, over the whole chart. On seeded
/// random patients, at random times, every day's grade is the plain way's, and the course has the days
/// it should. Here, where mutation testing sees the course's machinery (its grades are all that
/// reaches a card); CarTCds.Hooks.Tests, CrsCourseEquivalenceTests, checks the seed journeys.</summary>
public sealed class CrsCourseGradesTests
{
    // 12 patients, two of them with 2,000 records: mutation testing runs these for every mutant of the CRS rules.
    private const int Seeds = 12;

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

    public static TheoryData<int, string> RandomPatients()
    {
        var data = new TheoryData<int, string>();
        for (var seed = 1; seed <= Seeds; seed++)
        {
            foreach (var rules in RuleSets.Keys) data.Add(seed, rules);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(RandomPatients))]
    public void GivenASeededRandomPatient_WhenTheCourseIsGradedAtRandomTimes_ThenEveryDaysGradeIsTheWholeChartGrade(int seed, string rules)
    {
        // Arrange
        var random = new Random(seed);
        var (facts, infusion) = RandomPatient(random, records: seed % 6 == 0 ? 2_000 : 300);
        var times = new List<DateTimeOffset> { infusion, infusion.AddTicks(1), infusion.AddDays(20) };
        for (var i = 0; i < 6; i++) times.Add(infusion.AddMinutes(random.Next(-2 * 24 * 60, 22 * 24 * 60)));

        // Act + Assert
        var graded = AssertSameGrades(facts, times, RuleSets[rules]);

        Assert.True(graded >= 3, $"seed {seed}: only {graded} courses graded");
    }

    [Fact]
    public void GivenTheRandomPatients_WhenGraded_ThenTheyReachEveryGradeAndBothMaskingStates()
    {
        // Arrange: the random patients above must exercise what could differ, or their equality proves little.
        var grades = new HashSet<int?>();
        var feverStates = new HashSet<FeverState>();
        var expiredMasking = false;

        // Act
        for (var seed = 1; seed <= Seeds; seed++)
        {
            var random = new Random(seed);
            var (facts, infusion) = RandomPatient(random, records: seed % 6 == 0 ? 2_000 : 300);
            foreach (var day in CrsCourseAnalysis.Analyse(facts, infusion.AddDays(20), RuleSet.Default)!.Days)
            {
                grades.Add(day.Assessment.Grade);
                feverStates.Add(day.Assessment.Fever.State);
                expiredMasking |= day.Assessment.Fever.State != FeverState.Masked && day.Assessment.Fever.Masking is not null;
            }
        }

        // Assert
        Assert.Equal(new int?[] { null, 0, 1, 2, 3, 4 }, grades.Order().ToArray());
        Assert.Equal(Enum.GetValues<FeverState>(), feverStates.Order().ToArray());
        Assert.True(expiredMasking, "no day showed a masking dose whose episode had ended");
    }


    [Fact]
    public void GivenATenthBirthdayOnDay3_WhenSbp89ChainsTheEpisodeAfterIt_ThenDay3IsMaskedGrade2AsTheWholeChartGradesIt()
    {
        // Arrange: SBP 89 is hypotension from age 10 (threshold 90) but not at 9 (88; Mahadeo 2019
        // Table 2), so the episode of the tocilizumab dose reaches day 3 only once she is 10: the course
        // collects the episodes' findings again when the threshold moves.
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
        var day3 = CrsCourseAnalysis.Analyse(facts, at, RuleSet.Default)!.Days.Single(d => d.Day == 3);

        // Assert
        Assert.Equal((2, 2, FeverState.Masked), (day3.Grade, day3.Assessment.Grade, day3.Assessment.Fever.State));
        AssertSameGrades(facts, [at], RuleSet.Default);
    }

    // Grades the course at each time and compares every day's grade with the plain way's; returns how many courses there were.
    private static int AssertSameGrades(ClinicalFacts facts, IEnumerable<DateTimeOffset> times, RuleSet rules)
    {
        var graded = 0;
        foreach (var at in times.Distinct())
        {
            var course = CrsCourseAnalysis.Analyse(facts, at, rules);
            if (facts.LatestInfusion(at) is not { } infusion)
            {
                Assert.Null(course);
                continue;
            }
            Assert.NotNull(course);
            graded++;
            var lastDay = infusion.CalendarDay(at);
            var firstDay = Math.Max(0, lastDay - (rules.Crs.CourseMaxDays - 1));
            Assert.Equal(Enumerable.Range(firstDay, lastDay - firstDay + 1), course.Days.Select(d => d.Day));
            Assert.Equal(firstDay, course.FirstDay);
            foreach (var day in course.Days)
            {
                Assert.True(day.Assessment.Grade == day.Grade, $"at {at:O} day {day.Day}: course grade {day.Grade}, whole-chart grade {day.Assessment.Grade}");
            }
        }
        return graded;
    }

    // A patient around one infusion with records in no order, clustered so that fevers, hypotension,
    // vasopressors (stopped, running, ending before they start), oxygen and masking doses meet in
    // episodes; times at midnight and one tick either side of it, in several UTC offsets; a birth date
    // that crosses the hypotension thresholds' ages (9, 10 and 11 years) during the course; sometimes an
    // earlier infusion too.
    private static (ClinicalFacts Facts, DateTimeOffset Infusion) RandomPatient(Random random, int records)
    {
        var infusion = new DateTimeOffset(2013, 5, 7, 0, 0, 0, TimeSpan.Zero).AddMinutes(random.Next(0, 24 * 60));
        // Sometimes at midnight or at the last tick of its day (the day-window edges).
        var midnight = new DateTimeOffset(infusion.UtcDateTime.Date, TimeSpan.Zero);
        infusion = random.Next(6) switch { 0 => midnight, 1 => midnight.AddDays(1).AddTicks(-1), _ => infusion };
        var offsets = new[] { TimeSpan.Zero, TimeSpan.FromHours(-5), TimeSpan.FromHours(9.5) };
        var clusters = Enumerable.Range(0, 4).Select(_ => infusion.AddHours(random.Next(-24, 21 * 24))).ToArray();
        DateTimeOffset Time()
        {
            var t = random.Next(5) switch
            {
                0 => new DateTimeOffset(infusion.UtcDateTime.Date, TimeSpan.Zero).AddDays(random.Next(-1, 22)).AddTicks(random.Next(-1, 2)),
                1 or 2 => clusters[random.Next(clusters.Length)].AddMinutes(random.Next(-36 * 60, 36 * 60)),
                _ => infusion.AddMinutes(random.Next(-2 * 24 * 60, 23 * 24 * 60)),
            };
            return t.ToOffset(offsets[random.Next(offsets.Length)]);
        }
        var id = 0;
        string Source(string type) => $"{type}/r{++id}";
        bool Feverish(DateTimeOffset t) => clusters.Any(c => (t - c).Duration() < TimeSpan.FromHours(30));

        var temperatures = new List<TemperatureReading>();
        var pressures = new List<SystolicPressureReading>();
        var hypotension = new List<HypotensionRecord>();
        var devices = new List<OxygenDeviceReading>();
        var flows = new List<OxygenFlowReading>();
        var drugs = new List<DrugAdministration>();
        var deviceKinds = Enum.GetValues<OxygenDevice>();
        var pressors = new[] { Drug.Norepinephrine, Drug.Epinephrine, Drug.Dopamine, Drug.Phenylephrine, Drug.Vasopressin };
        var maskers = new[] { Drug.Tocilizumab, Drug.Dexamethasone, Drug.Acetaminophen, Drug.Ibuprofen, Drug.Anakinra, Drug.Levetiracetam };
        for (var i = 0; i < records; i++)
        {
            var t = Time();
            var sick = Feverish(t);
            switch (random.Next(20))
            {
                case < 7:
                    // Few distinct values, so equal temperatures compete for the maximum.
                    temperatures.Add(new(t, sick ? 37.6m + (random.Next(0, 12) / 5m) : 36.5m + (random.Next(0, 8) / 5m), Source("Observation")));
                    break;
                case < 11:
                    // Around the age thresholds (86, 88, 90 mmHg at 8, 9, 10 years), so a birthday moves readings across them.
                    pressures.Add(new(t, sick ? 66m + random.Next(0, 28) : 100m + random.Next(0, 6) * 4m, Source("Observation")));
                    break;
                case 11:
                    if (sick) hypotension.Add(new(t, Source("Observation")));
                    break;
                case < 15:
                    devices.Add(new(t, sick ? deviceKinds[random.Next(deviceKinds.Length)] : OxygenDevice.RoomAir, Source("Observation")));
                    break;
                case < 18:
                    flows.Add(new(t, sick ? random.Next(0, 12) : 0m, Source("Observation")));
                    break;
                default:
                    if (random.Next(4) == 0)
                    {
                        var end = random.Next(4) switch { 0 => (DateTimeOffset?)null, 1 => t.AddHours(-2), _ => t.AddHours(random.Next(1, 60)) };
                        drugs.Add(new(pressors[random.Next(pressors.Length)], t, end, end is null && random.Next(2) == 0, null, Source("MedicationAdministration")));
                    }
                    else if (random.Next(3) == 0)
                    {
                        drugs.Add(new(maskers[random.Next(maskers.Length)], t, null, false, 10m, Source("MedicationAdministration")));
                    }
                    break;
            }
        }

        var infusions = new List<CarTInfusion> { new(infusion, "Procedure/infusion") };
        if (random.Next(3) == 0) infusions.Add(new(infusion.AddDays(-random.Next(40, 80)), "Procedure/earlier-infusion"));
        var birth = DateOnly.FromDateTime(infusion.UtcDateTime).AddYears(-random.Next(9, 12)).AddDays(random.Next(-5, 15));
        var facts = new ClinicalFacts
        {
            BirthDate = random.Next(8) == 0 ? null : birth,
            Temperatures = temperatures,
            SystolicPressures = pressures,
            HypotensionRecords = hypotension,
            OxygenDevices = devices,
            OxygenFlows = flows,
            Administrations = drugs,
            Infusions = infusions,
        };
        return (facts, infusion);
    }
}
