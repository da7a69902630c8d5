using CarTCds.Fhir.Validation;
using CarTCds.Hooks.Tests.TestSupport;
using CarTCds.Rules;

namespace CarTCds.Hooks.Tests.Facts;

/// <summary>The profile validator (CarTCds.Fhir, which cannot reference the rules) writes the time
/// of a record it leaves out by the same convention as every other clinical text
/// (<see cref="ClinicalText.When(DateTimeOffset)"/>): one date convention on a card.</summary>
public sealed class ExcludedRecordTimeTests
{
    [Theory]
    [InlineData("2013-05-19T04:00:00Z")]
    [InlineData("2013-05-19T06:00:00+02:00")]
    [InlineData("2013-05-18T23:00:00-05:00")]
    public void GivenARecordThatBreaksItsProfile_WhenItsReasonIsWritten_ThenItsTimeIsWrittenAsClinicalTextWritesIt(string effective)
    {
        var o = FhirData.Temperature("t-kg", 38m, "kg");
        o.EffectiveDateTime = effective;

        var check = ProfileValidator.Default.Check(o, null, recognised: true);

        Assert.Equal(ProfileOutcome.Invalid, check.Outcome);
        var when = ClinicalText.When(DateTimeOffset.Parse(effective, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal($"body temperature 38 kg on {when} ignored: unit 'kg' is not one of Cel, [degF]", check.Reason);
    }
}
