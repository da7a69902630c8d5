using CarTCds.Rules.Facts;

namespace CarTCds.Rules.Tests;

/// <summary>Window edges computed from a record's time stay inside the calendar (issue 18).</summary>
public sealed class InstantsTests
{
    private static readonly TimeSpan EightHours = TimeSpan.FromHours(8);

    public static TheoryData<DateTimeOffset, TimeSpan, DateTimeOffset> Sums => new()
    {
        { new DateTimeOffset(2013, 5, 19, 8, 0, 0, TimeSpan.Zero), EightHours, new DateTimeOffset(2013, 5, 19, 16, 0, 0, TimeSpan.Zero) },
        { new DateTimeOffset(2013, 5, 19, 8, 0, 0, TimeSpan.FromHours(2)), EightHours, new DateTimeOffset(2013, 5, 19, 14, 0, 0, TimeSpan.Zero) },
        { DateTimeOffset.MaxValue - EightHours, EightHours, DateTimeOffset.MaxValue },          // exactly reaches the end
        { DateTimeOffset.MaxValue - EightHours + TimeSpan.FromTicks(1), EightHours, DateTimeOffset.MaxValue }, // one tick past: held
        { new DateTimeOffset(9999, 12, 31, 23, 0, 0, TimeSpan.Zero), EightHours, DateTimeOffset.MaxValue },
        { DateTimeOffset.MinValue + EightHours, -EightHours, DateTimeOffset.MinValue },
        { DateTimeOffset.MinValue, -TimeSpan.FromTicks(1), DateTimeOffset.MinValue },
        { DateTimeOffset.MinValue, TimeSpan.FromDays(1), new DateTimeOffset(1, 1, 2, 0, 0, 0, TimeSpan.Zero) },
    };

    [Theory]
    [MemberData(nameof(Sums))]
    public void GivenATimeAndASpan_WhenAdded_ThenTheSumIsHeldAtTheEndsOfTheCalendar(DateTimeOffset t, TimeSpan span, DateTimeOffset expected)
    {
        // Act
        var sum = t.PlusSaturating(span);

        // Assert
        Assert.Equal(expected, sum);
        Assert.Equal(expected, t.MinusSaturating(-span));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(24 * 14)]
    public void GivenTheFirstInstant_WhenALookBackIsSubtracted_ThenItIsTheFirstInstant(int hours)
    {
        Assert.Equal(DateTimeOffset.MinValue, DateTimeOffset.MinValue.MinusSaturating(TimeSpan.FromHours(hours)));
        Assert.Equal(DateTimeOffset.MaxValue, DateTimeOffset.MaxValue.PlusSaturating(TimeSpan.FromHours(hours)));
    }
}
