using System.Net;
using System.Text.Json.Nodes;
using CarTCds.Cli.Tests.Evaluate;
using Microsoft.AspNetCore.Mvc.Testing;

namespace CarTCds.Cli.Tests.Timeline;

/// <summary><c>cartcds timeline</c> prints the timeline the sandbox page charts (one PatientTimeline in CarTCds.Hooks).</summary>
public sealed class TimelineCommandTests(WebApplicationFactory<Program> factory) : IClassFixture<WebApplicationFactory<Program>>, IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("cartcds-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("cart-p1-post-sct-relapse")]
    [InlineData("cart-p4-down-syndrome")]
    public async Task GivenAnExamplePatient_WhenTheTimelineIsPrintedByCliAndReadFromTheSandboxApi_ThenBothAreEqual(string patient)
    {
        using var app = factory.WithWebHostBuilder(b => b.UseSetting("CarTCds:Sandbox:Enabled", "true").UseTempSqlite());
        using var client = app.CreateClient();

        var http = await client.GetAsync($"/sandbox/api/patients/{patient}/timeline");
        var (exit, stdout, stderr) = await CliRunner.RunAsync("timeline", "--bundle", CliRunner.Example(patient + ".json"));

        Assert.Equal(HttpStatusCode.OK, http.StatusCode);
        Assert.True(exit == 0, stderr);
        var fromApi = JsonNode.Parse(await http.Content.ReadAsStringAsync());
        var fromCli = JsonNode.Parse(stdout);
        Assert.True(JsonNode.DeepEquals(fromApi, fromCli), $"api:\n{fromApi}\ncli:\n{fromCli}");
        Assert.Contains(fromCli!.AsArray(), d => (int?)d!["crsGrade"] > 0);
    }

    [Fact]
    public async Task GivenUntilDay5Noon_WhenTheTimelineIsPrinted_ThenItEndsOnDay5GradedAtNoon()
    {
        var (exit, stdout, stderr) = await CliRunner.RunAsync("timeline", "--bundle", CliRunner.Example("cart-p1-post-sct-relapse.json"), "--until", "2013-05-12T12:00:00Z");

        Assert.True(exit == 0, stderr);
        var last = JsonNode.Parse(stdout)!.AsArray()[^1]!;
        Assert.Equal(5, (int)last["day"]!);
        Assert.Equal(3, (int?)last["crsGrade"]);   // BiPAP only from 14:00 (profiles/examples/expectations.json)
    }

    [Theory]
    [InlineData("{\"resourceType\":\"Bundle\",\"type\":\"collection\",\"entry\":[]}", null, "exactly one Patient (it holds 0)")]
    [InlineData("{\"resourceType\":\"Patient\",\"id\":\"x\"}", null, "is a Patient, not a Bundle")]
    [InlineData("{\"resourceType\":\"Bundle\",\"type\":\"collection\",\"entry\":[{\"resource\":{\"resourceType\":\"Patient\",\"id\":\"p\"}}]}", "2013-05-12T12:00:00", "--until '2013-05-12T12:00:00' is not an ISO 8601 date-time with offset")]
    public async Task GivenBadInput_WhenTheTimelineIsPrinted_ThenExit2WithOneLineOnStderr(string content, string? until, string fragment)
    {
        var path = Path.Combine(_dir, "bad.json");
        await File.WriteAllTextAsync(path, content);

        var (exit, stdout, stderr) = await CliRunner.RunAsync(until is null ? ["timeline", "--bundle", path] : ["timeline", "--bundle", path, "--until", until]);

        Assert.Equal(2, exit);
        Assert.Equal("", stdout);
        Assert.Single(stderr.TrimEnd('\n').Split('\n'));
        Assert.Contains(fragment, stderr, StringComparison.Ordinal);
    }
}
