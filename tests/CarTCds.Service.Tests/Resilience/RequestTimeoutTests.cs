using System.Diagnostics;
using System.Net;
using CarTCds.Service.Tests.TestSupport;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace CarTCds.Service.Tests.Resilience;

/// <summary><c>CarTCds:RequestTimeout</c> bounds a whole request: a client whose body stalls gets a
/// 504 OperationOutcome at the timeout; the timeout must exceed the fetch budget (FHIR reads end first).</summary>
public sealed class RequestTimeoutTests
{
    private static WebApplicationFactory<Program> Service(string requestTimeout, string fetchBudget) =>
        new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseEnvironment("Testing");
            b.UseTempSqlite();
            b.UseSetting("CarTCds:Now", CarTCdsWebApplicationFactory.FixedNow);
            b.UseSetting("CarTCds:RequestTimeout", requestTimeout);
            b.UseSetting("CarTCds:FetchBudget", fetchBudget);
            b.UseSetting("CarTCds:Fhir:TotalDeadline", "00:00:08");
            b.UseSetting("CarTCds:Fhir:AttemptTimeout", "00:00:08");
        });

    [Fact]
    public async Task GivenABodyThatStallsPastTheRequestTimeout_WhenAHookIsCalled_ThenA504OperationOutcomeComesAtTheTimeout()
    {
        // A real Kestrel and a raw socket: the test server does not stream a stalled body the way a network does.
        await using var service = Service(requestTimeout: "00:00:02", fetchBudget: "00:00:01");
        // Loopback port 0 (any free port); UseKestrel(0) alone listens on the default 5000, which parallel runs share.
        service.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        service.StartServer();
        var port = new Uri(service.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single()).Port;
        var body = System.Text.Encoding.UTF8.GetBytes(HookJson.Toxicity());
        using var tcp = new System.Net.Sockets.TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, port);
        var stream = tcp.GetStream();
        var head = $"POST {HookJson.ToxicityPath} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n";

        var clock = Stopwatch.StartNew();
        await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes(head));
        await stream.WriteAsync(body.AsMemory(0, body.Length / 2)); // and then nothing more
        using var reader = new StreamReader(stream);
        using var answered = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var response = await reader.ReadToEndAsync(answered.Token);
        clock.Stop();

        Assert.StartsWith("HTTP/1.1 504", response, StringComparison.Ordinal);
        Assert.Contains("\"resourceType\":\"OperationOutcome\"", response, StringComparison.Ordinal);
        Assert.Contains("\"code\":\"timeout\"", response, StringComparison.Ordinal);
        Assert.Contains("CarTCds:RequestTimeout", response, StringComparison.Ordinal);
        // Bounds a stall that would otherwise last until Kestrel's data-rate limit; generous because the machine is shared.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"answered after {clock.Elapsed}");
    }

    [Fact]
    public void GivenARequestTimeoutNotLongerThanTheFetchBudget_WhenTheServiceStarts_ThenItRefusesNamingBoth()
    {
        using var service = Service(requestTimeout: "00:00:02", fetchBudget: "00:00:02");

        var ex = Assert.ThrowsAny<Exception>(() => service.CreateClient());

        Assert.Contains("CarTCds:RequestTimeout must be longer than CarTCds:FetchBudget", ex.ToString(), StringComparison.Ordinal);
    }
}
