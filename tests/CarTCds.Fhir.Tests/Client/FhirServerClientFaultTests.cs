using System.Text;
using CarTCds.Fhir.Client;
using CarTCds.Fhir.Model;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;
using Polly.CircuitBreaker;

namespace CarTCds.Fhir.Tests.Client;

/// <summary>Runs alone (no other test allocates or competes for the CPU meanwhile), which keeps the
/// memory measurement of the 50 MB case and the timing cases honest.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class FhirFaultInjectionCollection
{
    public const string Name = "FHIR server client: fault injection against Kestrel";
}

/// <summary>The FHIR server client against a local endpoint that misbehaves on purpose. Waits,
/// deadlines and Retry-After run on a <see cref="FakeTimeProvider"/> that the test advances
/// (<see cref="FakeClockDriver"/>): no assertion depends on how fast the machine is.</summary>
[Collection(FhirFaultInjectionCollection.Name)]
public sealed class FhirServerClientFaultTests
{
    private const string Token = "s3cr3t-access-token.eyJhbGciOi";

    /// <summary>Short back-off so the suite stays fast; the breaker out of the way unless a test
    /// wants it. The timeouts stay roomy (a loaded CI machine must not turn a good answer into a
    /// timeout); the tests about timeouts shorten them with <see cref="HangOptions"/>.</summary>
    private static FhirClientOptions FastOptions() => new()
    {
        TotalDeadline = TimeSpan.FromSeconds(2),
        AttemptTimeout = TimeSpan.FromSeconds(1),
        MaxRetries = 2,
        RetryBaseDelay = TimeSpan.FromMilliseconds(20),
        RetryMaxDelay = TimeSpan.FromMilliseconds(100),
        BreakerMinimumThroughput = 1000,
    };

    private static FhirServerClient NewClient(FhirClientOptions? options = null, TimeProvider? time = null) =>
        FhirServerClient.Create(options ?? FastOptions(), time ?? TimeProvider.System);

    [Fact]
    public async Task GivenAServerThatFailsWith500ThenAnswers_WhenGetting_ThenTheCallIsRetriedAndAnswered()
    {
        // Arrange
        await using var server = await MisbehavingFhirServer.StartAsync((ctx, n, _) => n == 1
            ? MisbehavingFhirServer.WriteAsync(ctx, 500, FhirBodies.Outcome("exception", "database hiccup"))
            : MisbehavingFhirServer.WriteAsync(ctx, 200, FhirBodies.SearchsetBundle));
        using var client = NewClient();

        // Act
        var result = await client.GetAsync(server.BaseUrl, "Observation?patient=p1", Token, CancellationToken.None);

        // Assert
        Assert.True(result.IsSuccess, result.Failure?.Message);
        var bundle = Assert.IsType<Bundle>(result.Resource);
        Assert.Equal("o1", Assert.Single(bundle.Resources()).Id);
        Assert.Equal(2, result.Attempts);
        Assert.Equal(2, server.Requests.Count);
    }

    [Theory]
    [InlineData(408)]
    [InlineData(502)]
    [InlineData(503)]
    [InlineData(504)]
    public async Task GivenATransientStatusOnce_WhenGetting_ThenItIsRetried(int status)
    {
        // Arrange
        await using var server = await MisbehavingFhirServer.StartAsync((ctx, n, _) =>
            MisbehavingFhirServer.WriteAsync(ctx, n == 1 ? status : 200, n == 1 ? "" : FhirBodies.Patient));
        using var client = NewClient();

        // Act
        var result = await client.GetAsync(server.BaseUrl, "Patient/p1", null, CancellationToken.None);

        // Assert
        Assert.IsType<Patient>(result.Resource);
        Assert.Equal(2, server.Requests.Count);
    }

    [Fact]
    public async Task GivenAServerThatAlwaysFailsWith503_WhenGetting_ThenItGivesUpAfterMaxRetriesWithTheStatus()
    {
        // Arrange
        await using var server = await MisbehavingFhirServer.StartAsync((ctx, _, _) =>
            MisbehavingFhirServer.WriteAsync(ctx, 503, FhirBodies.Outcome("transient", "down for maintenance")));
        using var client = NewClient();

        // Act
        var result = await client.GetAsync(server.BaseUrl, "Patient/p1", null, CancellationToken.None);

        // Assert
        Assert.Equal(FhirFailureKind.HttpStatus, result.Failure?.Kind);
        Assert.Equal(503, result.Failure!.StatusCode);
        Assert.Equal(3, server.Requests.Count); // 1 + MaxRetries
        Assert.Contains("HTTP 503", result.Failure.Message, StringComparison.Ordinal);
        Assert.Contains("after 3 attempts", result.Failure.Message, StringComparison.Ordinal);
        Assert.Contains("down for maintenance", result.Failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GivenA404WithAnOperationOutcome_WhenGetting_ThenItIsNotRetriedAndTheOutcomeIsKept()
    {
        // Arrange
        await using var server = await MisbehavingFhirServer.StartAsync((ctx, _, _) =>
            MisbehavingFhirServer.WriteAsync(ctx, 404, FhirBodies.Outcome("not-found", "Resource Patient/zz is not known")));
        using var client = NewClient();

        // Act
        var result = await client.GetAsync(server.BaseUrl, "Patient/zz", null, CancellationToken.None);

        // Assert
        Assert.Equal(FhirFailureKind.HttpStatus, result.Failure?.Kind);
        Assert.Equal(404, result.Failure!.StatusCode);
        Assert.NotNull(result.Failure.Outcome);
        Assert.Contains("Resource Patient/zz is not known", result.Failure.Message, StringComparison.Ordinal);
        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task GivenA429WithRetryAfterOneSecond_WhenGetting_ThenTheRetryArrivesAtLeastOneSecondLater()
    {
        // Arrange: on fake time, so the gap is the client's wait, not the machine's load. The
        // timeouts are far away: this test is about Retry-After, not about deadlines.
        var time = new FakeTimeProvider();
        await using var server = await MisbehavingFhirServer.StartAsync((ctx, n, _) =>
        {
            if (n == 1) ctx.Response.Headers.RetryAfter = "1";
            return MisbehavingFhirServer.WriteAsync(ctx, n == 1 ? 429 : 200, n == 1 ? FhirBodies.Outcome("throttled", "slow down") : FhirBodies.SearchsetBundle);
        }, time);
        using var client = NewClient(RoomyOptions(), time);

        // Act
        var result = await time.RunAsync(client.GetAsync(server.BaseUrl, "Observation?patient=p1", null, CancellationToken.None), FakeStep, TimeSpan.FromSeconds(30));

        // Assert: the back-off alone would have retried after 20-100 ms.
        Assert.True(result.IsSuccess, result.Failure?.Message);
        var requests = server.Requests;
        Assert.Equal(2, requests.Count);
        Assert.True(requests[1].ArrivedAt - requests[0].ArrivedAt >= TimeSpan.FromSeconds(1),
            $"The retry arrived {(requests[1].ArrivedAt - requests[0].ArrivedAt).TotalMilliseconds} ms after the 429 (Retry-After: 1).");
    }

    [Fact]
    public async Task GivenA503WithRetryAfterAsAnHttpDate_WhenGetting_ThenTheRetryWaitsUntilThatDate()
    {
        // Arrange: the date has whole-second precision, so "now + 2 s" is at least 1 s away.
        var time = new FakeTimeProvider();
        await using var server = await MisbehavingFhirServer.StartAsync((ctx, n, _) =>
        {
            if (n == 1) ctx.Response.Headers.RetryAfter = time.GetUtcNow().AddSeconds(2).ToString("R");
            return MisbehavingFhirServer.WriteAsync(ctx, n == 1 ? 503 : 200, n == 1 ? "" : FhirBodies.Patient);
        }, time);
        using var client = NewClient(RoomyOptions(), time);

        // Act
        var result = await time.RunAsync(client.GetAsync(server.BaseUrl, "Patient/p1", null, CancellationToken.None), FakeStep, TimeSpan.FromSeconds(30));

        // Assert
        Assert.IsType<Patient>(result.Resource);
        var requests = server.Requests;
        Assert.Equal(2, requests.Count);
        Assert.True(requests[1].ArrivedAt - requests[0].ArrivedAt >= TimeSpan.FromSeconds(1),
            $"The retry arrived {(requests[1].ArrivedAt - requests[0].ArrivedAt).TotalMilliseconds} ms after the 503.");
    }

    [Fact]
    public async Task GivenARetryAfterPastTheDeadline_WhenGetting_ThenItFailsAtOnceWithThe429InsteadOfWaiting()
    {
        // Arrange
        await using var server = await MisbehavingFhirServer.StartAsync((ctx, _, _) =>
        {
            ctx.Response.Headers.RetryAfter = "30";
            return MisbehavingFhirServer.WriteAsync(ctx, 429, "");
        });
        using var client = NewClient();

        // Act
        var result = await client.GetAsync(server.BaseUrl, "Patient/p1", null, CancellationToken.None);

        // Assert
        Assert.Equal(FhirFailureKind.HttpStatus, result.Failure?.Kind);
        Assert.Equal(429, result.Failure!.StatusCode);
        Assert.Contains("retry after 30 s, past the deadline", result.Failure.Message, StringComparison.Ordinal);
        Assert.Single(server.Requests);
        Assert.Equal(1, result.Attempts);
    }

    public static TheoryData<string> Stalls => new() { "no headers", "headers, then a stalled body" };

    [Theory]
    [MemberData(nameof(Stalls))]
    public async Task GivenAServerThatNeverFinishesAnswering_WhenGetting_ThenATimeoutFailureComesBackAtTheDeadline(string stall)
    {
        // Arrange
        var time = new FakeTimeProvider();
        await using var server = await MisbehavingFhirServer.StartAsync(async (ctx, _, ct) =>
        {
            if (stall != "no headers")
            {
                ctx.Response.ContentType = MisbehavingFhirServer.FhirJson;
                await ctx.Response.WriteAsync("""{"resourceType":"Bundle","type":"searchset","entry":[""", ct);
                await ctx.Response.Body.FlushAsync(ct);
            }
            await Task.Delay(Timeout.Infinite, ct);
        });
        var options = HangOptions();
        using var client = NewClient(options, time);
        var started = time.GetTimestamp();

        // Act: fake time starts once the server holds the request (the deadline exists by then) and
        // stops at the deadline; a call still open then would hang (and fail the guard).
        var result = await time.RunAsync(client.GetAsync(server.BaseUrl, "Observation?patient=p1", Token, CancellationToken.None), FakeStep, options.TotalDeadline,
            startWhen: () => server.Requests.Count > 0);

        // Assert
        Assert.Equal(FhirFailureKind.Timeout, result.Failure?.Kind);
        Assert.Contains("timed out", result.Failure!.Message, StringComparison.Ordinal);
        Assert.True(time.GetElapsedTime(started) <= options.TotalDeadline, $"answered after {time.GetElapsedTime(started)} of fake time");
        Assert.InRange(server.Requests.Count, 1, 1 + options.MaxRetries);
    }

    [Fact]
    public async Task GivenTheCallerCancels_WhenTheServerHangs_ThenACancelledFailureIsReturnedNotThrown()
    {
        // Arrange
        await using var server = await MisbehavingFhirServer.StartAsync((_, _, ct) => Task.Delay(Timeout.Infinite, ct));
        var options = FastOptions();
        options.TotalDeadline = TimeSpan.FromSeconds(10);
        options.AttemptTimeout = TimeSpan.FromSeconds(10);
        using var client = NewClient(options);
        using var budget = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        // Act
        var result = await client.GetAsync(server.BaseUrl, "Patient/p1", null, budget.Token);

        // Assert
        Assert.Equal(FhirFailureKind.Cancelled, result.Failure?.Kind);
    }

    [Fact]
    public async Task GivenAClosedPort_WhenGetting_ThenAConnectionRefusedFailureIsReturnedWithoutWaitingForATimeout()
    {
        // Arrange: on fake time with attempt timeouts far away, so only the back-off (20-100 ms) is waited for.
        var time = new FakeTimeProvider();
        var baseUrl = new Uri($"http://127.0.0.1:{MisbehavingFhirServer.ClosedPort()}/fhir/");
        var options = RoomyOptions();
        using var client = NewClient(options, time);
        var started = time.GetTimestamp();

        // Act
        var result = await time.RunAsync(client.GetAsync(baseUrl, "Patient/p1", Token, CancellationToken.None), FakeStep, options.AttemptTimeout);

        // Assert
        Assert.Equal(FhirFailureKind.ConnectionFailed, result.Failure?.Kind);
        Assert.Contains("connection refused", result.Failure!.Message, StringComparison.Ordinal);
        Assert.Equal(1 + options.MaxRetries, result.Attempts); // transport errors are retried
        Assert.True(time.GetElapsedTime(started) < options.AttemptTimeout, "a refused connection was waited out like a hang");
    }

    [Fact]
    public async Task GivenMalformedJson_WhenGetting_ThenAMalformedJsonFailureWithoutRetry()
    {
        // Arrange
        await using var server = await MisbehavingFhirServer.StartAsync((ctx, _, _) =>
            MisbehavingFhirServer.WriteAsync(ctx, 200, """{"resourceType":"Bundle","type":"searchset","entry":[{"resource":"""));
        using var client = NewClient();

        // Act
        var result = await client.GetAsync(server.BaseUrl, "Observation?patient=p1", null, CancellationToken.None);

        // Assert
        Assert.Equal(FhirFailureKind.MalformedJson, result.Failure?.Kind);
        Assert.Contains("not valid JSON", result.Failure!.Message, StringComparison.Ordinal);
        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task GivenAnHtmlPageWithStatus200_WhenGetting_ThenAMalformedJsonFailureNamesTheContentType()
    {
        // Arrange: a login page or a proxy's error page.
        await using var server = await MisbehavingFhirServer.StartAsync((ctx, _, _) =>
            MisbehavingFhirServer.WriteAsync(ctx, 200, "<html><body>Please sign in</body></html>", "text/html"));
        using var client = NewClient();

        // Act
        var result = await client.GetAsync(server.BaseUrl, "Patient/p1", null, CancellationToken.None);

        // Assert
        Assert.Equal(FhirFailureKind.MalformedJson, result.Failure?.Kind);
        Assert.Contains("text/html", result.Failure!.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"hello":"world"}""", "resourceType")]
    [InlineData("""[{"resourceType":"Patient"}]""", "array")]
    [InlineData("null", "null")]
    [InlineData("""{"resourceType":"Observation","status":{"not":"a code"}}""", "Observation")]
    public async Task GivenJsonThatIsNotAFhirResource_WhenGetting_ThenANotFhirFailureSaysWhy(string body, string expectedInMessage)
    {
        // Arrange
        await using var server = await MisbehavingFhirServer.StartAsync((ctx, _, _) => MisbehavingFhirServer.WriteAsync(ctx, 200, body));
        using var client = NewClient();

        // Act
        var result = await client.GetAsync(server.BaseUrl, "Observation?patient=p1", null, CancellationToken.None);

        // Assert
        Assert.Equal(FhirFailureKind.NotFhir, result.Failure?.Kind);
        Assert.Contains("not a FHIR resource", result.Failure!.Message, StringComparison.Ordinal);
        Assert.Contains(expectedInMessage, result.Failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GivenABundleOfTheWrongType_WhenGetting_ThenTheClientReturnsItWithItsTypeForThePrefetchResolverToRefuse()
    {
        // Arrange: the client knows FHIR, not which Bundle type a prefetch key needs; the
        // resolver refuses a non-searchset Bundle (it sees Bundle.type intact).
        await using var server = await MisbehavingFhirServer.StartAsync((ctx, _, _) =>
            MisbehavingFhirServer.WriteAsync(ctx, 200, """{"resourceType":"Bundle","type":"transaction","entry":[]}"""));
        using var client = NewClient();

        // Act
        var result = await client.GetAsync(server.BaseUrl, "Observation?patient=p1", null, CancellationToken.None);

        // Assert
        Assert.Equal("transaction", Assert.IsType<Bundle>(result.Resource).Type);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task GivenA50MegabyteResponse_WhenGetting_ThenItIsRefusedAsTooLargeWithoutBeingBuffered(bool declaresContentLength)
    {
        // Arrange
        const long size = 50L * 1024 * 1024;
        var chunk = Encoding.ASCII.GetBytes(new string(' ', 64 * 1024));
        await using var server = await MisbehavingFhirServer.StartAsync(async (ctx, _, ct) =>
        {
            ctx.Response.ContentType = MisbehavingFhirServer.FhirJson;
            if (declaresContentLength) ctx.Response.ContentLength = size;
            for (long sent = 0; sent < size; sent += chunk.Length)
            {
                await ctx.Response.Body.WriteAsync(chunk, ct);
            }
        });
        var options = FastOptions();
        options.TotalDeadline = TimeSpan.FromSeconds(5);
        options.AttemptTimeout = TimeSpan.FromSeconds(5);
        options.MaxResponseBytes = 2L * 1024 * 1024;
        using var client = NewClient(options);
        await client.GetAsync(server.BaseUrl, "warm-up", null, CancellationToken.None); // JIT and connection pool
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);

        // Act
        var result = await client.GetAsync(server.BaseUrl, "Observation?patient=p1", null, CancellationToken.None);

        // Assert
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        Assert.Equal(FhirFailureKind.TooLarge, result.Failure?.Kind);
        Assert.Contains("2 MB limit", result.Failure!.Message, StringComparison.Ordinal);
        if (declaresContentLength) Assert.Contains("declared 50 MB", result.Failure.Message, StringComparison.Ordinal);
        Assert.Equal(1, result.Attempts); // too large is not retried
        Assert.True(allocated < 16L * 1024 * 1024, $"{allocated / (1024 * 1024)} MB allocated (client and server together) for a refused 50 MB body.");
    }

    [Fact]
    public async Task GivenABodyUnderTheLimit_WhenGetting_ThenItIsReadWhole()
    {
        // Arrange: ~600 KB of Bundle against a 1 MB limit.
        var big = """{"resourceType":"Bundle","type":"searchset","identifier":{"value":""" + "\"" + new string('x', 600 * 1024) + "\"}}";
        await using var server = await MisbehavingFhirServer.StartAsync((ctx, _, _) => MisbehavingFhirServer.WriteAsync(ctx, 200, big));
        var options = FastOptions();
        options.MaxResponseBytes = 1024 * 1024;
        using var client = NewClient(options);

        // Act
        var result = await client.GetAsync(server.BaseUrl, "Observation?patient=p1", null, CancellationToken.None);

        // Assert
        Assert.Equal(600 * 1024, Assert.IsType<Bundle>(result.Resource).Identifier?.Value?.Length);
    }

    [Fact]
    public async Task GivenRepeatedFailures_WhenCallingAgain_ThenTheBreakerIsOpenAndFailsFastWithoutCallingTheServer()
    {
        // Arrange
        await using var server = await MisbehavingFhirServer.StartAsync((ctx, _, _) => MisbehavingFhirServer.WriteAsync(ctx, 500, ""));
        var options = BreakerOptions();
        using var client = NewClient(options, new ManualTimeProvider());
        for (var i = 0; i < options.BreakerMinimumThroughput; i++)
        {
            var failed = await client.GetAsync(server.BaseUrl, "Patient/p1", null, CancellationToken.None);
            Assert.Equal(FhirFailureKind.HttpStatus, failed.Failure?.Kind);
        }
        var seenBefore = server.Requests.Count;

        // Act
        var result = await client.GetAsync(server.BaseUrl, "Patient/p1", null, CancellationToken.None);

        // Assert
        Assert.Equal(FhirFailureKind.CircuitOpen, result.Failure?.Kind);
        Assert.Contains("circuit open", result.Failure!.Message, StringComparison.Ordinal);
        Assert.Equal(0, result.Attempts);
        Assert.Equal(seenBefore, server.Requests.Count);
        Assert.Equal(CircuitState.Open, client.BreakerStates[FhirResiliencePipelines.AuthorityOf(server.BaseUrl)]);
    }

    [Fact]
    public async Task GivenAnOpenBreaker_WhenTheBreakDurationHasPassedAndTheServerRecovered_ThenTheProbeSucceedsAndTheBreakerCloses()
    {
        // Arrange
        var failing = true;
        await using var server = await MisbehavingFhirServer.StartAsync((ctx, _, _) =>
            Volatile.Read(ref failing) ? MisbehavingFhirServer.WriteAsync(ctx, 500, "") : MisbehavingFhirServer.WriteAsync(ctx, 200, FhirBodies.Patient));
        var options = BreakerOptions();
        var time = new ManualTimeProvider();
        using var client = NewClient(options, time);
        var authority = FhirResiliencePipelines.AuthorityOf(server.BaseUrl);
        for (var i = 0; i < options.BreakerMinimumThroughput; i++)
        {
            await client.GetAsync(server.BaseUrl, "Patient/p1", null, CancellationToken.None);
        }
        Assert.Equal(CircuitState.Open, client.BreakerStates[authority]);
        Volatile.Write(ref failing, false);
        time.Advance(options.BreakerBreakDuration - TimeSpan.FromSeconds(1));
        var stillOpen = await client.GetAsync(server.BaseUrl, "Patient/p1", null, CancellationToken.None);
        Assert.Equal(FhirFailureKind.CircuitOpen, stillOpen.Failure?.Kind);
        var seenBefore = server.Requests.Count;
        time.Advance(TimeSpan.FromSeconds(2));

        // Act
        var result = await client.GetAsync(server.BaseUrl, "Patient/p1", null, CancellationToken.None);

        // Assert
        Assert.IsType<Patient>(result.Resource);
        Assert.Equal(seenBefore + 1, server.Requests.Count);
        Assert.Equal(CircuitState.Closed, client.BreakerStates[authority]);
    }

    [Fact]
    public async Task GivenOneServerWithAnOpenBreaker_WhenCallingAnotherServer_ThenThatOneIsStillCalled()
    {
        // Arrange
        await using var failing = await MisbehavingFhirServer.StartAsync((ctx, _, _) => MisbehavingFhirServer.WriteAsync(ctx, 500, ""));
        await using var healthy = await MisbehavingFhirServer.StartAsync((ctx, _, _) => MisbehavingFhirServer.WriteAsync(ctx, 200, FhirBodies.Patient));
        var options = BreakerOptions();
        using var client = NewClient(options, new ManualTimeProvider());
        for (var i = 0; i < options.BreakerMinimumThroughput; i++)
        {
            await client.GetAsync(failing.BaseUrl, "Patient/p1", null, CancellationToken.None);
        }

        // Act
        var result = await client.GetAsync(healthy.BaseUrl, "Patient/p1", null, CancellationToken.None);

        // Assert
        Assert.IsType<Patient>(result.Resource);
        Assert.Equal(CircuitState.Open, client.BreakerStates[FhirResiliencePipelines.AuthorityOf(failing.BaseUrl)]);
        Assert.Equal(CircuitState.Closed, client.BreakerStates[FhirResiliencePipelines.AuthorityOf(healthy.BaseUrl)]);
    }

    [Fact]
    public async Task GivenABearerToken_WhenGetting_ThenItIsSentInAuthorizationWithTheFhirAcceptHeader()
    {
        // Arrange
        await using var server = await MisbehavingFhirServer.StartAsync((ctx, _, _) => MisbehavingFhirServer.WriteAsync(ctx, 200, FhirBodies.Patient));
        using var client = NewClient();

        // Act
        await client.GetAsync(server.BaseUrl, "Patient/p1", Token, CancellationToken.None);

        // Assert
        var request = Assert.Single(server.Requests);
        Assert.Equal("GET", request.Method);
        Assert.Equal($"Bearer {Token}", request.Authorization);
        Assert.Equal("application/fhir+json", request.Accept);
    }

    [Fact]
    public async Task GivenNoBearerToken_WhenGetting_ThenNoAuthorizationHeaderIsSent()
    {
        // Arrange
        await using var server = await MisbehavingFhirServer.StartAsync((ctx, _, _) => MisbehavingFhirServer.WriteAsync(ctx, 200, FhirBodies.Patient));
        using var client = NewClient();

        // Act
        await client.GetAsync(server.BaseUrl, "Patient/p1", null, CancellationToken.None);

        // Assert
        Assert.Null(Assert.Single(server.Requests).Authorization);
    }

    public static TheoryData<string> TokenLeaks => new() { "401 echoing the token", "500 echoing the token", "malformed body", "hang" };

    [Theory]
    [MemberData(nameof(TokenLeaks))]
    public async Task GivenAFailingServerThatEchoesTheToken_WhenGetting_ThenTheFailureTextNeverHoldsTheToken(string fault)
    {
        // Arrange
        await using var server = await MisbehavingFhirServer.StartAsync((ctx, _, ct) =>
        {
            var echoed = ctx.Request.Headers.Authorization.ToString();
            return fault switch
            {
                "401 echoing the token" => MisbehavingFhirServer.WriteAsync(ctx, 401, FhirBodies.Outcome("security", $"token {echoed} has expired")),
                "500 echoing the token" => MisbehavingFhirServer.WriteAsync(ctx, 500, FhirBodies.Outcome("exception", $"NullReference while checking {echoed}")),
                "malformed body" => MisbehavingFhirServer.WriteAsync(ctx, 200, $"{{\"token\":\"{echoed}\""),
                _ => Task.Delay(Timeout.Infinite, ct),
            };
        });
        using var client = NewClient(HangOptions());

        // Act
        var result = await client.GetAsync(server.BaseUrl, "Patient/p1", Token, CancellationToken.None);

        // Assert
        Assert.NotNull(result.Failure);
        Assert.DoesNotContain(Token, result.Failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Token, result.Failure.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(Token, result.ToString(), StringComparison.Ordinal);
        Assert.Equal($"Bearer {Token}", server.Requests[0].Authorization);
    }

    public static TheoryData<string> ForeignUrls => new()
    {
        "the other server's absolute URL",
        "a protocol-relative URL to the other server",
        "the same host and port over https",
        "localhost instead of 127.0.0.1",
    };

    [Theory]
    [MemberData(nameof(ForeignUrls))]
    public async Task GivenANextUrlOnAnotherAuthority_WhenGetting_ThenItIsRefusedAndNoServerIsCalled(string kind)
    {
        // Arrange
        await using var fhir = await MisbehavingFhirServer.StartAsync((ctx, _, _) => MisbehavingFhirServer.WriteAsync(ctx, 200, FhirBodies.SearchsetBundle));
        await using var evil = await MisbehavingFhirServer.StartAsync((ctx, _, _) => MisbehavingFhirServer.WriteAsync(ctx, 200, FhirBodies.SearchsetBundle));
        var next = kind switch
        {
            "the other server's absolute URL" => new Uri(evil.BaseUrl, "Observation?page=2").AbsoluteUri,
            "a protocol-relative URL to the other server" => $"//127.0.0.1:{evil.Port}/fhir/Observation?page=2",
            "the same host and port over https" => $"https://127.0.0.1:{fhir.Port}/fhir/Observation?page=2",
            _ => $"http://localhost:{fhir.Port}/fhir/Observation?page=2",
        };
        using var client = NewClient();

        // Act
        var result = await client.GetAsync(fhir.BaseUrl, next, Token, CancellationToken.None);

        // Assert
        Assert.Equal(FhirFailureKind.Refused, result.Failure?.Kind);
        Assert.Contains("not followed", result.Failure!.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Token, result.Failure.Message, StringComparison.Ordinal);
        Assert.Equal(0, result.Attempts);
        Assert.Empty(evil.Requests);
        Assert.Empty(fhir.Requests);
    }

    [Fact]
    public async Task GivenANextUrlOnTheSameAuthority_WhenGetting_ThenItIsFollowedAsIs()
    {
        // Arrange
        await using var server = await MisbehavingFhirServer.StartAsync((ctx, _, _) => MisbehavingFhirServer.WriteAsync(ctx, 200, FhirBodies.SearchsetBundle));
        var next = $"http://127.0.0.1:{server.Port}/fhir?_getpages=abc&_getpagesoffset=10";
        using var client = NewClient();

        // Act
        var result = await client.GetAsync(server.BaseUrl, next, Token, CancellationToken.None);

        // Assert
        Assert.True(result.IsSuccess, result.Failure?.Message);
        Assert.Equal("/fhir?_getpages=abc&_getpagesoffset=10", Assert.Single(server.Requests).PathAndQuery);
    }

    [Theory]
    [InlineData("fhir/", "Observation?patient=p1&code=8310-5")]
    [InlineData("fhir", "Observation?patient=p1&code=8310-5")]
    [InlineData("fhir/", "/Observation?patient=p1&code=8310-5")]
    public async Task GivenARelativeQuery_WhenGetting_ThenBaseSlashQueryIsRequested(string basePath, string query)
    {
        // Arrange
        await using var server = await MisbehavingFhirServer.StartAsync((ctx, _, _) => MisbehavingFhirServer.WriteAsync(ctx, 200, FhirBodies.SearchsetBundle));
        var baseUrl = new Uri($"http://127.0.0.1:{server.Port}/{basePath}");
        using var client = NewClient();

        // Act
        var result = await client.GetAsync(baseUrl, query, null, CancellationToken.None);

        // Assert
        Assert.True(result.IsSuccess, result.Failure?.Message);
        Assert.Equal("/fhir/Observation?patient=p1&code=8310-5", Assert.Single(server.Requests).PathAndQuery);
    }

    [Fact]
    public async Task GivenARedirect_WhenGetting_ThenItIsNotFollowed()
    {
        // Arrange
        await using var evil = await MisbehavingFhirServer.StartAsync((ctx, _, _) => MisbehavingFhirServer.WriteAsync(ctx, 200, FhirBodies.Patient));
        await using var server = await MisbehavingFhirServer.StartAsync((ctx, _, _) =>
        {
            ctx.Response.StatusCode = 302;
            ctx.Response.Headers.Location = new Uri(evil.BaseUrl, "Patient/p1").AbsoluteUri;
            return Task.CompletedTask;
        });
        using var client = NewClient();

        // Act
        var result = await client.GetAsync(server.BaseUrl, "Patient/p1", Token, CancellationToken.None);

        // Assert
        Assert.Equal(302, result.Failure?.StatusCode);
        Assert.Contains("redirects are not followed", result.Failure!.Message, StringComparison.Ordinal);
        Assert.Empty(evil.Requests);
    }

    /// <summary>How far <see cref="FakeClockDriver.RunAsync"/> moves fake time per step.</summary>
    private static readonly TimeSpan FakeStep = TimeSpan.FromMilliseconds(10);

    /// <summary><see cref="FastOptions"/> with timeouts that a test on fake time never reaches by accident.</summary>
    private static FhirClientOptions RoomyOptions()
    {
        var options = FastOptions();
        options.TotalDeadline = TimeSpan.FromSeconds(60);
        options.AttemptTimeout = TimeSpan.FromSeconds(20);
        return options;
    }

    private static FhirClientOptions HangOptions()
    {
        var options = FastOptions();
        options.TotalDeadline = TimeSpan.FromSeconds(1);
        options.AttemptTimeout = TimeSpan.FromMilliseconds(400);
        return options;
    }

    private static FhirClientOptions BreakerOptions()
    {
        var options = FastOptions();
        options.MaxRetries = 0;
        options.BreakerFailureRatio = 0.5;
        options.BreakerMinimumThroughput = 3;
        options.BreakerSamplingDuration = TimeSpan.FromSeconds(30);
        options.BreakerBreakDuration = TimeSpan.FromSeconds(15);
        return options;
    }
}
