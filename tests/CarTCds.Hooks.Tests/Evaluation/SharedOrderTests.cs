using CarTCds.Fhir.Model;
using CarTCds.Hooks.Cards;
using CarTCds.Hooks.Contract;
using CarTCds.Hooks.Tests.TestSupport;
using CarTCds.Rules.Management;

namespace CarTCds.Hooks.Tests.Evaluation;

/// <summary>One drug, one order: when CRS refractory to tocilizumab and corticosteroids and an IEC-HS
/// flag both call for anakinra, the IEC-HS card (anakinra is its first-line treatment, Hines 2023)
/// carries the order and the CRS card refers to it.</summary>
public sealed class SharedOrderTests
{
    private static readonly DateTimeOffset Day5 = new(2022, 3, 13, 23, 0, 0, TimeSpan.Zero);

    /// <summary>Seed case e5 (carHLH) on day 5 at 23:00: CRS grade 2 on nasal cannula since day 2,
    /// tocilizumab on day 2, IEC-HS flagged. With dexamethasone given 35 h earlier the CRS is
    /// refractory (anakinra on the CRS card); without it, it is not (anakinra on the IEC-HS card only).</summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task GivenCrsRefractoryAndAnIecHsFlag_WhenViewed_ThenOnlyTheIecHsCardOffersAnakinra(bool dexamethasoneGiven)
    {
        var chart = ExampleCharts.Load("cart-e5-carhlh.json");
        if (dexamethasoneGiven)
        {
            chart.Entry!.Add(new BundleEntry
            {
                Resource = new MedicationAdministration
                {
                    Id = "e5-dexamethasone-d4-1200",
                    Status = "completed",
                    MedicationCodeableConcept = new CodeableConcept(FhirSystems.RxNorm, "3264"),
                    Subject = new Reference("Patient/cart-e5-carhlh"),
                    EffectiveDateTime = "2022-03-12T12:00:00Z",
                },
            });
        }

        var response = await ExampleCharts.PatientViewAsync(chart, Day5);

        static bool OffersAnakinra(Card c) => c.Suggestions?.Any(s => s.Label.StartsWith("Order anakinra", StringComparison.Ordinal)) == true;
        var iecHs = response.Cards.Single(c => c.Source.Topic!.Code == IecHsCardComposer.Topic);
        Assert.True(OffersAnakinra(iecHs));
        Assert.Equal([IecHsCardComposer.Topic], response.Cards.Where(OffersAnakinra).Select(c => c.Source.Topic!.Code));
        var crs = response.Cards.Single(c => c.Source.Topic!.Code == CrsCardComposer.Topic);
        var crsManagement = crs.Extension!.Findings!.Single(f => f.Code == ManagementAdviceComposer.CrsFindingCode).Value.Text!;
        Assert.Equal(dexamethasoneGiven, crsManagement.Split('+').Contains(ManagementCodes.Anakinra));
        Assert.Equal(dexamethasoneGiven, crs.Detail!.Contains("consider anakinra (IL-1 receptor antagonist; seed 002): ", StringComparison.Ordinal)
            && crs.Detail.Contains("The IEC-HS card's anakinra order covers it.", StringComparison.Ordinal));
    }
}
