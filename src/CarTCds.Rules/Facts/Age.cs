namespace CarTCds.Rules.Facts;

/// <summary>Age arithmetic on calendar dates.</summary>
public static class Age
{
    /// <summary>Completed years on <paramref name="on"/> (the birthday itself counts as completed;
    /// a 29 February birthday is reached on 1 March in non-leap years).</summary>
    public static int CompletedYears(DateOnly birthDate, DateOnly on)
    {
        var years = on.Year - birthDate.Year;
        if (on < AddYearsClamped(birthDate, years)) years--;
        return years;
    }

    private static DateOnly AddYearsClamped(DateOnly d, int years)
    {
        var y = d.Year + years;
        // 29 Feb in a non-leap year: the anniversary is 1 March.
        return d is { Month: 2, Day: 29 } && !DateTime.IsLeapYear(y) ? new DateOnly(y, 3, 1) : new DateOnly(y, d.Month, d.Day);
    }
}
