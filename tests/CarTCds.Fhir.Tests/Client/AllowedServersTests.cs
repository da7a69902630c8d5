using CarTCds.Fhir.Client;

namespace CarTCds.Fhir.Tests.Client;

/// <summary><see cref="FhirClientOptions.AllowedServers"/>: the SSRF guard. A FHIR server not on the
/// list is refused before anything is sent; an empty list allows any server.</summary>
public sealed class AllowedServersTests
{
    [Theory]
    [InlineData("https://ehr.example.org/fhir", true)]
    [InlineData("https://ehr.example.org/fhir/", true)]
    [InlineData("HTTPS://EHR.Example.org/fhir", true)]
    [InlineData("https://ehr.example.org:443/fhir", true)]
    [InlineData("https://ehr.example.org/FHIR", false)]
    [InlineData("https://ehr.example.org/fhir2", false)]
    [InlineData("https://ehr.example.org", false)]
    [InlineData("http://ehr.example.org/fhir", false)]
    [InlineData("https://ehr.example.org:8443/fhir", false)]
    [InlineData("http://169.254.169.254/latest/meta-data", false)]
    public void GivenOneAllowedServer_WhenAFhirServerIsNamed_ThenOnlyThatBaseMatches(string named, bool allowed)
    {
        var options = new FhirClientOptions { AllowedServers = ["https://ehr.example.org/fhir"] };

        Assert.Equal(allowed, options.IsAllowedServer(new Uri(named)));
    }

    [Fact]
    public void GivenNoAllowedServers_WhenAnyServerIsNamed_ThenItIsAllowed()
    {
        var options = new FhirClientOptions();

        Assert.True(options.IsAllowedServer(new Uri("http://10.0.0.7:8080/anything")));
    }

    [Theory]
    [InlineData("ehr.example.org/fhir")]
    [InlineData("ftp://ehr.example.org/fhir")]
    [InlineData("https://ehr.example.org/fhir?_format=json")]
    public void GivenAnAllowedServerThatIsNotABaseUrl_WhenValidated_ThenTheSettingIsNamed(string entry)
    {
        var options = new FhirClientOptions { AllowedServers = [entry] };

        var ex = Assert.Throws<ArgumentException>(options.Validate);

        Assert.Contains(nameof(FhirClientOptions.AllowedServers), ex.Message, StringComparison.Ordinal);
        Assert.Contains(entry, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GivenAServerNotOnTheList_WhenRead_ThenRefusedWithoutARequestAndTheTokenIsNotSent()
    {
        await using var server = await MisbehavingFhirServer.StartAsync((ctx, _, _) => MisbehavingFhirServer.WriteAsync(ctx, 200, FhirBodies.Patient));
        using var client = FhirServerClient.Create(new FhirClientOptions { AllowedServers = ["https://ehr.example.org/fhir"] }, TimeProvider.System);

        var result = await client.GetAsync(server.BaseUrl, "Patient/p1", "secret-token", CancellationToken.None);

        Assert.Equal(FhirFailureKind.Refused, result.Failure?.Kind);
        Assert.Contains("CarTCds:Fhir:AllowedServers", result.Failure!.Message, StringComparison.Ordinal);
        Assert.Empty(server.Requests);
    }

    [Fact]
    public async Task GivenTheServerOnTheList_WhenRead_ThenItIsCalled()
    {
        await using var server = await MisbehavingFhirServer.StartAsync((ctx, _, _) => MisbehavingFhirServer.WriteAsync(ctx, 200, FhirBodies.Patient));
        using var client = FhirServerClient.Create(new FhirClientOptions { AllowedServers = [server.BaseUrl.ToString()] }, TimeProvider.System);

        var result = await client.GetAsync(server.BaseUrl, "Patient/p1", null, CancellationToken.None);

        Assert.Null(result.Failure);
        Assert.Single(server.Requests);
    }
}
