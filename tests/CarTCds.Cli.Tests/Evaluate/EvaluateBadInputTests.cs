namespace CarTCds.Cli.Tests.Evaluate;

public sealed class EvaluateBadInputTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("cartcds-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string File(string name, string content)
    {
        var path = Path.Combine(_dir, name);
        System.IO.File.WriteAllText(path, content);
        return path;
    }

    [Theory]
    [InlineData("not json at all", "not valid FHIR JSON")]
    [InlineData("{\"resourceType\":\"Patient\",\"id\":\"x\"}", "is a Patient, not a Bundle")]
    [InlineData("{\"id\":\"x\"}", "must have a string 'resourceType'")]
    [InlineData("{\"resourceType\":\"Bundle\",\"type\":\"collection\",\"entry\":[]}", "exactly one Patient")]
    [InlineData("{\"resourceType\":\"Bundle\",\"type\":\"collection\",\"entry\":[{\"resource\":{\"resourceType\":\"Patient\"}}]}", "Patient has no id")]
    [InlineData("", "not valid FHIR JSON")]
    public async Task GivenABadBundleFile_WhenEvaluating_ThenExit2WithOneLineOnStderr(string content, string fragment)
    {
        var path = File("bad.json", content);

        var (exit, stdout, stderr) = await CliRunner.RunAsync("evaluate", "--service", "cart-toxicity", "--bundle", path);

        Assert.Equal(2, exit);
        Assert.Equal("", stdout);
        Assert.Single(stderr.TrimEnd('\n').Split('\n'));
        Assert.StartsWith("cartcds: ", stderr, StringComparison.Ordinal);
        Assert.Contains(fragment, stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GivenAMissingFile_WhenEvaluating_ThenExit2AndTheFileIsNamed()
    {
        var missing = Path.Combine(_dir, "nope.json");

        var (exit, _, stderr) = await CliRunner.RunAsync("evaluate", "--service", "cart-toxicity", "--bundle", missing);

        Assert.Equal(2, exit);
        Assert.Equal($"cartcds: --bundle: file '{missing}' not found", stderr.TrimEnd('\n'));
    }

    [Theory]
    [InlineData(new[] { "evaluate", "--service", "cart-nope", "--bundle", "BUNDLE" }, "unknown service 'cart-nope'")]
    [InlineData(new[] { "evaluate", "--service", "cart-toxicity", "--bundle", "BUNDLE", "--now", "yesterday" }, "--now 'yesterday'")]
    [InlineData(new[] { "evaluate", "--service", "cart-toxicity", "--bundle", "BUNDLE", "--now", "2013-05-12T23:00:00" }, "with offset")]
    [InlineData(new[] { "evaluate", "--bundle", "BUNDLE" }, "--service")]
    [InlineData(new[] { "evaluate", "--service", "cart-toxicity" }, "--bundle")]
    [InlineData(new[] { "frobnicate" }, "frobnicate")]
    public async Task GivenBadArguments_WhenRunning_ThenExit2WithTheReason(string[] args, string fragment)
    {
        var bundle = CliRunner.Example("cart-p1-post-sct-relapse.json");

        var (exit, stdout, stderr) = await CliRunner.RunAsync(args.Select(a => a == "BUNDLE" ? bundle : a).ToArray());

        Assert.Equal(2, exit);
        Assert.Equal("", stdout);
        Assert.Contains(fragment, stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GivenOrderSelectWithoutDraftOrders_WhenEvaluating_ThenTheServicesRefusalIsExit2()
    {
        var (exit, _, stderr) = await CliRunner.RunAsync("evaluate", "--service", "cart-eligibility", "--bundle", CliRunner.Example("cart-p1-post-sct-relapse.json"));

        Assert.Equal(2, exit);
        Assert.Contains("answered 400", stderr, StringComparison.Ordinal);
        Assert.Contains("context.selections", stderr, StringComparison.Ordinal);
    }
}
