using CarTCds.Rules.Facts;

namespace CarTCds.Rules.Tests;

public sealed class AgeTests
{
    [Theory]
    [InlineData("2000-05-19", "2026-05-18", 25)]
    [InlineData("2000-05-19", "2026-05-19", 26)]
    [InlineData("2000-02-29", "2026-02-28", 25)]
    [InlineData("2000-02-29", "2026-03-01", 26)]
    [InlineData("2000-02-29", "2024-02-29", 24)]
    [InlineData("2026-01-01", "2026-12-31", 0)]
    public void GivenABirthDate_WhenAskingCompletedYears_ThenTheBirthdayCounts(string birth, string on, int years)
    {
        Assert.Equal(years, Age.CompletedYears(DateOnly.Parse(birth, System.Globalization.CultureInfo.InvariantCulture), DateOnly.Parse(on, System.Globalization.CultureInfo.InvariantCulture)));
    }
}
