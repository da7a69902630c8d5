using System.Net;
using CarTCds.Service.Audit;
using CarTCds.Service.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace CarTCds.Service.Tests.Storage;

/// <summary>A record that breaks its FHIR profile is left out of grading, named in the card's
/// data-quality note, and counted in the audit row (hook_audit.excluded_records).</summary>
[Collection(CarTCdsServiceCollection.Name)]
public sealed class ExcludedRecordsAuditTests(CarTCdsWebApplicationFactory factory)
{
    private const string Ice14 = """
        {"resourceType":"Observation","id":"ice-14","status":"final",
         "code":{"coding":[{"system":"http://cartcds.org/fhir/CodeSystem/cartcds","code":"ice-score"}]},
         "subject":{"reference":"Patient/pat-1"},
         "effectiveDateTime":"2013-05-19T08:00:00Z",
         "valueInteger":14}
        """;

    private const string TemperatureInKg = """
        {"resourceType":"Observation","id":"temp-kg","status":"final",
         "code":{"coding":[{"system":"http://loinc.org","code":"8310-5"}]},
         "subject":{"reference":"Patient/pat-1"},
         "effectiveDateTime":"2013-05-19T10:00:00Z",
         "valueQuantity":{"value":38,"unit":"kg","system":"http://unitsofmeasure.org","code":"kg"}}
        """;

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public async Task GivenRecordsThatBreakTheirProfiles_WhenAHookIsAnswered_ThenTheAuditRowCountsThem(int broken)
    {
        var instance = Guid.NewGuid().ToString();
        var observations = new[] { HookJson.Temperature, HookJson.Bipap }.Concat(new[] { Ice14, TemperatureInKg }.Take(broken)).ToArray();
        var body = HookJson.Toxicity(HookJson.ToxicityPrefetch("observations", HookJson.Searchset(observations)))
            .Replace(HookJson.HookInstance, instance, StringComparison.Ordinal);

        var response = await factory.CreateClient().PostJsonAsync(HookJson.ToxicityPath, body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var row = Assert.Single(await factory.Services.GetRequiredService<IAuditLog>().ListAsync(instance, 10, CancellationToken.None));
        Assert.Equal(broken, row.ExcludedRecords);
        using var json = await response.ReadJsonAsync();
        var detail = json.RootElement.GetProperty("cards")[0].GetProperty("detail").GetString()!;
        Assert.Equal(broken >= 1, detail.Contains("Observation/ice-14: ICE score 14 on 2013-05-19 08:00Z ignored: outside 0–10", StringComparison.Ordinal));
        Assert.Equal(broken >= 2, detail.Contains("Observation/temp-kg: body temperature 38 kg on 2013-05-19 10:00Z ignored: unit 'kg' is not one of Cel, [degF]", StringComparison.Ordinal));
    }
}
