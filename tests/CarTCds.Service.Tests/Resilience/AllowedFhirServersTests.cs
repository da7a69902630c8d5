using System.Net;
using CarTCds.Service.Tests.TestSupport;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace CarTCds.Service.Tests.Resilience;

/// <summary><c>CarTCds:Fhir:AllowedServers</c> from configuration: a hook naming another FHIR server
/// is answered 412 saying the server is not allowed, and that server is never called.</summary>
public sealed class AllowedFhirServersTests
{
    [Fact]
    public async Task GivenAnAllowlist_WhenAHookNamesAnotherFhirServerForMissingPrefetch_Then412SaysItIsNotAllowed()
    {
        await using var service = new WebApplicationFactory<Program>().WithWebHostBuilder(b => b
            .UseEnvironment("Testing")
            .UseTempSqlite()
            .UseSetting("CarTCds:Now", CarTCdsWebApplicationFactory.FixedNow)
            .UseSetting("CarTCds:Fhir:AllowedServers:0", "https://ehr.example.org/fhir"));
        using var client = service.CreateClient();
        var body = HookJson.Toxicity(HookJson.ToxicityPrefetch(omitKey: "observations"),
            extraMembers: $$""","fhirServer":"{{HookJson.ClosedFhirServer}}" """);

        using var response = await client.PostJsonAsync(HookJson.ToxicityPath, body);

        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.PreconditionFailed, $"{(int)response.StatusCode}: {text}");
        Assert.Contains("CarTCds:Fhir:AllowedServers", text, StringComparison.Ordinal);
        Assert.Contains("OperationOutcome", text, StringComparison.Ordinal);
    }
}
