using System.Text.Json.Nodes;
using CarTCds.Hooks.Sandbox;

namespace CarTCds.Hooks.Tests.Sandbox;

public sealed class RecordTimeShiftTests
{
    private static JsonObject Bundle() => JsonNode.Parse("""
        {"resourceType":"Bundle","type":"transaction","entry":[
          {"resource":{"resourceType":"Patient","id":"p","birthDate":"2000-02-28"}},
          {"resource":{"resourceType":"Observation","id":"before","effectiveDateTime":"2013-05-12T22:00:00Z","valueString":"2013-05-12T22:00:00Z is text"}},
          {"resource":{"resourceType":"Observation","id":"edge","effectiveDateTime":"2013-05-12T23:00:00Z"}},
          {"resource":{"resourceType":"Observation","id":"after","effectiveDateTime":"2013-05-12T23:00:01Z"}},
          {"resource":{"resourceType":"MedicationAdministration","id":"running","effectivePeriod":{"start":"2013-05-12T09:30:00Z","end":"2013-05-14T08:00:00Z"}},"request":{"method":"PUT","url":"MedicationAdministration/running"}},
          {"resource":{"resourceType":"Condition","id":"dx","onsetDateTime":"2002-07"}}
        ]}
        """)!.AsObject();

    private static readonly DateTimeOffset Cutoff = new(2013, 5, 12, 23, 0, 0, TimeSpan.Zero);

    private static JsonObject Resource(JsonObject bundle, string id) =>
        bundle["entry"]!.AsArray().Select(e => e!["resource"]!.AsObject()).Single(r => (string?)r["id"] == id);

    [Fact]
    public void GivenRecordsAroundTheCutoff_WhenShifted_ThenOnlyThoseAfterItAreLeftOut()
    {
        var shifted = RecordTimeShift.Shift(Bundle(), Cutoff, TimeSpan.FromDays(10));

        var ids = shifted["entry"]!.AsArray().Select(e => (string?)e!["resource"]!["id"]).ToList();
        Assert.Equal(["p", "before", "edge", "running", "dx"], ids);
    }

    [Theory]
    [InlineData(10.0, "2013-05-22T22:00:00Z", "2000-03-09")]
    [InlineData(-1.0, "2013-05-11T22:00:00Z", "2000-02-27")]
    [InlineData(0.5, "2013-05-13T10:00:00Z", "2000-02-29")]   // half a day rounds away from zero: dates move one day
    [InlineData(0.25, "2013-05-13T04:00:00Z", "2000-02-28")]  // a quarter day: dates stay
    public void GivenAnOffset_WhenShifted_ThenInstantsMoveByItAndDatesByWholeDays(double days, string expectedInstant, string expectedBirthDate)
    {
        var shifted = RecordTimeShift.Shift(Bundle(), Cutoff, TimeSpan.FromDays(days));

        Assert.Equal(expectedInstant, (string?)Resource(shifted, "before")["effectiveDateTime"]);
        Assert.Equal(expectedBirthDate, (string?)Resource(shifted, "p")["birthDate"]);
    }

    [Fact]
    public void GivenNestedPeriodsPartialDatesAndRequestUrls_WhenShifted_ThenPeriodsMoveAndTheRestStays()
    {
        var original = Bundle();

        var shifted = RecordTimeShift.Shift(original, Cutoff, TimeSpan.FromDays(2));

        var period = Resource(shifted, "running")["effectivePeriod"]!;
        Assert.Equal("2013-05-14T09:30:00Z", (string?)period["start"]);
        Assert.Equal("2013-05-16T08:00:00Z", (string?)period["end"]);
        Assert.Equal("2002-07", (string?)Resource(shifted, "dx")["onsetDateTime"]);
        Assert.Equal("MedicationAdministration/running", (string?)shifted["entry"]![3]!["request"]!["url"]);
        // The input is not touched.
        Assert.Equal("2013-05-12T22:00:00Z", (string?)Resource(original, "before")["effectiveDateTime"]);
    }

    [Theory]
    [InlineData("""{"resourceType":"Patient","id":"p"}""", null)]
    [InlineData("""{"resourceType":"Observation","effectiveDateTime":"2013-05-12T10:00:00Z","issued":"2013-05-13T10:00:00Z"}""", "2013-05-12T10:00:00Z")]
    [InlineData("""{"resourceType":"Procedure","performedPeriod":{"start":"2013-05-07T10:00:00Z"}}""", "2013-05-07T10:00:00Z")]
    [InlineData("""{"resourceType":"MedicationRequest","authoredOn":"2016-05-18T09:30:00+02:00"}""", "2016-05-18T07:30:00Z")]
    public void GivenAResource_WhenItsClinicalTimeIsRead_ThenTheFirstOfEffectivePerformedOnsetAuthoredIsUsed(string json, string? expected)
    {
        var time = RecordTimeShift.ClinicalTime(JsonNode.Parse(json)!.AsObject());

        Assert.Equal(expected is null ? null : DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), time);
    }
}
