using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CarTCds.Fhir.Model;
using CarTCds.Fhir.Serialization;
using CarTCds.Hooks.Catalog;
using CarTCds.Hooks.Contract;
using CarTCds.Hooks.Evaluation;
using Microsoft.AspNetCore.Mvc.Testing;

namespace CarTCds.Cli.Tests.Evaluate;

/// <summary><c>cartcds evaluate</c> and <c>POST /cds-services/{id}</c> give the same cards for the same data.</summary>
public sealed class CliMatchesEndpointTests(WebApplicationFactory<Program> factory) : IClassFixture<WebApplicationFactory<Program>>
{
    [Theory]
    [InlineData("cart-p1-post-sct-relapse.json", "2013-05-12T23:00:00Z")]
    [InlineData("cart-p1-post-sct-relapse.json", "2013-05-13T23:00:00Z")]
    [InlineData("cart-p4-down-syndrome.json", "2016-05-15T23:00:00Z")]
    [InlineData("cart-e7-boundaries.json", "2021-09-09T23:00:00Z")]
    [InlineData("cart-e6-missing-weight.json", "2023-11-17T23:00:00Z")]
    public async Task GivenTheSamePatientAndTime_WhenEvaluatedByCliAndEndpoint_ThenTheResponsesAreEqualButForUuids(string bundle, string now)
    {
        var path = CliRunner.Example(bundle);
        var patientBundle = (Bundle)FhirJson.Parse(await File.ReadAllBytesAsync(path));
        var service = new CdsServiceCatalog().Find("cart-toxicity")!;
        var body = JsonSerializer.Serialize(PatientBundleRequest.Build(service, patientBundle), CdsJson.Request);
        using var app = factory.WithWebHostBuilder(b => b.UseSetting("CarTCds:Now", now).UseTempSqlite());
        using var client = app.CreateClient();

        var http = await client.PostAsync("/cds-services/cart-toxicity", new StringContent(body, Encoding.UTF8, "application/json"));
        var (exit, stdout, stderr) = await CliRunner.RunAsync("evaluate", "--service", "cart-toxicity", "--bundle", path, "--now", now);

        Assert.Equal(HttpStatusCode.OK, http.StatusCode);
        Assert.True(exit == 0, stderr);
        var fromEndpoint = CliRunner.WithoutUuids(await http.Content.ReadAsStringAsync());
        var fromCli = CliRunner.WithoutUuids(stdout);
        Assert.True(JsonNode.DeepEquals(fromEndpoint, fromCli), $"endpoint:\n{fromEndpoint}\ncli:\n{fromCli}");
        Assert.NotEmpty(fromCli["cards"]!.AsArray());
    }
}
