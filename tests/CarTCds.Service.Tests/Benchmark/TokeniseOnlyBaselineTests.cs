using System.Net;
using System.Text.Json;
using CarTCds.Service.Benchmark;
using CarTCds.Service.Tests.TestSupport;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace CarTCds.Service.Tests.Benchmark;

/// <summary>The load run's tokenise-only floor (<c>POST /benchmark/tokenise-only</c>): absent unless
/// <c>CarTCds:Benchmark:TokeniseOnlyEndpoint=true</c>, refused in Production by the same guard as the
/// parse-only baseline, reading the body as the hook does (415) and answering a fixed empty card list
/// for any JSON, 400 for a body that is not JSON.</summary>
[Collection(CarTCdsServiceCollection.Name)]
public sealed class TokeniseOnlyBaselineTests(CarTCdsWebApplicationFactory factory)
{
    private const string FloorPath = "/benchmark/tokenise-only";

    private static WebApplicationFactory<Program> WithFloor(string environment, params (string Key, string Value)[] settings) =>
        new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseEnvironment(environment);
            b.UseTempSqlite();
            b.UseSetting("CarTCds:Now", CarTCdsWebApplicationFactory.FixedNow);
            b.UseSetting(BenchmarkBaselineEndpoints.TokeniseOnlyFlagKey, "true");
            foreach (var (key, value) in settings) b.UseSetting(key, value);
        });

    [Fact]
    public async Task GivenTheDefaultConfiguration_WhenTheFloorIsCalled_Then404()
    {
        // Arrange
        var client = factory.CreateClient();

        // Act
        var response = await client.PostJsonAsync(FloorPath, HookJson.Toxicity());

        // Assert
        await response.AssertOperationOutcomeAsync(HttpStatusCode.NotFound, "not-found", null, "No endpoint at /benchmark/tokenise-only");
    }

    public static TheoryData<string> JsonBodies => new()
    {
        HookJson.Toxicity(),
        // Not a hook request at all (the hook would answer 400): the floor only tokenises.
        """[1, 2.5e3, "x", true, null, {"a": {}}]""",
    };

    [Theory]
    [MemberData(nameof(JsonBodies))]
    public async Task GivenTheFlagOn_WhenTheFloorIsCalledWithJson_Then200WithTheFixedEmptyCardList(string body)
    {
        // Arrange
        await using var service = WithFloor("Testing");
        var client = service.CreateClient();

        // Act
        var response = await client.PostJsonAsync(FloorPath, body);

        // Assert
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        using var doc = JsonDocument.Parse(text);
        Assert.Equal(0, doc.RootElement.GetProperty("cards").GetArrayLength());
    }

    public static TheoryData<string, string, HttpStatusCode, string> BadCalls => new()
    {
        { HookJson.Toxicity(), "text/plain", HttpStatusCode.UnsupportedMediaType, "Content-Type must be application/json" },
        { "", "application/json", HttpStatusCode.BadRequest, "The request body is not JSON" },
        { """{"hook": "patient-view",""", "application/json", HttpStatusCode.BadRequest, "The request body is not JSON" },
        { """{"a": 1} {"b": 2}""", "application/json", HttpStatusCode.BadRequest, "The request body is not JSON" },
    };

    [Theory]
    [MemberData(nameof(BadCalls))]
    public async Task GivenTheFlagOn_WhenTheFloorGetsABadCall_ThenA4xxOperationOutcomeSaysWhy(string body, string contentType, HttpStatusCode expected, string diagnostics)
    {
        // Arrange
        await using var service = WithFloor("Testing");
        var client = service.CreateClient();

        // Act
        var response = await client.PostJsonAsync(FloorPath, body, contentType);

        // Assert
        await response.AssertOperationOutcomeAsync(expected, expected == HttpStatusCode.BadRequest ? "invalid" : "not-supported", null, diagnostics);
    }

    [Fact]
    public void GivenTheFlagOnInProduction_WhenStarted_ThenTheServiceRefusesToStart()
    {
        // Arrange: authentication off so that the baseline guard is the one that stops the start-up.
        using var service = WithFloor("Production", ("CarTCds:Auth:Disabled", "true"));

        // Act
        var error = Record.Exception(() => service.CreateClient());

        // Assert
        Assert.NotNull(error);
        Assert.Contains($"{BenchmarkBaselineEndpoints.TokeniseOnlyFlagKey}=true is for load runs only", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GivenOnlyTheTokeniseFlagOn_WhenTheParseOnlyBaselineIsCalled_Then404()
    {
        // Arrange: each baseline has its own switch.
        await using var service = WithFloor("Testing");
        var client = service.CreateClient();

        // Act
        var response = await client.PostJsonAsync("/benchmark/parse-only/cart-toxicity", HookJson.Toxicity());

        // Assert
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}
