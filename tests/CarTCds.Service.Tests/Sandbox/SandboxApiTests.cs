using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using CarTCds.Service.Tests.TestSupport;
using Microsoft.AspNetCore.Hosting;

namespace CarTCds.Service.Tests.Sandbox;

/// <summary>The sandbox API (<c>/sandbox/api</c>) and page files, against the real engine.</summary>
public sealed class SandboxApiTests(SandboxApiHost host) : IClassFixture<SandboxApiHost>
{
    private const string P1 = "cart-p1-post-sct-relapse";

    /// <summary>Every cart-toxicity expectation of profiles/examples/expectations.json at 23:00Z
    /// (the end of a story day): patient, day after infusion, expected CRS and ICANS grade (null: not asserted).</summary>
    public static TheoryData<string, int, int?, int?> EndOfDayExpectations()
    {
        var data = new TheoryData<string, int, int?, int?>();
        var expectations = JsonNode.Parse(File.ReadAllText(Path.Combine(SandboxApiHost.ExamplesFolder, "expectations.json")))!.AsArray();
        foreach (var e in expectations)
        {
            var now = DateTimeOffset.Parse((string)e!["now"]!, CultureInfo.InvariantCulture);
            if ((string?)e["service"] != "cart-toxicity" || now.Hour != 23) continue;
            var bundle = JsonNode.Parse(File.ReadAllText(Path.Combine(SandboxApiHost.ExamplesFolder, (string)e["bundle"]!)))!;
            var infusion = bundle["entry"]!.AsArray().Select(x => x!["resource"]!)
                .First(r => (string?)r["resourceType"] == "Procedure" && r.ToJsonString().Contains("car-t-infusion", StringComparison.Ordinal));
            var day = (int)(now.UtcDateTime.Date - DateTimeOffset.Parse((string)infusion["performedDateTime"]!, CultureInfo.InvariantCulture).UtcDateTime.Date).TotalDays;
            data.Add((string)e["patientId"]!, day, (int?)e["expect"]!["crs-grade"], (int?)e["expect"]!["icans-grade"]);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(EndOfDayExpectations))]
    public async Task GivenAnExpectedGradeAtTheEndOfADay_WhenTheSandboxRequestForThatDayIsPosted_ThenTheEngineGradesThatDay(string patient, int day, int? crs, int? icans)
    {
        var client = host.Factory.CreateClient();
        var built = await GetJsonAsync(client, $"/sandbox/api/patients/{patient}/request?hook=patient-view&day={day}");

        var response = await client.PostJsonAsync($"/cds-services/{(string)built["serviceId"]!}", built["request"]!.ToJsonString());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        var findings = JsonNode.Parse(body)!["cards"]!.AsArray()
            .SelectMany(c => c!["extension"]?["org.cartcds.findings"]?.AsArray() ?? []).ToList();
        if (crs is not null) Assert.Equal(crs, (int?)findings.First(f => (string?)f!["code"] == "crs-grade")!["value"]);
        if (icans is not null) Assert.Equal(icans, (int?)findings.First(f => (string?)f!["code"] == "icans-grade")!["value"]);
        // The record moved by whole days: the cards count the same calendar day after infusion.
        Assert.Contains($"day {day}", body, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(EndOfDayExpectations))]
    public async Task GivenAnExpectedGradeAtTheEndOfADay_WhenTheTimelineIsRead_ThenThatDayShowsTheSameGrades(string patient, int day, int? crs, int? icans)
    {
        var timeline = (await GetJsonAsync(host.Factory.CreateClient(), $"/sandbox/api/patients/{patient}/timeline")).AsArray();

        var row = timeline.Single(d => (int)d!["day"]! == day)!;
        if (crs is not null) Assert.Equal(crs, (int?)row["crsGrade"]);
        if (icans is not null) Assert.Equal(icans, (int?)row["icansGrade"]);
    }

    [Theory]
    [InlineData(5, 3)]   // day 5 noon: fever, norepinephrine, face mask; BiPAP only from 14:00 (expectations.json)
    [InlineData(4, 0)]
    public async Task GivenTheClockAtNoon_WhenADayIsRequested_ThenTheEngineGradesThatDaySoFarUnderTheSameDayNumber(int day, int crs)
    {
        // The suite's host evaluates at 12:00Z (CarTCdsWebApplicationFactory.FixedNow).
        using var suiteHost = new CarTCdsWebApplicationFactory();
        using var noon = suiteHost.WithWebHostBuilder(b => b.UseSetting("CarTCds:Sandbox:Enabled", "true"));
        var client = noon.CreateClient();
        var built = await GetJsonAsync(client, $"/sandbox/api/patients/{P1}/request?hook=patient-view&day={day}");

        var response = await client.PostJsonAsync("/cds-services/cart-toxicity", built["request"]!.ToJsonString());

        var card = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["cards"]![0]!;
        Assert.Equal(crs, (int?)card["extension"]!["org.cartcds.findings"]![0]!["value"]);
        Assert.Contains($"day {day}", (string?)card["summary"], StringComparison.Ordinal);
        Assert.EndsWith("T12:00Z", (string?)built["storyNow"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task GivenP1_WhenTheTimelineIsRead_ThenDay5ShowsTheFeverHypotensionBipapVasopressorAndDoses()
    {
        var timeline = (await GetJsonAsync(host.Factory.CreateClient(), $"/sandbox/api/patients/{P1}/timeline")).AsArray();

        var day5 = timeline.Single(d => (int)d!["day"]! == 5)!;
        Assert.Equal(39.5m, (decimal)day5["maxTemperatureC"]!);
        Assert.Equal("Bipap", (string?)day5["oxygenDevice"]);
        Assert.True((bool)day5["vasopressor"]!);
        Assert.Equal(["tocilizumab", "methylprednisolone"], day5["doses"]!.AsArray().Select(d => (string)d!["drug"]!).ToArray());
        Assert.Equal(416m, (decimal)day5["doses"]![0]!["mg"]!);
        Assert.False((bool)timeline.Single(d => (int)d!["day"]! == 4)!["vasopressor"]!);
    }

    [Fact]
    public async Task GivenTheExamples_WhenPatientsAreListed_ThenTheSeedJourneysComeFirstAndExpectationsIsNoPatient()
    {
        var list = await GetJsonAsync(host.Factory.CreateClient(), "/sandbox/api/patients");

        var ids = list["patients"]!.AsArray().Select(p => (string)p!["id"]!).ToList();
        Assert.Equal(["cart-p1-post-sct-relapse", "cart-p2-cns-relapse", "cart-p3-primary-refractory", "cart-p4-down-syndrome"], ids.Take(4));
        Assert.Equal(13, ids.Count);
        var p1 = list["patients"]![0]!;
        Assert.Equal("2013-05-07", (string?)p1["day0"]);
        Assert.Equal(-7, (int)p1["firstDay"]!);
        Assert.Contains("car-t-referral", list["draftOrders"]!.AsArray().Select(o => (string?)o));
    }

    [Fact]
    public async Task GivenDay5OfP1_WhenAnOrderSignRequestIsBuilt_ThenNothingAfterNowIsSentAndTheDraftsNameThePatient()
    {
        var built = await GetJsonAsync(host.Factory.CreateClient(), $"/sandbox/api/patients/{P1}/request?hook=order-sign&day=5&orders=tocilizumab-400mg,dexamethasone-10mg");

        var request = built["request"]!;
        Assert.Equal("cart-order-check", (string?)built["serviceId"]);
        var drafts = request["context"]!["draftOrders"]!["entry"]!.AsArray().Select(e => e!["resource"]!).ToList();
        Assert.Equal(["draft-tocilizumab", "draft-dexamethasone"], drafts.Select(d => (string)d["id"]!).ToArray());
        Assert.All(drafts, d => Assert.Equal($"Patient/{P1}", (string?)d["subject"]!["reference"]));
        var times = request["prefetch"]!["observations"]!["entry"]!.AsArray()
            .Select(e => DateTimeOffset.Parse((string)e!["resource"]!["effectiveDateTime"]!, CultureInfo.InvariantCulture)).ToList();
        var now = DateTimeOffset.Parse(SandboxApiHost.Now, CultureInfo.InvariantCulture);
        Assert.True(times.Max() <= now, $"an observation at {times.Max():O} is after now");
        // Day 5's 22:00Z reading (the story's 2013-05-12T22:00Z) is the last one: one hour before now.
        Assert.Equal(now.AddHours(-1), times.Max());
    }

    [Theory]
    [InlineData("/sandbox/api/patients/nobody/request", HttpStatusCode.NotFound, "not-found", null, "No sandbox patient 'nobody'")]
    [InlineData("/sandbox/api/patients/nobody/timeline", HttpStatusCode.NotFound, "not-found", null, "No sandbox patient 'nobody'")]
    [InlineData("/sandbox/api/patients/cart-p1-post-sct-relapse/request?hook=encounter-start", HttpStatusCode.BadRequest, "value", "hook", "'hook' must be one of")]
    [InlineData("/sandbox/api/patients/cart-p1-post-sct-relapse/request?day=-8", HttpStatusCode.BadRequest, "value", "day", "between -7 and 14")]
    [InlineData("/sandbox/api/patients/cart-p1-post-sct-relapse/request?day=15", HttpStatusCode.BadRequest, "value", "day", "between -7 and 14")]
    [InlineData("/sandbox/api/patients/cart-p1-post-sct-relapse/request?hook=order-sign", HttpStatusCode.BadRequest, "required", "orders", "'orders'")]
    [InlineData("/sandbox/api/patients/cart-p1-post-sct-relapse/request?hook=order-sign&orders=aspirin", HttpStatusCode.BadRequest, "value", "orders", "Unknown draft order 'aspirin'")]
    public async Task GivenBadSandboxInput_WhenRequested_ThenA4xxOperationOutcomeSaysWhy(string url, HttpStatusCode status, string code, string? expression, string fragment)
    {
        var response = await host.Factory.CreateClient().GetAsync(new Uri(url, UriKind.Relative));

        await response.AssertOperationOutcomeAsync(status, code, expression, fragment);
    }

    [Theory]
    [InlineData("/sandbox/api/patients/cart-p1-post-sct-relapse/request?day=x")]
    [InlineData("/sandbox/api/patients/cart-p1-post-sct-relapse/request?day=99999999999")]
    public async Task GivenADayThatIsNoNumber_WhenRequested_ThenA400OperationOutcome(string url)
    {
        var response = await host.Factory.CreateClient().GetAsync(new Uri(url, UriKind.Relative));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        await response.AssertClientErrorOutcomeAsync();
    }

    [Theory]
    [InlineData("/sandbox/", "text/html", "CarTCds sandbox")]
    [InlineData("/sandbox/sandbox.js", "text/javascript", "renderCards")]
    [InlineData("/sandbox/markdown.js", "text/javascript", "escapeHtml")]
    [InlineData("/sandbox/sandbox.css", "text/css", ".card")]
    public async Task GivenTheSandboxOn_WhenItsFilesAreRequested_ThenTheyAreServed(string path, string mediaType, string content)
    {
        var response = await host.Factory.CreateClient().GetAsync(new Uri(path, UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(mediaType, response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(content, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GivenTheSandboxOn_WhenSlashSandboxIsRequested_ThenItRedirectsToTheFolder()
    {
        var client = host.Factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        var response = await client.GetAsync(new Uri("/sandbox", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/sandbox/", response.Headers.Location?.ToString());
    }

    [Theory]
    [InlineData("/sandbox/")]
    [InlineData("/sandbox/api/patients")]
    public async Task GivenTheDefaultOutsideDevelopment_WhenTheSandboxIsRequested_Then404(string path)
    {
        using var plain = new CarTCdsWebApplicationFactory();

        var response = await plain.CreateClient().GetAsync(new Uri(path, UriKind.Relative));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    private static async Task<JsonNode> GetJsonAsync(HttpClient client, string url)
    {
        var response = await client.GetAsync(new Uri(url, UriKind.Relative));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET {url} answered {(int)response.StatusCode}: {body}");
        return JsonNode.Parse(body)!;
    }
}
