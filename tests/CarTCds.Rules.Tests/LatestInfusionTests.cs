using CarTCds.Rules.Facts;

namespace CarTCds.Rules.Tests;

/// <summary>Day 0 of every rule: the latest CAR-T infusion at or before the evaluation time
/// (<see cref="ClinicalFacts.LatestInfusion"/>).</summary>
public sealed class LatestInfusionTests
{
    private static readonly DateTimeOffset First = new(2013, 3, 1, 10, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Second = new(2013, 5, 7, 10, 0, 0, TimeSpan.Zero);

    // Infusions on record: "Procedure/first" and "Procedure/second" (listed second first, so order in the list is not time order).
    [Theory]
    [InlineData(-1, null)]
    [InlineData(0, "Procedure/first")]
    [InlineData(1, "Procedure/first")]
    public void GivenTheEvaluationAroundTheFirstInfusion_WhenAsked_ThenItCountsFromItsInstantOn(long ticksAfterFirst, string? expected)
    {
        // Arrange
        var facts = new ClinicalFacts { Infusions = [new(Second, "Procedure/second"), new(First, "Procedure/first")] };

        // Act
        var latest = facts.LatestInfusion(First.AddTicks(ticksAfterFirst));

        // Assert
        Assert.Equal(expected, latest?.Source);
    }

    [Theory]
    [InlineData(-1, "Procedure/first")]
    [InlineData(0, "Procedure/second")]
    [InlineData(1, "Procedure/second")]
    public void GivenTwoInfusions_WhenAskedAroundTheSecond_ThenTheLatestAtOrBeforeTheTimeIsDayZero(long ticksAfterSecond, string expected)
    {
        // Arrange
        var facts = new ClinicalFacts { Infusions = [new(Second, "Procedure/second"), new(First, "Procedure/first")] };

        // Act
        var latest = facts.LatestInfusion(Second.AddTicks(ticksAfterSecond));

        // Assert
        Assert.Equal(expected, latest!.Source);
    }

    [Fact]
    public void GivenTwoRecordsOfTheSameInstantInDifferentOffsets_WhenAsked_ThenTheFirstListedIsDayZero()
    {
        // Arrange: the same infusion charted twice, once in UTC and once in −05:00.
        var facts = new ClinicalFacts
        {
            Infusions = [new(Second.ToOffset(TimeSpan.FromHours(-5)), "Procedure/charted-local"), new(Second, "Procedure/charted-utc")],
        };

        // Act
        var latest = facts.LatestInfusion(Second.AddDays(1));

        // Assert
        Assert.Equal(("Procedure/charted-local", TimeSpan.FromHours(-5)), (latest!.Source, latest.Time.Offset));
    }
}
