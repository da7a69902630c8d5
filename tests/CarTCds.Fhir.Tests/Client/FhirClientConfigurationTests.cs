using CarTCds.Fhir.Client;

namespace CarTCds.Fhir.Tests.Client;

/// <summary>Options, URL resolution and the per-authority pipeline cache, without a network.</summary>
public sealed class FhirClientConfigurationTests
{
    [Fact]
    public void GivenNewOptions_WhenRead_ThenTheDocumentedDefaultsHold()
    {
        // Arrange + Act
        var options = new FhirClientOptions();

        // Assert
        Assert.Equal(TimeSpan.FromSeconds(2), options.TotalDeadline);
        Assert.Equal(TimeSpan.FromMilliseconds(800), options.AttemptTimeout);
        Assert.Equal(2, options.MaxRetries);
        Assert.Equal(TimeSpan.FromMilliseconds(100), options.RetryBaseDelay);
        Assert.True(options.RetryUseJitter);
        Assert.True(options.HonourRetryAfter);
        Assert.Equal(0.5, options.BreakerFailureRatio);
        Assert.Equal(5, options.BreakerMinimumThroughput);
        Assert.Equal(TimeSpan.FromSeconds(30), options.BreakerSamplingDuration);
        Assert.Equal(TimeSpan.FromSeconds(15), options.BreakerBreakDuration);
        Assert.Equal(20L * 1024 * 1024, options.MaxResponseBytes);
        options.Validate();
    }

    public static TheoryData<string, Action<FhirClientOptions>> InvalidOptions => new()
    {
        { nameof(FhirClientOptions.AttemptTimeout), o => o.AttemptTimeout = TimeSpan.FromSeconds(3) },
        { nameof(FhirClientOptions.TotalDeadline), o => o.TotalDeadline = TimeSpan.Zero },
        { nameof(FhirClientOptions.MaxRetries), o => o.MaxRetries = -1 },
        { nameof(FhirClientOptions.BreakerFailureRatio), o => o.BreakerFailureRatio = 0 },
        { nameof(FhirClientOptions.BreakerMinimumThroughput), o => o.BreakerMinimumThroughput = 1 },
        { nameof(FhirClientOptions.BreakerBreakDuration), o => o.BreakerBreakDuration = TimeSpan.FromMilliseconds(100) },
        { nameof(FhirClientOptions.MaxResponseBytes), o => o.MaxResponseBytes = 0 },
    };

    [Theory]
    [MemberData(nameof(InvalidOptions))]
    public void GivenAnInvalidSetting_WhenBuildingPipelines_ThenTheSettingIsNamed(string setting, Action<FhirClientOptions> spoil)
    {
        // Arrange
        var options = new FhirClientOptions();
        spoil(options);

        // Act
        var exception = Assert.Throws<ArgumentException>(() => new FhirResiliencePipelines(options, TimeProvider.System));

        // Assert
        Assert.Contains(setting, exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GivenTwoUrlsOnOneAuthority_WhenAskingForPipelines_ThenTheSamePipelineIsReturned()
    {
        // Arrange
        var pipelines = new FhirResiliencePipelines(new FhirClientOptions(), TimeProvider.System);

        // Act
        var first = pipelines.For(new Uri("https://fhir.example.org/r4/Patient/1"));
        var second = pipelines.For(new Uri("HTTPS://FHIR.example.org:443/r4/Observation?patient=1"));
        var other = pipelines.For(new Uri("https://fhir.example.org:8443/r4/Patient/1"));

        // Assert
        Assert.Same(first, second);
        Assert.NotSame(first, other);
        Assert.Equal(["https://fhir.example.org:443", "https://fhir.example.org:8443"], pipelines.BreakerStates.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void GivenOptionsChangedAfterBuilding_WhenReadingThePipelinesOptions_ThenTheyAreUnchanged()
    {
        // Arrange
        var options = new FhirClientOptions();
        var pipelines = new FhirResiliencePipelines(options, TimeProvider.System);

        // Act
        options.TotalDeadline = TimeSpan.FromMinutes(5);

        // Assert
        Assert.Equal(TimeSpan.FromSeconds(2), pipelines.Options.TotalDeadline);
    }

    [Fact]
    public async Task GivenMoreServersThanAllowed_WhenCallingANewOne_ThenItIsRefusedWithoutANetworkCall()
    {
        // Arrange
        var pipelines = new FhirResiliencePipelines(new FhirClientOptions { MaxServers = 2 }, TimeProvider.System);
        pipelines.For(new Uri("http://a.example/fhir"));
        pipelines.For(new Uri("http://b.example/fhir"));
        using var client = new FhirServerClient(pipelines);

        // Act
        var result = await client.GetAsync(new Uri("http://c.example/fhir"), "Patient/1", "tok", CancellationToken.None);

        // Assert
        Assert.Equal(FhirFailureKind.Refused, result.Failure?.Kind);
        Assert.Contains("distinct FHIR servers", result.Failure!.Message, StringComparison.Ordinal);
        Assert.Equal(2, pipelines.BreakerStates.Count);
    }

    [Theory]
    [InlineData("https://ehr.example.org/fhir/", "Patient/1", "https://ehr.example.org/fhir/Patient/1")]
    [InlineData("https://ehr.example.org/fhir", "Patient/1", "https://ehr.example.org/fhir/Patient/1")]
    [InlineData("https://ehr.example.org/fhir", "/Observation?patient=1&date=ge2024-01-01T00:00:00Z", "https://ehr.example.org/fhir/Observation?patient=1&date=ge2024-01-01T00:00:00Z")]
    [InlineData("https://ehr.example.org/fhir/", "https://EHR.example.org:443/fhir?_getpages=x", "https://ehr.example.org/fhir?_getpages=x")]
    // A token's system in the query ("://" after the '?') is data, not another server.
    [InlineData("https://ehr.example.org/fhir", "Observation?patient=Patient/1&code=http://loinc.org|8310-5,http://loinc.org|8480-6", "https://ehr.example.org/fhir/Observation?patient=Patient/1&code=http://loinc.org%7C8310-5,http://loinc.org%7C8480-6")]
    public void GivenAQueryOnTheServer_WhenResolving_ThenItIsAccepted(string baseUrl, string url, string expected)
    {
        // Arrange + Act
        var ok = FhirServerClient.TryResolve(new Uri(baseUrl), url, out var target, out var refusal);

        // Assert
        Assert.True(ok, refusal);
        Assert.Equal(expected, target.AbsoluteUri);
    }

    [Theory]
    [InlineData("https://ehr.example.org/fhir/", "https://evil.example.org/fhir/Observation?page=2")]
    [InlineData("https://ehr.example.org/fhir/", "http://ehr.example.org/fhir/Observation?page=2")]
    [InlineData("https://ehr.example.org/fhir/", "https://ehr.example.org:8443/fhir/Observation?page=2")]
    [InlineData("https://ehr.example.org/fhir/", "//evil.example.org/fhir/Observation")]
    [InlineData("https://ehr.example.org/fhir/", "\\\\evil.example.org\\fhir")]
    [InlineData("https://ehr.example.org/fhir/", "ftp://ehr.example.org/fhir/Patient/1")]
    [InlineData("https://ehr.example.org/fhir/", "ftp://evil.example.org/x?code=http://loinc.org|8310-5")]
    [InlineData("https://ehr.example.org/fhir/", "Observation/../../x://y?code=1")]
    [InlineData("https://ehr.example.org/fhir/", "javascript:alert(1)")]
    [InlineData("https://ehr.example.org/fhir/", "https://ehr.example.org@evil.example.org/fhir")]
    [InlineData("https://ehr.example.org/fhir/", "")]
    [InlineData("file:///etc/", "passwd")]
    public void GivenAUrlOffTheServer_WhenResolving_ThenItIsRefused(string baseUrl, string url)
    {
        // Arrange + Act
        var ok = FhirServerClient.TryResolve(new Uri(baseUrl), url, out _, out var refusal);

        // Assert
        Assert.False(ok);
        Assert.NotEmpty(refusal);
    }

    [Theory]
    [InlineData("GET", "https://ehr.example.org/fhir/Observation?patient=1", true)]
    [InlineData("POST", "https://ehr.example.org/fhir/Observation/_search", true)]
    [InlineData("POST", "https://ehr.example.org/fhir/Observation", false)]
    [InlineData("PUT", "https://ehr.example.org/fhir/Patient/1", false)]
    [InlineData("DELETE", "https://ehr.example.org/fhir/Patient/1", false)]
    public void GivenARequest_WhenAskingWhetherItMayBeRetried_ThenOnlySafeOnesMay(string method, string url, bool expected)
    {
        // Arrange
        using var request = new HttpRequestMessage(new HttpMethod(method), url);

        // Act
        var retryable = FhirResilienceHandler.IsRetryable(request);

        // Assert
        Assert.Equal(expected, retryable);
    }
}
