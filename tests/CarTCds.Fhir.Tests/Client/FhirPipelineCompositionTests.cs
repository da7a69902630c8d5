using CarTCds.Fhir.Client;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Testing;
using Polly.Timeout;

namespace CarTCds.Fhir.Tests.Client;

/// <summary>The FHIR client's Polly pipeline as built (Polly.Testing's descriptor): which strategies,
/// in which order, with which options. What the strategies then do with a misbehaving server is
/// asserted in <see cref="FhirServerClientFaultTests"/>.</summary>
public sealed class FhirPipelineCompositionTests
{
    private static readonly Uri Server = new("https://fhir.example.org/r4/");

    private static FhirClientOptions Options() => new()
    {
        TotalDeadline = TimeSpan.FromSeconds(3),
        AttemptTimeout = TimeSpan.FromSeconds(1),
        MaxRetries = 3,
        RetryBaseDelay = TimeSpan.FromMilliseconds(150),
        RetryMaxDelay = TimeSpan.FromMilliseconds(900),
        BreakerFailureRatio = 0.6,
        BreakerMinimumThroughput = 7,
        BreakerSamplingDuration = TimeSpan.FromSeconds(40),
        BreakerBreakDuration = TimeSpan.FromSeconds(20),
    };

    [Fact]
    public void GivenTheOptions_WhenAPipelineIsBuilt_ThenItIsDeadlineRetryBreakerAttemptTimeoutOutermostFirst()
    {
        // Arrange
        var options = Options();
        var time = TimeProvider.System;

        // Act
        var descriptor = new FhirResiliencePipelines(options, time).For(Server).GetPipelineDescriptor();

        // Assert
        Assert.False(descriptor.IsReloadable);
        Assert.Collection(descriptor.Strategies,
            deadline =>
            {
                var o = Assert.IsType<TimeoutStrategyOptions>(deadline.Options);
                Assert.Equal("total-deadline", o.Name);
                Assert.Equal(options.TotalDeadline, o.Timeout);
            },
            retry =>
            {
                var o = Assert.IsType<RetryStrategyOptions<HttpResponseMessage>>(retry.Options);
                Assert.Equal("retry", o.Name);
                Assert.Equal(options.MaxRetries, o.MaxRetryAttempts);
                Assert.Equal(DelayBackoffType.Exponential, o.BackoffType);
                Assert.True(o.UseJitter);
                Assert.Equal(options.RetryBaseDelay, o.Delay);
                Assert.Equal(options.RetryMaxDelay, o.MaxDelay);
                Assert.NotNull(o.DelayGenerator); // Retry-After
            },
            breaker =>
            {
                var o = Assert.IsType<CircuitBreakerStrategyOptions<HttpResponseMessage>>(breaker.Options);
                Assert.Equal("circuit-breaker", o.Name);
                Assert.Equal(options.BreakerFailureRatio, o.FailureRatio);
                Assert.Equal(options.BreakerMinimumThroughput, o.MinimumThroughput);
                Assert.Equal(options.BreakerSamplingDuration, o.SamplingDuration);
                Assert.Equal(options.BreakerBreakDuration, o.BreakDuration);
            },
            attempt =>
            {
                var o = Assert.IsType<TimeoutStrategyOptions>(attempt.Options);
                Assert.Equal("attempt-timeout", o.Name);
                Assert.Equal(options.AttemptTimeout, o.Timeout);
            });
    }

    [Fact]
    public void GivenNoRetries_WhenAPipelineIsBuilt_ThenItHasNoRetryStrategy()
    {
        // Arrange
        var options = Options();
        options.MaxRetries = 0;

        // Act
        var descriptor = new FhirResiliencePipelines(options, TimeProvider.System).For(Server).GetPipelineDescriptor();

        // Assert
        Assert.Equal(["total-deadline", "circuit-breaker", "attempt-timeout"], descriptor.Strategies.Select(s => s.Options?.Name));
    }

    [Fact]
    public void GivenTwoServers_WhenTheirPipelinesAreDescribed_ThenEachHasItsOwnCircuitBreaker()
    {
        // Arrange
        var pipelines = new FhirResiliencePipelines(Options(), TimeProvider.System);

        // Act
        var first = pipelines.For(Server).GetPipelineDescriptor();
        var second = pipelines.For(new Uri("http://other.example.org:8080/fhir/")).GetPipelineDescriptor();

        // Assert: one breaker memory per authority.
        Assert.NotSame(first.Strategies[2].StrategyInstance, second.Strategies[2].StrategyInstance);
    }
}
