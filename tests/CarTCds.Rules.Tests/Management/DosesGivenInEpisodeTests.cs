using CarTCds.Rules.Facts;
using CarTCds.Rules.Management;

namespace CarTCds.Rules.Tests.Management;

/// <summary>Which earlier doses a suggested dose counts as "already given in this episode": those of the
/// same drug from the episode's start up to the evaluation time, both ends included (Stryker found
/// these comparisons unguarded).</summary>
public sealed class DosesGivenInEpisodeTests
{
    private static readonly DateTimeOffset Now = Chart.Now;
    private static readonly DateTimeOffset EpisodeStart = Now.AddHours(-10);

    public static TheoryData<Drug, double, bool> Doses() => new()
    {
        { Drug.Dexamethasone, 0, true },        // exactly at the episode's start: in it
        { Drug.Dexamethasone, -1, false },      // a minute before the episode began
        { Drug.Dexamethasone, 600, true },      // exactly at the evaluation time
        { Drug.Dexamethasone, 601, false },     // a minute after it: not yet given
        { Drug.Methylprednisolone, 0, false },  // another drug, inside the episode
    };

    [Theory]
    [MemberData(nameof(Doses))]
    public void GivenADoseNearTheEpisodeEdges_WhenDexamethasoneIsDosed_ThenOnlyDosesInsideTheEpisodeCount(Drug given, double minutesAfterEpisodeStart, bool counted)
    {
        // Arrange
        var facts = new ClinicalFacts
        {
            Weights = [new BodyWeight(Now.AddHours(-1), 20m, "Observation/w")],
            Administrations = [new DrugAdministration(given, EpisodeStart.AddMinutes(minutesAfterEpisodeStart), null, false, 10m, "MedicationAdministration/d")],
        };

        // Act
        var dose = WeightBasedDosing.Compute(Drug.Dexamethasone, RuleSet.Default.Management.Dexamethasone, facts, Now, EpisodeStart, RuleSet.Default);

        // Assert
        Assert.Equal(counted, dose.Given.Any(a => a.Source == "MedicationAdministration/d"));
        Assert.Equal(counted, dose.Evidence.Any(e => e.Source == "MedicationAdministration/d"));
    }
}
