using System.Text.Json.Nodes;

namespace CarTCds.Cli.Tests.Sandbox;

/// <summary><c>cartcds sandbox load</c> against a real FHIR server (Medplum's router in memory).</summary>
[Collection(FhirServerCollection.Name)]
public sealed class SandboxLoadTests(FhirServerFixture server) : IDisposable
{
    private const string Patient1 = "cart-p1-post-sct-relapse";

    private readonly string _dir = Directory.CreateTempSubdirectory("cartcds-sandbox-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task GivenTheExamplePatients_WhenLoadedWithoutExamplesOption_ThenExit0OneProgressLinePerPatientAndOneSummaryLine()
    {
        var files = SandboxExamples.Files;
        var resources = files.Sum(f => SandboxExamples.Resources(f).Count);

        var (exit, stdout, stderr) = await FhirServerFixture.RunCliAsync("sandbox", "load", "--fhir", server.BaseUrl);

        Assert.True(exit == 0, $"exit {exit}: {stderr}\nserver:\n{server.Log}");
        Assert.Equal($"loaded {files.Count} patients ({resources} resources) into {server.BaseUrl}", stdout.TrimEnd('\n'));
        var progress = SandboxExamples.Lines(stderr);
        Assert.Equal(files.Count, progress.Length);
        foreach (var file in files)
        {
            var id = SandboxExamples.PatientId(file);
            Assert.Single(progress, line => line.Contains($" {id}: {SandboxExamples.Resources(file).Count} resources", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task GivenLoadedPatients_WhenLoadedAgain_ThenTheServerHoldsTheSameResources()
    {
        var expected = SandboxExamples.Resources($"{Patient1}.json").Where(r => r.Type == "Observation").Select(r => r.Id).Order().ToList();
        var query = $"{server.BaseUrl}/Observation?patient=Patient/{Patient1}&_count=1000";

        var first = await FhirServerFixture.RunCliAsync("sandbox", "load", "--fhir", server.BaseUrl);
        var afterFirst = JsonNode.Parse(await server.Http.GetStringAsync(query))!;
        var second = await FhirServerFixture.RunCliAsync("sandbox", "load", "--fhir", server.BaseUrl + "/");
        var afterSecond = JsonNode.Parse(await server.Http.GetStringAsync(query))!;

        Assert.Equal(0, first.Exit);
        Assert.Equal(0, second.Exit);
        Assert.Equal(first.Stdout, second.Stdout);
        Assert.Equal(expected.Count, afterFirst["total"]!.GetValue<int>());
        Assert.Equal(expected.Count, afterSecond["total"]!.GetValue<int>());
        Assert.Equal(expected, Ids(afterFirst));
        Assert.Equal(expected, Ids(afterSecond));
    }

    [Fact]
    public async Task GivenABundleTheServerRefuses_WhenLoading_ThenExit1WithTheServersReasonOnOneLine()
    {
        // A PUT whose url names another id: every FHIR server refuses it (400).
        await File.WriteAllTextAsync(Path.Combine(_dir, "sbx-refused.json"), """
            {"resourceType":"Bundle","type":"transaction","entry":[
              {"resource":{"resourceType":"Patient","id":"sbx-refused"},"request":{"method":"PUT","url":"Patient/sbx-other"}}]}
            """);

        var (exit, stdout, stderr) = await FhirServerFixture.RunCliAsync("sandbox", "load", "--fhir", server.BaseUrl, "--examples", _dir);

        Assert.Equal(1, exit);
        Assert.Equal("", stdout);
        var line = Assert.Single(SandboxExamples.Lines(stderr));
        Assert.StartsWith("cartcds: sandbox load: sbx-refused.json: the FHIR server answered 400", line, StringComparison.Ordinal);
        Assert.Contains("Incorrect resource ID", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GivenARunningServer_WhenLoadingWithWait_ThenItLoadsAtOnce()
    {
        await File.WriteAllTextAsync(Path.Combine(_dir, "sbx-wait.json"), """
            {"resourceType":"Bundle","type":"transaction","entry":[
              {"resource":{"resourceType":"Patient","id":"sbx-wait"},"request":{"method":"PUT","url":"Patient/sbx-wait"}}]}
            """);

        var (exit, stdout, stderr) = await FhirServerFixture.RunCliAsync("sandbox", "load", "--fhir", server.BaseUrl, "--examples", _dir, "--wait", "30");
        var patient = JsonNode.Parse(await server.Http.GetStringAsync($"{server.BaseUrl}/Patient/sbx-wait"))!;

        Assert.True(exit == 0, stderr);
        Assert.Equal($"loaded 1 patients (1 resources) into {server.BaseUrl}", stdout.TrimEnd('\n'));
        Assert.Equal("sbx-wait", patient["id"]!.GetValue<string>());
    }

    private static List<string> Ids(JsonNode searchset) =>
        (searchset["entry"]?.AsArray() ?? []).Select(e => e!["resource"]!["id"]!.GetValue<string>()).Order().ToList();
}
