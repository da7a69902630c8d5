namespace CarTCds.Fhir.Tests;

/// <summary>FHIR date/dateTime/instant parsing (http://hl7.org/fhir/R4/datatypes.html#dateTime).</summary>
public sealed class FhirDateTimeTests
{
    private static DateTimeOffset Utc(int y, int mo, int d, int h = 0, int mi = 0, int s = 0) =>
        new(y, mo, d, h, mi, s, TimeSpan.Zero);

    public static TheoryData<string, DateTimeOffset, DateTimeOffset> PartialDates => new()
    {
        // A partial date stands for the whole interval it names: [start, end).
        { "2013", Utc(2013, 1, 1), Utc(2014, 1, 1) },
        { "1974", Utc(1974, 1, 1), Utc(1975, 1, 1) },
        { "2013-05", Utc(2013, 5, 1), Utc(2013, 6, 1) },
        { "2013-12", Utc(2013, 12, 1), Utc(2014, 1, 1) },
        { "2024-02", Utc(2024, 2, 1), Utc(2024, 3, 1) },
        { "2013-05-14", Utc(2013, 5, 14), Utc(2013, 5, 15) },
        { "2013-12-31", Utc(2013, 12, 31), Utc(2014, 1, 1) },
        { "2024-02-29", Utc(2024, 2, 29), Utc(2024, 3, 1) },
        // The ends of the calendar (issue 18): year 0001, and 9999, whose exclusive end (10000-01-01)
        // .NET cannot represent: it is DateTimeOffset.MaxValue, one tick short.
        { "0001", Utc(1, 1, 1), Utc(2, 1, 1) },
        { "0001-01", Utc(1, 1, 1), Utc(1, 2, 1) },
        { "0001-01-01", Utc(1, 1, 1), Utc(1, 1, 2) },
        { "9998", Utc(9998, 1, 1), Utc(9999, 1, 1) },
        { "9999", Utc(9999, 1, 1), DateTimeOffset.MaxValue },
        { "9999-11", Utc(9999, 11, 1), Utc(9999, 12, 1) },
        { "9999-12", Utc(9999, 12, 1), DateTimeOffset.MaxValue },
        { "9999-12-30", Utc(9999, 12, 30), Utc(9999, 12, 31) },
        { "9999-12-31", Utc(9999, 12, 31), DateTimeOffset.MaxValue },
    };

    [Theory]
    [MemberData(nameof(PartialDates))]
    public void GivenAPartialDate_WhenParsed_ThenItIsTheIntervalItNames(string value, DateTimeOffset expectedStart, DateTimeOffset expectedEnd)
    {
        // Arrange + Act
        var ok = FhirDateTime.TryParse(value, out var start, out var end);

        // Assert
        Assert.True(ok);
        Assert.Equal(expectedStart, start);
        Assert.Equal(TimeSpan.Zero, start.Offset);
        Assert.Equal(expectedEnd, end);
        Assert.True(start < end);
    }

    public static TheoryData<string, DateTimeOffset> FullDateTimes => new()
    {
        { "2013-05-14T09:30:10Z", Utc(2013, 5, 14, 9, 30, 10) },
        { "2015-02-07T13:28:17+02:00", Utc(2015, 2, 7, 11, 28, 17) },
        { "2013-04-02T09:30:10+01:00", Utc(2013, 4, 2, 8, 30, 10) },
        { "1974-12-25T14:35:45-05:00", Utc(1974, 12, 25, 19, 35, 45) },
        { "2024-01-01T00:30:00+02:00", Utc(2023, 12, 31, 22, 30, 0) },
        { "2017-01-01T00:00:00.000Z", Utc(2017, 1, 1) },
        { "2015-02-07T13:28:17.239+02:00", Utc(2015, 2, 7, 11, 28, 17).AddMilliseconds(239) },
        { "2020-03-01T10:00:00.1234567Z", Utc(2020, 3, 1, 10).AddTicks(1_234_567) },
        { "2020-03-01T10:00:00.5-03:30", Utc(2020, 3, 1, 13, 30).AddMilliseconds(500) },
        { "0001-01-01T00:00:00Z", Utc(1, 1, 1) },
        { "0001-01-01T00:00:00-05:00", Utc(1, 1, 1, 5) },
        { "0001-01-01T05:00:00+05:00", Utc(1, 1, 1) },
        { "0001-01-01T05:00:00.000+05:00", Utc(1, 1, 1) },
        { "9999-12-31T23:59:59Z", Utc(9999, 12, 31, 23, 59, 59) },
        { "9999-12-31T23:59:59.9999999Z", DateTimeOffset.MaxValue },
        { "9999-12-31T23:59:59+05:00", Utc(9999, 12, 31, 18, 59, 59) },
        { "9999-12-31T18:59:59-05:00", Utc(9999, 12, 31, 23, 59, 59) },
        { "9999-12-31T18:59:59.5-05:00", Utc(9999, 12, 31, 23, 59, 59).AddMilliseconds(500) },
    };

    [Theory]
    [MemberData(nameof(FullDateTimes))]
    public void GivenADateTimeWithAnOffset_WhenParsed_ThenStartAndEndAreThatInstant(string value, DateTimeOffset expected)
    {
        // Arrange + Act
        var ok = FhirDateTime.TryParse(value, out var start, out var end);

        // Assert
        Assert.True(ok);
        Assert.Equal(expected, start);
        Assert.Equal(expected.UtcTicks, start.UtcTicks);
        Assert.Equal(start, end);
    }

    [Fact]
    public void GivenADateTimeWithAPositiveOffset_WhenParsed_ThenTheOffsetIsKept()
    {
        // Arrange + Act
        var ok = FhirDateTime.TryParse("2015-02-07T13:28:17+02:00", out var start, out _);

        // Assert
        Assert.True(ok);
        Assert.Equal(TimeSpan.FromHours(2), start.Offset);
        Assert.Equal(13, start.Hour);
    }

    public static TheoryData<string?> Refused => new()
    {
        null,
        "",
        "garbage",
        "2013-05-14T09:30:10",          // a time without an offset is invalid FHIR
        "2013-05-14T09:30:10.123",      // ditto, with fractional seconds
        "2013-05-14T09:30Z",            // FHIR requires seconds
        "2013-05-14 09:30:10Z",         // a space is not the 'T' separator
        "2013-13",
        "2013-02-30",
        "2013-5-14",
        "13",
        "0000",
        "-2013",
        "20130514",
        "2013-05-14T25:00:00Z",
        "2013-05-14T09:30:10+2:00",
        "2013-05-14Z",
        " 2013",
        "2013-05-14T09:30:10Zjunk",
        // Valid FHIR whose UTC instant lies outside 0001-01-01T00:00:00Z – 9999-12-31T23:59:59.9999999Z:
        // not representable, refused rather than thrown on.
        "9999-12-31T23:59:59-05:00",
        "9999-12-31T19:00:00-05:00",
        "9999-12-31T20:00:00.000-14:00",
        "0001-01-01T00:00:00+05:00",
        "0001-01-01T04:59:59+05:00",
        "0001-01-01T09:00:00.5+14:00",
        "10000",
        "10000-01-01",
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public void GivenAnInvalidValue_WhenParsed_ThenItIsRefused(string? value)
    {
        // Arrange + Act
        var ok = FhirDateTime.TryParse(value, out var start, out var end);

        // Assert
        Assert.False(ok);
        Assert.Equal(default, start);
        Assert.Equal(default, end);
        Assert.Null(FhirDateTime.StartOf(value));
    }

    [Theory]
    [InlineData("2013", "2013-01-01T00:00:00Z")]
    [InlineData("2013-05-14", "2013-05-14T00:00:00Z")]
    [InlineData("2013-04-02T09:30:10+01:00", "2013-04-02T08:30:10Z")]
    public void GivenAValidValue_WhenStartOfIsTaken_ThenItIsTheIntervalStart(string value, string expectedUtc)
    {
        // Arrange + Act
        var start = FhirDateTime.StartOf(value);

        // Assert
        Assert.NotNull(start);
        Assert.Equal(expectedUtc, FhirDateTime.Format(start.Value));
    }

    [Theory]
    [InlineData("1974-12-25", 1974, 12, 25)]
    [InlineData("2024-02-29", 2024, 2, 29)]
    [InlineData("0001-01-01", 1, 1, 1)]
    [InlineData("9999-12-31", 9999, 12, 31)]
    public void GivenAFullDate_WhenParsedAsDate_ThenTheCalendarDateIsReturned(string value, int year, int month, int day)
    {
        // Arrange + Act
        var ok = FhirDateTime.TryParseDate(value, out var date);

        // Assert
        Assert.True(ok);
        Assert.Equal(new DateOnly(year, month, day), date);
    }

    [Theory]
    [InlineData("1974")]
    [InlineData("1974-12")]
    [InlineData("1974-12-25T14:35:45-05:00")]
    [InlineData("2023-02-29")]
    [InlineData("")]
    [InlineData(null)]
    public void GivenAnythingButAFullDate_WhenParsedAsDate_ThenItIsRefused(string? value)
    {
        // Arrange + Act
        var ok = FhirDateTime.TryParseDate(value, out _);

        // Assert
        Assert.False(ok);
    }

    public static TheoryData<DateTimeOffset, string> Formats => new()
    {
        { new DateTimeOffset(2024, 3, 1, 14, 5, 6, TimeSpan.FromHours(2)), "2024-03-01T12:05:06Z" },
        { new DateTimeOffset(2024, 3, 1, 0, 30, 0, TimeSpan.FromHours(1)), "2024-02-29T23:30:00Z" },
        { new DateTimeOffset(2024, 12, 31, 20, 0, 0, TimeSpan.FromHours(-5)), "2025-01-01T01:00:00Z" },
        { Utc(2013, 5, 14, 9, 30, 10).AddMilliseconds(987), "2013-05-14T09:30:10Z" },
        { Utc(1, 1, 1), "0001-01-01T00:00:00Z" },
    };

    [Theory]
    [MemberData(nameof(Formats))]
    public void GivenAnInstant_WhenFormatted_ThenItIsUtcWithSecondsAndZ(DateTimeOffset instant, string expected)
    {
        // Arrange + Act
        var formatted = FhirDateTime.Format(instant);

        // Assert
        Assert.Equal(expected, formatted);
        Assert.True(FhirDateTime.TryParse(formatted, out var reparsed, out _));
        Assert.Equal(instant.UtcTicks / TimeSpan.TicksPerSecond, reparsed.UtcTicks / TimeSpan.TicksPerSecond);
    }
}
