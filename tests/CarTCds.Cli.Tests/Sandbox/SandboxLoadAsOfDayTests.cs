using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using CarTCds.Cli.Tests.Evaluate;
using CarTCds.Fhir.Model;
using CarTCds.Fhir.Serialization;
using CarTCds.Hooks.Catalog;
using CarTCds.Hooks.Facts;
using CarTCds.Hooks.Sandbox;
using CarTCds.Rules.Facts;

namespace CarTCds.Cli.Tests.Sandbox;

/// <summary>A server of its own: these tests load moved stories, which the other FHIR server tests
/// must not see.</summary>
[CollectionDefinition(Name)]
public sealed class MovedStoriesFhirServerCollection : ICollectionFixture<FhirServerFixture>
{
    public const string Name = "FHIR server for stories moved to today (Medplum in memory)";
}

/// <summary><c>cartcds sandbox load --as-of-day N</c>: every story moved by whole days so that its
/// day N after infusion is today, against a real FHIR server, graded by the service on that clock.</summary>
[Collection(MovedStoriesFhirServerCollection.Name)]
public sealed class SandboxLoadAsOfDayTests(FhirServerFixture server) : IDisposable
{
    private const string Patient1 = "cart-p1-post-sct-relapse";

    /// <summary>The day the tests call "today" (any day works; a fixed one keeps them exact).</summary>
    private static readonly DateTimeOffset Today = new(2026, 12, 7, 0, 0, 0, TimeSpan.Zero);

    private readonly string _dir = Directory.CreateTempSubdirectory("cartcds-as-of-day-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string OnlyExample(string file)
    {
        File.Copy(Path.Combine(SandboxExamples.Folder, file), Path.Combine(_dir, file), overwrite: true);
        return _dir;
    }

    private static ClinicalFacts Facts(string file)
    {
        var resources = ((Bundle)FhirJson.Parse(File.ReadAllBytes(Path.Combine(SandboxExamples.Folder, file)))).Resources().ToList();
        return ClinicalFactsMapper.Map(resources.OfType<Patient>().Single(), resources);
    }

    private async Task<Bundle> SearchAsync(string query)
    {
        using var response = await server.Http.GetAsync($"{server.BaseUrl}/{query}");
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {query} → {(int)response.StatusCode}: {body}");
        return Assert.IsType<Bundle>(FhirJson.Parse(body));
    }

    [Theory]
    [InlineData(-7)]
    [InlineData(0)]
    [InlineData(5)]
    [InlineData(14)]
    public async Task GivenAsOfDayN_WhenLoaded_ThenTheInfusionIsNDaysBeforeTodayAndNothingIsChartedAfterNow(int day)
    {
        var now = Today.AddHours(15).AddMinutes(30);
        var infusion = Facts($"{Patient1}.json").Infusions.MaxBy(i => i.Time)!;

        var (exit, stdout, stderr) = await FhirServerFixture.RunCliAsync("sandbox", "load", "--fhir", server.BaseUrl,
            "--examples", OnlyExample($"{Patient1}.json"), "--as-of-day", day.ToString(CultureInfo.InvariantCulture), "--now", "2026-12-07T15:30:00Z");

        Assert.True(exit == 0, $"exit {exit}: {stderr}\nserver:\n{server.Log}");
        Assert.EndsWith($", each story's day {day} being 2026-12-07", stdout.TrimEnd('\n'), StringComparison.Ordinal);
        Assert.Contains($"day {day} after infusion ({infusion.DayZero.AddDays(day):yyyy-MM-dd}) is today", stderr, StringComparison.Ordinal);
        var procedures = (await SearchAsync($"Procedure?patient=Patient/{Patient1}&code={DataContract.CarTCds}|{DataContract.CarTInfusion}")).Resources().Cast<Procedure>().ToList();
        if (day < 0)
        {
            Assert.Empty(procedures); // a week before the infusion, it has not happened yet
        }
        else
        {
            var performed = DateTimeOffset.Parse(Assert.Single(procedures).PerformedDateTime!, CultureInfo.InvariantCulture);
            Assert.Equal(Today.AddDays(-day), new DateTimeOffset(performed.UtcDateTime.Date, TimeSpan.Zero));
            Assert.Equal(infusion.Time.TimeOfDay, performed.UtcDateTime.TimeOfDay);
        }
        var observations = (await SearchAsync($"Observation?patient=Patient/{Patient1}&_count=1000")).Resources().Cast<Observation>().ToList();
        Assert.NotEmpty(observations);
        Assert.All(observations, o => Assert.True(DateTimeOffset.Parse(o.EffectiveDateTime!, CultureInfo.InvariantCulture) <= now, $"{o.Id} at {o.EffectiveDateTime} is after now"));
    }

    [Fact]
    public async Task GivenALoadAsOfALaterDay_WhenLoadedAgainAsOfAnEarlierDay_ThenTheLaterRecordsAreDeletedFromTheServer()
    {
        var file = $"{Patient1}.json";
        var infusion = Facts(file).Infusions.MaxBy(i => i.Time)!;
        var storyNow = infusion.DayZero.AddDays(2).AddHours(12);
        var expected = JsonNode.Parse(File.ReadAllText(Path.Combine(SandboxExamples.Folder, file)))!["entry"]!.AsArray()
            .Select(e => e!["resource"]!)
            .Where(r => (string?)r["resourceType"] == "Observation" && DateTimeOffset.Parse((string)r["effectiveDateTime"]!, CultureInfo.InvariantCulture) <= storyNow)
            .Select(r => (string)r["id"]!).Order(StringComparer.Ordinal).ToList();
        var later = await FhirServerFixture.RunCliAsync("sandbox", "load", "--fhir", server.BaseUrl, "--examples", OnlyExample(file), "--as-of-day", "10", "--now", "2026-12-07T12:00:00Z");
        Assert.True(later.Exit == 0, later.Stderr);

        var (exit, _, stderr) = await FhirServerFixture.RunCliAsync("sandbox", "load", "--fhir", server.BaseUrl, "--examples", OnlyExample(file), "--as-of-day", "2", "--now", "2026-12-07T12:00:00Z");

        Assert.True(exit == 0, $"exit {exit}: {stderr}\nserver:\n{server.Log}");
        var ids = (await SearchAsync($"Observation?patient=Patient/{Patient1}&_count=1000")).Resources().Select(r => r.Id!).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(expected, ids);
        Assert.Contains("later records deleted", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GivenAStoryWithoutInfusion_WhenLoadedAsOfADay_ThenItsLastChartedDayIsToday()
    {
        var file = "cart-e2-first-relapse.json";
        Assert.Empty(Facts(file).Infusions);
        var resources = JsonNode.Parse(File.ReadAllText(Path.Combine(SandboxExamples.Folder, file)))!["entry"]!.AsArray().Select(e => e!["resource"]!.AsObject()).ToList();
        var lastCharted = resources.Select(RecordTimeShift.ClinicalTime).Max()!.Value;
        var lastObservation = resources.Where(r => (string?)r["resourceType"] == "Observation").Select(RecordTimeShift.ClinicalTime).Max()!.Value;
        var offset = TimeSpan.FromDays((Today.UtcDateTime.Date - lastCharted.UtcDateTime.Date).TotalDays);

        var (exit, _, stderr) = await FhirServerFixture.RunCliAsync("sandbox", "load", "--fhir", server.BaseUrl, "--examples", OnlyExample(file), "--as-of-day", "5", "--now", "2026-12-07T23:59:00Z");

        Assert.True(exit == 0, $"exit {exit}: {stderr}\nserver:\n{server.Log}");
        Assert.Contains("last charted day (no infusion)", stderr, StringComparison.Ordinal);
        var newest = (await SearchAsync($"Observation?patient=Patient/{SandboxExamples.PatientId(file)}&_count=1000")).Resources().Cast<Observation>()
            .Select(o => DateTimeOffset.Parse(o.EffectiveDateTime!, CultureInfo.InvariantCulture)).Max();
        Assert.Equal(lastObservation + offset, newest);
    }

    [Theory]
    [InlineData("--as-of-day", "3651", "must be between -3650 and 3650")]
    [InlineData("--now", "2026-12-07T12:00:00Z", "--now only applies with --as-of-day")]
    public async Task GivenABadAsOfDayOption_WhenRun_ThenExit2NamingItBeforeAnythingIsSent(string option, string value, string message)
    {
        var (exit, stdout, stderr) = await FhirServerFixture.RunCliAsync("sandbox", "load", "--fhir", $"http://127.0.0.1:{SandboxExamples.ClosedPort()}", option, value);

        Assert.Equal(2, exit);
        Assert.Equal("", stdout);
        Assert.Contains(message, stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GivenANowWithoutOffset_WhenRun_ThenExit2()
    {
        var (exit, _, stderr) = await FhirServerFixture.RunCliAsync("sandbox", "load", "--fhir", $"http://127.0.0.1:{SandboxExamples.ClosedPort()}", "--as-of-day", "1", "--now", "2026-12-07T12:00:00");

        Assert.Equal(2, exit);
        Assert.Contains("is not an ISO 8601 date-time with offset", stderr, StringComparison.Ordinal);
    }

    /// <summary>Every case of expectations.json whose story has an infusion, as (bundle, service,
    /// story now, day after infusion).</summary>
    public static TheoryData<string, string, string, int> StoriesWithInfusion()
    {
        var data = new TheoryData<string, string, string, int>();
        foreach (var c in JsonNode.Parse(File.ReadAllText(CliRunner.Example("expectations.json")))!.AsArray())
        {
            var bundle = c!["bundle"]!.GetValue<string>();
            var now = c["now"]!.GetValue<string>();
            if (Facts(bundle).Infusions.MaxBy(i => i.Time) is not { } infusion) continue;
            data.Add(bundle, c["service"]!.GetValue<string>(), now, CarTInfusion.CalendarDayAfter(infusion.Time, DateTimeOffset.Parse(now, CultureInfo.InvariantCulture)));
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(StoriesWithInfusion))]
    public async Task GivenAStoryLoadedAsOfItsDayN_WhenTheServiceReadsTheServerToday_ThenTheFindingsAreThoseOfTheStoryOnDayN(string bundle, string service, string storyNow, int day)
    {
        var at = DateTimeOffset.Parse(storyNow, CultureInfo.InvariantCulture);
        var now = Today + at.UtcDateTime.TimeOfDay;
        var nowText = now.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        var load = await FhirServerFixture.RunCliAsync("sandbox", "load", "--fhir", server.BaseUrl, "--examples", OnlyExample(bundle),
            "--as-of-day", day.ToString(CultureInfo.InvariantCulture), "--now", nowText);
        Assert.True(load.Exit == 0, $"{load.Stderr}\nserver:\n{server.Log}");
        var drafts = service == CdsServiceCatalog.EligibilityId ? CliRunner.Example(Path.Combine("draft-orders", "tisagenlecleucel.json")) : null;
        string[] args = ["evaluate", "--service", service, "--bundle", CliRunner.Example(bundle), "--now", storyNow];
        var (exit, asRecorded, stderr) = await CliRunner.RunAsync(drafts is null ? args : [.. args, "--draft-orders", drafts]);
        Assert.True(exit == 0, stderr);

        var (status, today) = await ServiceWithoutPrefetch.PostAsync(service, bundle, drafts, server.BaseUrl, nowText);

        Assert.True(status == HttpStatusCode.OK, today);
        var expected = CliRunner.Findings(asRecorded);
        var actual = CliRunner.Findings(today);
        Assert.NotEmpty(expected);
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), actual.Keys.Order(StringComparer.Ordinal));
        foreach (var (code, value) in expected)
        {
            Assert.True(JsonNode.DeepEquals(value, actual[code]), $"{bundle} day {day}: '{code}' as recorded at {storyNow} {value?.ToJsonString()}, moved to {nowText} {actual[code]?.ToJsonString()}");
        }
        if (service == CdsServiceCatalog.ToxicityId && day >= 0)
        {
            // Every grade card names the day (the CRS card in its detail, the ICANS card in its summary).
            Assert.Contains(JsonNode.Parse(today)!["cards"]!.AsArray(), card =>
                System.Text.RegularExpressions.Regex.IsMatch(card!["summary"]!.GetValue<string>() + "\n" + card["detail"]?.GetValue<string>(), $@"\bday {day}\b"));
        }
    }
}
