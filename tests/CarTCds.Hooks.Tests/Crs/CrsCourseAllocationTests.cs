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
}
