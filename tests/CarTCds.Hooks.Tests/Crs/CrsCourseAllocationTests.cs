using CarTCds.Rules;
using CarTCds.Rules.Crs;
using CarTCds.Rules.Facts;

namespace CarTCds.Hooks.Tests.Crs;

/// <summary>Issue 21: the CRS course of a chart with thousands of CRS findings does not allocate a list
/// of them on every call (at 10,000 Observations that list was a large-object-heap array, 85,000 bytes
/// or more, and brought a full garbage collection every few dozen hook calls). Here, not in
/// CarTCds.Rules.Tests: mutation testing instruments the rules, which would change what they allocate.</summary>
public sealed class CrsCourseAllocationTests
{
    [Fact]
    public void GivenACourseWith5000HypotensionRecords_WhenGradedAgainOnTheSameThread_ThenItAllocatesLessThanAListOfItsFindings()
    {
        // Arrange: 5,000 recorded hypotensions, one every 69 s over the 4 days after infusion, no temperature, so every
        // day looks for fever masking and reads the CRS episodes, i.e. all 5,000 findings.
        const int findings = 5_000;
        var infusion = new DateTimeOffset(2013, 5, 7, 10, 0, 0, TimeSpan.Zero);
        var facts = new ClinicalFacts
        {
            Infusions = [new(infusion, "Procedure/cart")],
            HypotensionRecords = Enumerable.Range(1, findings).Select(i => new HypotensionRecord(infusion.AddSeconds(69 * i), $"Observation/h{i}")).ToList(),
        };
        var at = infusion.AddDays(4);
        var first = CrsCourseAnalysis.Analyse(facts, at, RuleSet.Default)!;

        // Act
        var before = GC.GetAllocatedBytesForCurrentThread();
        var again = CrsCourseAnalysis.Analyse(facts, at, RuleSet.Default)!;
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        // Assert: a finding is at least two instants (start and end, 16 bytes each); the course reuses
        // the thread's list of them. It still sorts the records into days (12 bytes a record).
        Assert.True(allocated < findings * 2 * 16, $"the second course allocated {allocated:N0} bytes");
        Assert.Equal(first.Days.Select(d => (d.Day, d.Assessment.Grade, d.Assessment.Fever.State)), again.Days.Select(d => (d.Day, d.Assessment.Grade, d.Assessment.Fever.State)));
        Assert.Equal(5, again.Days.Count);
        Assert.All(again.Days, d => Assert.Equal((2, FeverState.NoTemperature), (d.Assessment.Hypotension?.Grade, d.Assessment.Fever.State)));
    }

    [Theory]
    [InlineData(30)]
    [InlineData(300)]
    public void GivenACrsEpisodeInTheFirstWeek_WhenTheCourseIsGradedOnALateDay_ThenEachDayCostsLessThanAKilobyte(int day)
    {
        // Arrange: fever, hypotension, oxygen and a vasopressor in the first days, tocilizumab and
        // antipyretics; nothing after day 6. Every later day is graded (and looks for fever masking)
        // over no record: each cost ≈3.8 KB when every day's texts and evidence were built (issue 21).
        var infusion = new DateTimeOffset(2013, 5, 7, 10, 0, 0, TimeSpan.Zero);
        DateTimeOffset On(int d, int hour) => infusion.Date.AddDays(d).AddHours(hour);
        var facts = new ClinicalFacts
        {
            BirthDate = new DateOnly(2005, 1, 1),
            Infusions = [new(infusion, "Procedure/cart")],
            Temperatures = [.. Enumerable.Range(0, 24).Select(i => new TemperatureReading(On(1 + i / 6, 4 * (i % 6)), 38.0m + i % 4 * 0.5m, $"Observation/t{i}"))],
            SystolicPressures = [.. Enumerable.Range(0, 12).Select(i => new SystolicPressureReading(On(2 + i / 6, 4 * (i % 6)), 80m + i, $"Observation/sbp{i}"))],
            OxygenDevices = [new(On(3, 6), OxygenDevice.NasalCannula, "Observation/o2")],
            OxygenFlows = [new(On(3, 6), 2m, "Observation/flow")],
            Administrations =
            [
                new(Drug.Norepinephrine, On(3, 8), On(4, 8), false, null, "MedicationAdministration/ne"),
                new(Drug.Tocilizumab, On(3, 9), null, false, 400m, "MedicationAdministration/toci"),
                .. Enumerable.Range(0, 6).Select(i => new DrugAdministration(Drug.Acetaminophen, On(1 + i, 10), null, false, 500m, $"MedicationAdministration/apap{i}")),
            ],
        };
        var at = On(day, 12);
        var early = CrsCourseAnalysis.Analyse(facts, On(7, 12), RuleSet.Default)!;
        var first = CrsCourseAnalysis.Analyse(facts, at, RuleSet.Default)!;

        // Act
        var before = GC.GetAllocatedBytesForCurrentThread();
        var again = CrsCourseAnalysis.Analyse(facts, at, RuleSet.Default)!;
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        // Assert: the days after the first week add less than 1 KB each; the grades are those of the first computation.
        var perLateDay = (allocated - (double)AllocatedFor(() => CrsCourseAnalysis.Analyse(facts, On(7, 12), RuleSet.Default))) / (day - 7);
        Assert.True(perLateDay < 1_024, $"each day after the first week allocated {perLateDay:N0} bytes");
        Assert.Equal(first.Days.Select(d => d.Grade), again.Days.Select(d => d.Grade));
        Assert.Equal((day + 1, 3), (again.Days.Count, again.MaxGrade));
        Assert.Equal(early.Days.Select(d => d.Grade), again.Days.Take(8).Select(d => d.Grade));
    }

    private static long AllocatedFor(Func<object?> action)
    {
        GC.KeepAlive(action());
        var before = GC.GetAllocatedBytesForCurrentThread();
        GC.KeepAlive(action());
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }
}
