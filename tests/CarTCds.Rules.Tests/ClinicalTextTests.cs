using CarTCds.Rules;

namespace CarTCds.Rules.Tests;

/// <summary>The one formatter of clinical text (<see cref="ClinicalText"/>): one date convention
/// (UTC, <c>yyyy-MM-dd HH:mmZ</c>) and no phrase said twice.</summary>
public sealed class ClinicalTextTests
{
    [Theory]
    [InlineData("2013-05-19T04:00:00Z", "2013-05-19 04:00Z")]
    [InlineData("2013-05-19T06:00:00+02:00", "2013-05-19 04:00Z")]
    [InlineData("2013-05-18T23:30:00-05:00", "2013-05-19 04:30Z")]
    public void GivenATimeWithAnyOffset_WhenWritten_ThenItIsWrittenInUtc(string time, string expected)
    {
        var t = DateTimeOffset.Parse(time, System.Globalization.CultureInfo.InvariantCulture);

        Assert.Equal(expected, ClinicalText.When(t));
    }

    [Theory]
    [InlineData("2013-05-18T23:00:00-05:00", "2013-05-19")]
    [InlineData("2013-05-19T00:30:00+01:00", "2013-05-18")]
    [InlineData("2013-05-19T00:00:00Z", "2013-05-19")]
    public void GivenATimeNearMidnight_WhenItsDateIsWritten_ThenItIsTheUtcDate(string time, string expected)
    {
        var t = DateTimeOffset.Parse(time, System.Globalization.CultureInfo.InvariantCulture);

        Assert.Equal(expected, ClinicalText.Date(t));
    }

    [Fact]
    public void GivenNoTime_WhenWritten_ThenADash()
    {
        Assert.Equal("—", ClinicalText.When((DateTimeOffset?)null));
    }

    public static TheoryData<string[], string> Phrases() => new()
    {
        { ["ICE 0, unarousable", "unarousable"], "ICE 0, unarousable" },
        { ["unarousable", "ICE 0, unarousable"], "ICE 0, unarousable" },
        { ["BiPAP", "BiPAP"], "BiPAP" },
        { ["norepinephrine", "Norepinephrine"], "norepinephrine" },
        { ["BiPAP", "norepinephrine", "fever 39.5 °C"], "BiPAP + norepinephrine + fever 39.5 °C" },
        // Not whole words: "pressin" is not a repeat of "vasopressin".
        { ["vasopressin", "pressin"], "vasopressin + pressin" },
        { ["ICE 2", "ICE 2 at 10:00"], "ICE 2 at 10:00" },
        { ["ICE 2", "ICE 20"], "ICE 2 + ICE 20" },
        { ["", "seizure"], "seizure" },
    };

    [Theory]
    [MemberData(nameof(Phrases))]
    public void GivenPhrases_WhenJoinedOnce_ThenNoPhraseIsSaidTwice(string[] phrases, string expected)
    {
        Assert.Equal(expected, ClinicalText.JoinOnce(" + ", phrases));
    }
}
