using System.Net;
using CarTCds.Service.Audit;
using CarTCds.Service.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace CarTCds.Service.Tests.Interop;

/// <summary>Issue 17 item 3: an EHR fires patient-view on every chart it opens. cart-toxicity speaks
/// only on charts with a CAR-T infusion; elsewhere it answers no cards, and the audit row (never the
/// clinician) says why.</summary>
[Collection(CarTCdsServiceCollection.Name)]
public sealed class NonCarTChartTests(CarTCdsWebApplicationFactory factory)
{
    [Fact]
    public async Task GivenAFebrileChartWithoutCarTTherapy_WhenPatientViewFires_ThenZeroCardsAndTheAuditRowSaysWhy()
    {
        // Arrange: the same fever and BiPAP that grade CRS 4 on a CAR-T chart, but no infusion on record.
        var instance = Guid.NewGuid().ToString();
        var body = HookJson.Toxicity(HookJson.ToxicityPrefetch("procedures", HookJson.EmptySearchset))
            .Replace(HookJson.HookInstance, instance, StringComparison.Ordinal);

        // Act
        var response = await factory.CreateClient().PostJsonAsync(HookJson.ToxicityPath, body);

        // Assert
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = await response.ReadJsonAsync();
        Assert.Empty(json.RootElement.GetProperty("cards").EnumerateArray());
        var row = Assert.Single(await factory.Services.GetRequiredService<IAuditLog>().ListAsync(instance, 10, CancellationToken.None));
        Assert.Equal(0, row.CardCount);
        Assert.Contains("no CAR-T infusion on record", row.Note, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GivenTheSameChartWithItsInfusion_WhenPatientViewFires_ThenTheCrsCardAndNoAuditNote()
    {
        // Arrange
        var instance = Guid.NewGuid().ToString();
        var body = HookJson.Toxicity().Replace(HookJson.HookInstance, instance, StringComparison.Ordinal);

        // Act
        var response = await factory.CreateClient().PostJsonAsync(HookJson.ToxicityPath, body);

        // Assert
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = await response.ReadJsonAsync();
        Assert.Contains("CRS grade 4", json.RootElement.GetProperty("cards")[0].GetProperty("summary").GetString(), StringComparison.Ordinal);
        var row = Assert.Single(await factory.Services.GetRequiredService<IAuditLog>().ListAsync(instance, 10, CancellationToken.None));
        Assert.Null(row.Note);
    }
}
