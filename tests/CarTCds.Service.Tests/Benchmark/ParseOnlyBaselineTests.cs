using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using CarTCds.Service.Benchmark;
using CarTCds.Service.Tests.TestSupport;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace CarTCds.Service.Tests.Benchmark;

/// <summary>The load run's parse-only baseline (<c>POST /benchmark/parse-only/{id}</c>): absent unless
/// <c>CarTCds:Benchmark:ParseOnlyEndpoint=true</c>, refused in Production, and doing the hook's own
/// request reading (same 404/415/400 as the hook) before a fixed empty answer.</summary>
[Collection(CarTCdsServiceCollection.Name)]
public sealed class ParseOnlyBaselineTests(CarTCdsWebApplicationFactory factory)
{
    private const string BaselinePath = "/benchmark/parse-only/cart-toxicity";

    private static WebApplicationFactory<Program> WithBaseline(string environment, params (string Key, string Value)[] settings) =>
        new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseEnvironment(environment);
            b.UseTempSqlite();
            b.UseSetting("CarTCds:Now", CarTCdsWebApplicationFactory.FixedNow);
            b.UseSetting(BenchmarkBaselineEndpoints.FlagKey, "true");
            foreach (var (key, value) in settings) b.UseSetting(key, value);
        });

    [Fact]
    public async Task GivenTheDefaultConfiguration_WhenTheBaselineIsCalled_Then404()
    {
        // Arrange
        var client = factory.CreateClient();

        // Act
        var response = await client.PostJsonAsync(BaselinePath, HookJson.Toxicity());

        // Assert
        await response.AssertOperationOutcomeAsync(HttpStatusCode.NotFound, "not-found", null, "No endpoint at /benchmark/parse-only/cart-toxicity");
    }

    [Fact]
    public async Task GivenTheFlagOn_WhenTheBaselineIsCalledWithAHookRequest_Then200WithNoCards()
    {
        // Arrange
        await using var service = WithBaseline("Testing");
        var client = service.CreateClient();

        // Act
        var response = await client.PostJsonAsync(BaselinePath, HookJson.Toxicity());

        // Assert
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        using var doc = JsonDocument.Parse(text);
        Assert.Equal(0, doc.RootElement.GetProperty("cards").GetArrayLength());
    }

    public static TheoryData<string, string, string, HttpStatusCode> BadCalls => new()
    {
        { "cart-unknown", HookJson.Toxicity(), "application/json", HttpStatusCode.NotFound },
        { "cart-toxicity", HookJson.Toxicity(), "text/plain", HttpStatusCode.UnsupportedMediaType },
        { "cart-toxicity", """{"hook":"patient-view","hook":"order-select"}""", "application/json", HttpStatusCode.BadRequest },
        { "cart-toxicity", """{"prefetch":{"patient":{"resourceType":"Patient","id":"a","resourceType":"Patient"}}}""", "application/json", HttpStatusCode.BadRequest },
        { "cart-toxicity", "", "application/json", HttpStatusCode.BadRequest },
    };

    [Theory]
    [MemberData(nameof(BadCalls))]
    public async Task GivenTheFlagOn_WhenTheBaselineAndTheHookGetTheSameBadCall_ThenBothAnswerTheSameOperationOutcome(
        string serviceId, string body, string contentType, HttpStatusCode expected)
    {
        // Arrange
        await using var service = WithBaseline("Testing");
        var client = service.CreateClient();

        // Act
        var hook = await client.PostJsonAsync($"/cds-services/{serviceId}", body, contentType);
        var baseline = await client.PostJsonAsync($"/benchmark/parse-only/{serviceId}", body, contentType);

        // Assert
        Assert.Equal(expected, hook.StatusCode);
        Assert.Equal(expected, baseline.StatusCode);
        using var hookOutcome = await hook.ReadJsonAsync();
        using var baselineOutcome = await baseline.ReadJsonAsync();
        Assert.Equal("OperationOutcome", baselineOutcome.RootElement.GetProperty("resourceType").GetString());
        Assert.Equal(hookOutcome.RootElement.GetProperty("issue")[0].GetProperty("diagnostics").GetString(),
            baselineOutcome.RootElement.GetProperty("issue")[0].GetProperty("diagnostics").GetString());
    }

    [Fact]
    public void GivenTheFlagOnInProduction_WhenStarted_ThenTheServiceRefusesToStart()
    {
        // Arrange: authentication off so that the baseline's own check is the one that stops the start-up.
        using var service = WithBaseline("Production", ("CarTCds:Auth:Disabled", "true"));

        // Act
        var error = Record.Exception(() => service.CreateClient());

        // Assert
        Assert.NotNull(error);
        Assert.Contains($"{BenchmarkBaselineEndpoints.FlagKey}=true is for load runs only", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GivenTheFlagOffInProduction_WhenStarted_ThenTheServiceStartsWithoutTheBaseline()
    {
        // Arrange
        await using var service = new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseEnvironment("Production");
            b.UseTempSqlite();
            b.UseSetting("CarTCds:Auth:Disabled", "true");
        });
        var client = service.CreateClient();

        // Act
        var response = await client.PostJsonAsync(BaselinePath, HookJson.Toxicity());

        // Assert
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task GivenABodyWithoutContentLengthLargerThanTheFirstBuffer_WhenToxicityIsCalled_ThenTheCardsEqualThoseOfTheSameBodyWithContentLength()
    {
        // Arrange: 200 KB of trailing whitespace makes the pooled buffer grow several times (first rent
        // 16 KB without Content-Length). Real Kestrel: over a socket the body goes chunked, as sent.
        await using var service = WithBaseline("Testing");
        service.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        service.StartServer();
        var address = service.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        // A plain client: the factory's own clients buffer a request body (to replay it on a redirect) and so send its length.
        using var client = new HttpClient { BaseAddress = new Uri(address) };
        var body = Encoding.UTF8.GetBytes(HookJson.Toxicity() + new string(' ', 200 * 1024));
        using var streamed = new UnknownLengthContent(body);
        streamed.Headers.ContentType = MediaTypeHeaderValue.Parse("application/json");
        Assert.Null(streamed.Headers.ContentLength);

        // Act
        var withoutLength = await client.PostAsync(new Uri(HookJson.ToxicityPath, UriKind.Relative), streamed);
        var withLength = await client.PostBytesAsync(HookJson.ToxicityPath, body);

        // Assert
        var a = await withoutLength.Content.ReadAsStringAsync();
        var b = await withLength.Content.ReadAsStringAsync();
        Assert.True(withoutLength.StatusCode == HttpStatusCode.OK, a);
        Assert.True(withLength.StatusCode == HttpStatusCode.OK, b);
        using var docA = JsonDocument.Parse(a);
        using var docB = JsonDocument.Parse(b);
        Assert.Equal(CardSummaries(docB), CardSummaries(docA));
        Assert.Contains(CardSummaries(docA), s => s.Contains("CRS grade 4", StringComparison.Ordinal));
    }

    private static List<string> CardSummaries(JsonDocument doc) =>
        doc.RootElement.GetProperty("cards").EnumerateArray().Select(c => c.GetProperty("summary").GetString()!).ToList();

    /// <summary>A body sent without Content-Length, in 4 KB writes.</summary>
    private sealed class UnknownLengthContent(byte[] body) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context)
        {
            for (var i = 0; i < body.Length; i += 4096) await stream.WriteAsync(body.AsMemory(i, Math.Min(4096, body.Length - i)));
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
