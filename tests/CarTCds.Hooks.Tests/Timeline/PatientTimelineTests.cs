using System.Globalization;
using System.Text.Json.Nodes;
using CarTCds.Fhir.Model;
using CarTCds.Fhir.Serialization;
using CarTCds.Hooks.Timeline;
using CarTCds.Rules;
using CarTCds.Rules.Facts;

namespace CarTCds.Hooks.Tests.Timeline;

/// <summary>FHIR → facts → grades per day, as the sandbox page and <c>cartcds timeline</c> show them.</summary>
public sealed class PatientTimelineTests
{
    private const string P1 = "cart-p1-post-sct-relapse.json";

    private static string Examples()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "CarTCds.sln"))) dir = dir.Parent;
        return Path.Combine(dir!.FullName, "profiles", "examples");
    }

    private static Bundle Example(string file) => (Bundle)FhirJson.Parse(File.ReadAllBytes(Path.Combine(Examples(), file)));

    /// <summary>P1's cart-toxicity expectations at 23:00Z (profiles/examples/expectations.json): day after infusion (2013-05-07), CRS and ICANS grade.</summary>
    public static TheoryData<int, int?, int?> P1EndOfDayExpectations()
    {
        var data = new TheoryData<int, int?, int?>();
        var infusionDay = new DateTime(2013, 5, 7, 0, 0, 0, DateTimeKind.Utc);
        foreach (var e in JsonNode.Parse(File.ReadAllText(Path.Combine(Examples(), "expectations.json")))!.AsArray())
        {
            var now = DateTimeOffset.Parse((string)e!["now"]!, CultureInfo.InvariantCulture);
            if ((string?)e["bundle"] != P1 || (string?)e["service"] != "cart-toxicity" || now.Hour != 23) continue;
            data.Add((int)(now.UtcDateTime.Date - infusionDay).TotalDays, (int?)e["expect"]!["crs-grade"], (int?)e["expect"]!["icans-grade"]);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(P1EndOfDayExpectations))]
    public void GivenP1sRecord_WhenTheTimelineIsBuilt_ThenEachDayShowsTheExpectedGradesAt2300(int day, int? crs, int? icans)
    {
        var days = PatientTimeline.Build(Example(P1), RuleSet.Default);

        var row = days.Single(d => d.Day == day);
        Assert.Equal(new DateTime(2013, 5, 7, 0, 0, 0, DateTimeKind.Utc).AddDays(day).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), row.Date);
        if (crs is not null) Assert.Equal(crs, row.CrsGrade);
        if (icans is not null) Assert.Equal(icans, row.IcansGrade);
    }

    [Fact]
    public void GivenP1sRecord_WhenTheTimelineIsBuilt_ThenDay5ShowsFeverBipapTheVasopressorAndTheDoses()
    {
        var days = PatientTimeline.Build(Example(P1), RuleSet.Default);

        var day5 = days.Single(d => d.Day == 5);
        Assert.Equal(39.5m, day5.MaxTemperatureC);
        Assert.Equal(nameof(OxygenDevice.Bipap), day5.OxygenDevice);
        Assert.Equal(3, day5.OxygenSupportLevel);
        Assert.True(day5.Vasopressor);
        Assert.Equal(["tocilizumab", "methylprednisolone"], day5.Doses.Select(d => d.Drug));
        Assert.Equal(416m, day5.Doses[0].Mg);
        Assert.False(days.Single(d => d.Day == 4).Vasopressor);
        Assert.Equal(Enumerable.Range(0, days.Count), days.Select(d => d.Day));
    }

    // Day 5 of P1: BiPAP from 14:00 (expectations.json: grade 3 at noon, 4 at 23:00).
    [Theory]
    [InlineData("2013-05-12T12:00:00Z", 3)]
    [InlineData("2013-05-12T23:00:00Z", 4)]
    public void GivenALiveRecordUntilNow_WhenTheTimelineIsBuilt_ThenItEndsTodayGradedAtNow(string until, int crsToday)
    {
        var days = PatientTimeline.Build(Example(P1), RuleSet.Default, DateTimeOffset.Parse(until, CultureInfo.InvariantCulture));

        Assert.Equal(5, days[^1].Day);
        Assert.Equal(crsToday, days[^1].CrsGrade);
    }

    // The last day is the day of the last temperature, at most 30 days after infusion.
    [Theory]
    [InlineData(29, 29)]
    [InlineData(30, 30)]
    [InlineData(31, 30)]
    public void GivenTheLastTemperatureOnDayN_WhenTheTimelineIsBuilt_ThenItEndsOnThatDayAtMost30(int lastTemperatureDay, int expectedLastDay)
    {
        var infused = new DateTimeOffset(2024, 1, 1, 10, 0, 0, TimeSpan.Zero);
        var facts = new ClinicalFacts
        {
            Infusions = [new CarTInfusion(infused, "Procedure/cart")],
            Temperatures = [new TemperatureReading(infused.AddDays(lastTemperatureDay), 37.0m, "Observation/t")],
        };

        var days = PatientTimeline.Build(facts, RuleSet.Default);

        Assert.Equal(expectedLastDay, days[^1].Day);
        Assert.Equal(expectedLastDay, PatientTimeline.LastDay(facts, facts.Infusions[0]));
    }

    [Fact]
    public void GivenARecordWithoutInfusion_WhenTheTimelineIsBuilt_ThenItHasNoDays()
    {
        var record = new Bundle { Type = "collection", Entry = [new BundleEntry { Resource = new Patient { Id = "p", BirthDate = "2010-01-01" } }] };

        Assert.Empty(PatientTimeline.Build(record, RuleSet.Default));
    }

    [Fact]
    public void GivenABundleWithTwoPatients_WhenTheTimelineIsBuilt_ThenItSaysTheBundleMustHoldOne()
    {
        var record = new Bundle { Type = "collection", Entry = [new BundleEntry { Resource = new Patient { Id = "a" } }, new BundleEntry { Resource = new Patient { Id = "b" } }] };

        var ex = Assert.Throws<ArgumentException>(() => PatientTimeline.Build(record, RuleSet.Default));
        Assert.StartsWith("The bundle must hold exactly one Patient (it holds 2).", ex.Message, StringComparison.Ordinal);
    }
}
