using System.Net;
using System.Text;
using System.Text.Json;
using CarTCds.Cli.Tests.Evaluate;
using CarTCds.Fhir.Model;
using CarTCds.Fhir.Serialization;
using CarTCds.Hooks.Catalog;
using CarTCds.Hooks.Contract;
using CarTCds.Hooks.Evaluation;
using Microsoft.AspNetCore.Mvc.Testing;

namespace CarTCds.Cli.Tests.Sandbox;

/// <summary>The service called as an EHR without prefetch calls it: the example's request with
/// <c>prefetch</c> removed and only <c>fhirServer</c>, so the service reads the chart itself.</summary>
internal static class ServiceWithoutPrefetch
{
    /// <summary>Posts <paramref name="bundle"/> (an example file name) and the optional draft orders
    /// (a path) to <paramref name="service"/> of a fresh host whose clock reads <paramref name="now"/>;
    /// returns the status and body.</summary>
    public static async Task<(HttpStatusCode Status, string Body)> PostAsync(string service, string bundle, string? drafts, string fhirServer, string now)
    {
        var definition = new CdsServiceCatalog().Find(service)!;
        var request = PatientBundleRequest.Build(definition, (Bundle)FhirJson.Parse(await File.ReadAllBytesAsync(CliRunner.Example(bundle))),
            drafts is null ? null : (Bundle)FhirJson.Parse(await File.ReadAllBytesAsync(drafts)));
        request.Prefetch = null;
        request.FhirServer = fhirServer;
        using var app = new WebApplicationFactory<Program>().WithWebHostBuilder(b => b.UseSetting("CarTCds:Now", now).UseGenerousFhirTimeouts().UseTempSqlite());
        using var client = app.CreateClient();
        using var response = await client.PostAsync($"/cds-services/{service}",
            new StringContent(JsonSerializer.Serialize(request, CdsJson.Request), Encoding.UTF8, "application/json"));
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }
}
