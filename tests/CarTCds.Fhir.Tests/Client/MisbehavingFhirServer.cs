using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CarTCds.Fhir.Tests.Client;

/// <summary>What the server saw of one request, stamped on arrival (server side).</summary>
internal sealed record RecordedRequest(int Number, TimeSpan ArrivedAt, string Method, string PathAndQuery, string? Authorization, string? Accept);

/// <summary>An in-process Kestrel endpoint on 127.0.0.1 (a free port) under <c>/fhir/</c> that
/// answers each request with the behaviour it was given: errors, stalls, bad bodies, huge bodies.
/// It records every request it receives, with the time it arrived.</summary>
internal sealed class MisbehavingFhirServer : IAsyncDisposable
{
    public const string FhirJson = "application/fhir+json";

    private readonly WebApplication _app;
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly TimeProvider _clock;
    private readonly long _started;
    private int _count;

    private MisbehavingFhirServer(WebApplication app, TimeProvider clock)
    {
        _app = app;
        _clock = clock;
        _started = clock.GetTimestamp();
    }

    /// <summary>The FHIR base, with a trailing slash: <c>http://127.0.0.1:{port}/fhir/</c>.</summary>
    public Uri BaseUrl { get; private set; } = null!;

    public int Port => BaseUrl.Port;

    public IReadOnlyList<RecordedRequest> Requests => [.. _requests];

    /// <param name="behaviour">Answers request number n (1-based); the token fires when the
    /// client goes away or the server stops.</param>
    /// <param name="clock">Stamps <see cref="RecordedRequest.ArrivedAt"/>; default real time. A
    /// test on fake time passes its fake clock, so arrival gaps are in the client's time.</param>
    public static async Task<MisbehavingFhirServer> StartAsync(Func<HttpContext, int, CancellationToken, Task> behaviour, TimeProvider? clock = null)
    {
        await WarmUp.Value;
        return await StartColdAsync(behaviour, clock ?? TimeProvider.System);
    }

    /// <summary>Once per test run: start a server and read from it, so that the first real test
    /// does not pay for JIT-compiling Kestrel, HttpClient, Polly and the FHIR reader inside its
    /// (short) timeouts.</summary>
    private static readonly Lazy<Task> WarmUp = new(async () =>
    {
        await using var server = await StartColdAsync((ctx, _, _) => WriteAsync(ctx, 200, FhirBodies.SearchsetBundle), TimeProvider.System);
        var options = new CarTCds.Fhir.Client.FhirClientOptions { TotalDeadline = TimeSpan.FromSeconds(30), AttemptTimeout = TimeSpan.FromSeconds(30) };
        using var client = CarTCds.Fhir.Client.FhirServerClient.Create(options, TimeProvider.System);
        await client.GetAsync(server.BaseUrl, "Observation?patient=p1", "warm-up", CancellationToken.None);
    });

    private static async Task<MisbehavingFhirServer> StartColdAsync(Func<HttpContext, int, CancellationToken, Task> behaviour, TimeProvider clock)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var server = new MisbehavingFhirServer(app, clock);
        app.Run(async context =>
        {
            var n = Interlocked.Increment(ref server._count);
            server._requests.Enqueue(new RecordedRequest(n, server._clock.GetElapsedTime(server._started), context.Request.Method,
                context.Request.Path + context.Request.QueryString, context.Request.Headers.Authorization.FirstOrDefault(),
                context.Request.Headers.Accept.FirstOrDefault()));
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, server._stopping.Token);
            try
            {
                await behaviour(context, n, linked.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or IOException || linked.IsCancellationRequested)
            {
                // The client went away (timeout, size cap) or the test is over: expected here.
            }
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        server.BaseUrl = new Uri(address.TrimEnd('/') + "/fhir/");
        return server;
    }

    /// <summary>A port on 127.0.0.1 that nothing listens on (bound, then released).</summary>
    public static int ClosedPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    public static async Task WriteAsync(HttpContext context, int status, string body, string contentType = FhirJson)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = contentType;
        await context.Response.WriteAsync(body, Encoding.UTF8);
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await _app.StopAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            // A handler that ignores cancellation: disposal below still frees the port.
        }
        await _app.DisposeAsync();
        _stopping.Dispose();
    }
}

/// <summary>FHIR bodies the servers answer with.</summary>
internal static class FhirBodies
{
    public const string SearchsetBundle =
        """{"resourceType":"Bundle","type":"searchset","total":1,"entry":[{"fullUrl":"Observation/o1","resource":{"resourceType":"Observation","id":"o1","status":"final","code":{"text":"Temperature"},"subject":{"reference":"Patient/p1"},"valueQuantity":{"value":38.4,"unit":"Cel","system":"http://unitsofmeasure.org","code":"Cel"}},"search":{"mode":"match"}}]}""";

    public const string Patient = """{"resourceType":"Patient","id":"p1","birthDate":"1980-02-03"}""";

    public static string Outcome(string code, string diagnostics) =>
        $$"""{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"{{code}}","diagnostics":"{{diagnostics}}"}]}""";
}
