using System.Net;
using System.Text;
using CarTCds.Service.Hosting;
using CarTCds.Service.Telemetry;
using CarTCds.Service.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace CarTCds.Service.Tests.Reliability;

/// <summary>Admission control on request bodies (issue 18 item 3): over the budget a call is answered
/// 503 with Retry-After and an OperationOutcome, and admitted again once the bytes are released.</summary>
[Collection(CarTCdsServiceCollection.Name)]
public sealed class AdmissionControlTests(CarTCdsWebApplicationFactory factory)
{
    private readonly HttpClient _client = factory.CreateClient();

    private RequestBodyAdmission Admission => factory.Services.GetRequiredService<RequestBodyAdmission>();

    [Theory]
    [InlineData(0, HttpStatusCode.OK)]           // the body fits exactly in what is left
    [InlineData(1, HttpStatusCode.ServiceUnavailable)] // one byte too many
    public async Task GivenTheBudgetHeldByOtherBodies_WhenAHookBodyArrives_ThenItIsAdmittedOnlyIfItFits(int overBy, HttpStatusCode expected)
    {
        // Arrange: other bodies in flight hold all but (this body's length − overBy) bytes.
        var body = Encoding.UTF8.GetBytes(HookJson.Toxicity());
        using var others = Admission.TryAdmit(Admission.Budget - body.Length + overBy)!;
        Assert.NotNull(others);

        // Act
        using var response = await _client.PostBytesAsync(HookJson.ToxicityPath, body);

        // Assert
        Assert.Equal(expected, response.StatusCode);
        if (expected == HttpStatusCode.ServiceUnavailable)
        {
            await AssertOverloadedAsync(response);
        }
    }

    [Fact]
    public async Task GivenTheBudgetFull_WhenFeedbackArrives_Then503WithRetryAfterAndAnOperationOutcome()
    {
        // Arrange
        using var others = Admission.TryAdmit(Admission.Budget)!;
        var body = $$"""{"feedback":[{"card":"{{Guid.NewGuid()}}","outcome":"overridden","outcomeTimestamp":"2013-05-19T12:05:00Z"}]}""";

        // Act
        using var response = await _client.PostJsonAsync("/cds-services/cart-toxicity/feedback", body);

        // Assert
        await AssertOverloadedAsync(response);
    }

    [Fact]
    public async Task GivenARefusedCall_WhenTheOtherBodiesAreAnswered_ThenTheSameCallIsAdmittedAndNothingStaysHeld()
    {
        // Arrange
        var before = Admission.InFlightBytes;
        var others = Admission.TryAdmit(Admission.Budget - before)!;
        using (var refused = await _client.PostJsonAsync(HookJson.ToxicityPath, HookJson.Toxicity()))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        }

        // Act
        others.Dispose();
        using var admitted = await _client.PostJsonAsync(HookJson.ToxicityPath, HookJson.Toxicity());

        // Assert
        Assert.Equal(HttpStatusCode.OK, admitted.StatusCode);
        Assert.Equal(before, Admission.InFlightBytes);
    }

    [Fact]
    public async Task GivenAChunkedBodyWithoutContentLength_WhenTheBudgetIsFull_Then503()
    {
        // Arrange: no Content-Length, so the bytes are held as the buffer grows past its first 16 KB.
        using var others = Admission.TryAdmit(Admission.Budget)!;
        var json = HookJson.Toxicity(HookJson.ToxicityPrefetch("observations", HookJson.Searchset(
            Enumerable.Range(0, 200).Select(i => HookJson.Temperature.Replace("temp-1", $"temp-{i}", StringComparison.Ordinal)).ToArray())));
        using var content = new StreamContent(new NonSeekableStream(Encoding.UTF8.GetBytes(json)));
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");

        // Act
        using var response = await _client.PostAsync(new Uri(HookJson.ToxicityPath, UriKind.Relative), content);

        // Assert
        Assert.Null(content.Headers.ContentLength);
        await AssertOverloadedAsync(response);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(3)]
    public async Task GivenTheBudgetFull_WhenCallsAreRefused_ThenEachRefusalIsCountedAndAnAdmittedCallIsNot(int refusedCalls)
    {
        // Arrange
        using var refusals = new MeasurementsOf(factory.Services, "cartcds.admission.refused");
        var feedback = $$"""{"feedback":[{"card":"{{Guid.NewGuid()}}","outcome":"overridden","outcomeTimestamp":"2013-05-19T12:05:00Z"}]}""";

        // Act: refused hook and feedback calls while the budget is held, then one admitted call.
        using (var others = Admission.TryAdmit(Admission.Budget)!)
        {
            for (var i = 0; i < refusedCalls; i++)
            {
                using var refused = i % 2 == 0
                    ? await _client.PostJsonAsync(HookJson.ToxicityPath, HookJson.Toxicity())
                    : await _client.PostJsonAsync("/cds-services/cart-toxicity/feedback", feedback);
                Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            }
        }
        using var admitted = await _client.PostJsonAsync(HookJson.ToxicityPath, HookJson.Toxicity());

        // Assert
        Assert.Equal(HttpStatusCode.OK, admitted.StatusCode);
        Assert.Equal(refusedCalls, refusals.Count);
    }

    [Fact]
    public void GivenNothingInFlight_WhenABodyLargerThanTheBudgetArrives_ThenItIsAdmittedAlone()
    {
        // Arrange
        var admission = new RequestBodyAdmission(Options.Create(new RequestBodyAdmissionOptions { MaxBufferedBodyBytes = 1024 * 1024 }),
            TimeProvider.System, NullLogger<RequestBodyAdmission>.Instance, factory.Services.GetRequiredService<AdmissionMetrics>());

        // Act
        using var alone = admission.TryAdmit(3 * 1024 * 1024);
        var second = admission.TryAdmit(1);

        // Assert
        Assert.NotNull(alone);
        Assert.Null(second);
        Assert.True(alone!.TryGrowTo(4 * 1024 * 1024));
        Assert.Equal(4 * 1024 * 1024, admission.InFlightBytes);
        alone.Dispose();
        Assert.Equal(0, admission.InFlightBytes);
        alone.Dispose();
        Assert.Equal(0, admission.InFlightBytes);
    }

    private static async Task AssertOverloadedAsync(HttpResponseMessage response)
    {
        await response.AssertOperationOutcomeAsync(HttpStatusCode.ServiceUnavailable, "throttled", null, "CarTCds:Admission:MaxBufferedBodyBytes", "Retry after 1 s");
        Assert.Equal(TimeSpan.FromSeconds(1), response.Headers.RetryAfter?.Delta);
    }

    // A stream with no length, so HttpClient sends the body chunked.
    private sealed class NonSeekableStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
    }
}
