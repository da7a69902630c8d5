using CarTCds.Cli.Sandbox;
using CarTCds.Fhir.Tests.Client;
using Microsoft.Extensions.Time.Testing;

namespace CarTCds.Cli.Tests.Sandbox;

/// <summary><c>cartcds sandbox load</c> refuses bad input (exit 2) before sending anything, and
/// reports a server it cannot reach (exit 1), each on one stderr line.</summary>
public sealed class SandboxLoadBadInputTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("cartcds-sandbox-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string Unreachable => $"http://127.0.0.1:{SandboxExamples.ClosedPort()}";

    private static void AssertOneErrorLine(string stdout, string stderr, string fragment)
    {
        Assert.Equal("", stdout);
        var line = Assert.Single(SandboxExamples.Lines(stderr));
        Assert.StartsWith("cartcds: ", line, StringComparison.Ordinal);
        Assert.Contains(fragment, line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not a url")]
    [InlineData("localhost:8080/fhir")]
    [InlineData("ftp://localhost/fhir")]
    [InlineData("/srv/fhir")]
    [InlineData("http://localhost:8080/fhir?_format=json")]
    [InlineData("http://user:secret@localhost:8080/fhir")]
    [InlineData("")]
    public async Task GivenABadFhirBaseUrl_WhenLoading_ThenExit2AndTheUrlIsNamed(string url)
    {
        var (exit, stdout, stderr) = await FhirServerFixture.RunCliAsync("sandbox", "load", "--fhir", url);

        Assert.Equal(2, exit);
        AssertOneErrorLine(stdout, stderr, $"--fhir '{url}'");
    }

    [Fact]
    public async Task GivenNoFhirOption_WhenLoading_ThenExit2NamingTheOption()
    {
        var (exit, stdout, stderr) = await FhirServerFixture.RunCliAsync("sandbox", "load");

        Assert.Equal(2, exit);
        AssertOneErrorLine(stdout, stderr, "--fhir");
    }

    [Fact]
    public async Task GivenAClosedPort_WhenLoading_ThenExit1WithOneLineSayingTheServerCannotBeReached()
    {
        var url = Unreachable;

        var (exit, stdout, stderr) = await FhirServerFixture.RunCliAsync("sandbox", "load", "--fhir", url);

        Assert.Equal(1, exit);
        AssertOneErrorLine(stdout, stderr, $"cannot reach the FHIR server at {url}");
    }

    [Fact]
    public async Task GivenAServerThatRefusesAndWait_WhenLoading_ThenExit1AfterExactlyTheWait()
    {
        // Arrange: --wait on fake time, started at the first refused GET /metadata and stopped at the
        // wait: giving up early or waiting longer both fail. (The real closed port: the test above.)
        var url = Unreachable;
        var time = new FakeTimeProvider();
        using var refusing = new RefusingHandler();
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var started = time.GetTimestamp(); // the clock stands still until the first refusal

        // Act
        var load = SandboxLoadCommand.RunAsync(new SandboxLoadCommand.LoadOptions(url, null, WaitSeconds: 1), stdout, stderr, CancellationToken.None, refusing, time);
        var exit = await time.RunAsync(load, TimeSpan.FromMilliseconds(10), TimeSpan.FromSeconds(1), startWhen: () => refusing.Calls > 0);

        // Assert
        Assert.Equal(1, exit);
        AssertOneErrorLine(stdout.ToString(), stderr.ToString(), $"the FHIR server at {url} was not ready within 1 s (GET /metadata: connection refused)");
        Assert.Equal(TimeSpan.FromSeconds(1), time.GetElapsedTime(started));
    }

    /// <summary>Refuses every request the way a closed port does, and counts them.</summary>
    private sealed class RefusingHandler : HttpMessageHandler
    {
        private int _calls;

        public int Calls => Volatile.Read(ref _calls);

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _calls);
            throw new HttpRequestException("connection refused");
        }
    }

    [Fact]
    public async Task GivenAMissingExamplesFolder_WhenLoading_ThenExit2AndTheFolderIsNamed()
    {
        var missing = Path.Combine(_dir, "nope");

        var (exit, stdout, stderr) = await FhirServerFixture.RunCliAsync("sandbox", "load", "--fhir", Unreachable, "--examples", missing);

        Assert.Equal(2, exit);
        AssertOneErrorLine(stdout, stderr, $"--examples: folder '{missing}' not found");
    }

    [Fact]
    public async Task GivenAFolderWithOnlyExpectations_WhenLoading_ThenExit2NoPatientBundles()
    {
        await File.WriteAllTextAsync(Path.Combine(_dir, "expectations.json"), "[]");

        var (exit, stdout, stderr) = await FhirServerFixture.RunCliAsync("sandbox", "load", "--fhir", Unreachable, "--examples", _dir);

        Assert.Equal(2, exit);
        AssertOneErrorLine(stdout, stderr, "no patient bundles");
    }

    // The server is unreachable in these cases: exit 2 (not 1) shows the files were checked
    // before anything was sent.
    [Theory]
    [InlineData("{not json", "is not valid FHIR JSON")]
    [InlineData("""{"resourceType":"Patient","id":"x"}""", "is a Patient, not a Bundle")]
    [InlineData("""{"resourceType":"Bundle","type":"collection","entry":[{"resource":{"resourceType":"Patient","id":"x"}}]}""", "of type 'collection'")]
    [InlineData("""{"resourceType":"Bundle","type":"transaction"}""", "empty transaction Bundle")]
    [InlineData("""{"resourceType":"Bundle","type":"transaction","entry":[{"resource":{"resourceType":"Patient","id":"x"}}]}""", "Bundle.entry[0] has no request")]
    [InlineData("""{"resourceType":"Bundle","type":"transaction","entry":[{"resource":{"resourceType":"Condition","id":"c"},"request":{"method":"PUT","url":"Condition/c"}}]}""", "holds 0 Patients")]
    [InlineData("""{"resourceType":"Bundle","type":"transaction","entry":[{"resource":{"resourceType":"Patient"},"request":{"method":"POST","url":"Patient"}}]}""", "the Patient has no id")]
    public async Task GivenAFileThatIsNotAPatientTransactionBundle_WhenLoading_ThenExit2BeforeSendingAnything(string content, string fragment)
    {
        File.Copy(Path.Combine(SandboxExamples.Folder, "cart-e1-age-26.json"), Path.Combine(_dir, "a-good.json"));
        await File.WriteAllTextAsync(Path.Combine(_dir, "b-bad.json"), content);

        var (exit, stdout, stderr) = await FhirServerFixture.RunCliAsync("sandbox", "load", "--fhir", Unreachable, "--examples", _dir);

        Assert.Equal(2, exit);
        AssertOneErrorLine(stdout, stderr, "'b-bad.json'");
        Assert.Contains(fragment, stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GivenTwoFilesWithTheSamePatient_WhenLoading_ThenExit2NamingBoth()
    {
        File.Copy(Path.Combine(SandboxExamples.Folder, "cart-e1-age-26.json"), Path.Combine(_dir, "a.json"));
        File.Copy(Path.Combine(SandboxExamples.Folder, "cart-e1-age-26.json"), Path.Combine(_dir, "b.json"));

        var (exit, stdout, stderr) = await FhirServerFixture.RunCliAsync("sandbox", "load", "--fhir", Unreachable, "--examples", _dir);

        Assert.Equal(2, exit);
        AssertOneErrorLine(stdout, stderr, "'b.json' and 'a.json' both hold Patient/cart-e1-age-26");
    }
}
