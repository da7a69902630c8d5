using CarTCds.Fhir.Model;
using CarTCds.Hooks.Cards;
using CarTCds.Hooks.Contract;
using CarTCds.Hooks.Facts;
using CarTCds.Hooks.Tests.TestSupport;

namespace CarTCds.Hooks.Tests.Evaluation;

/// <summary>A record left out (bad unit, implausible value) is named on the card whose grade it would
/// have changed, and a CRS card never says "afebrile" while a temperature of its window was left out.</summary>
public sealed class LeftOutPlacementTests
{
    private static Card Card(CdsResponse r, string topic) => r.Cards.Single(c => c.Source.Topic!.Code == topic);

    /// <summary>Fever (CRS 1) and "awakens to voice" (ICANS 2) with an ICE of 14 (outside 0–10): the
    /// ICE would have changed the ICANS grade, so the ICANS card names it and the CRS card does not.</summary>
    [Fact]
    public async Task GivenAnIceScoreOutsideItsRange_WhenViewed_ThenTheIcansCardNamesItAndTheCrsCardDoesNot()
    {
        var response = await ExampleCharts.PatientViewAsync([
            FhirData.Patient("2005-01-01"),
            FhirData.CarTInfusion("cart", hoursAgo: 72),
            FhirData.Temperature("temp", 38.6m, hoursAgo: 2),
            FhirData.Consciousness("loc", "awakens-to-voice"),
            FhirData.Score("ice-14", DataContract.IceScore, 14)]);

        var icans = Card(response, IcansCardComposer.Topic);
        Assert.Contains("\n**Left out**\n\n- Observation/ice-14: ICE score 14 on 2013-05-19 11:00Z ignored: outside 0–10\n", icans.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain("ice-14", Card(response, CrsCardComposer.Topic).Detail, StringComparison.Ordinal);
    }

    /// <summary>A temperature in kg 1439 minutes before the evaluation is inside the 24 h window
    /// (start exclusive): the CRS card names it and never says "afebrile"; at 1440 minutes it is
    /// outside: the usable 37.2 °C make the patient afebrile in the window.</summary>
    [Theory]
    [InlineData(1439, true)]
    [InlineData(1440, false)]
    public async Task GivenATemperatureLeftOutNearTheWindowStart_WhenTheOtherTemperaturesAreNormal_ThenAfebrileIsSaidOnlyWhenItIsOutsideTheWindow(int minutesAgo, bool inWindow)
    {
        var response = await ExampleCharts.PatientViewAsync([
            FhirData.Patient("2005-01-01"),
            FhirData.CarTInfusion("cart", hoursAgo: 72),
            FhirData.Temperature("temp", 37.2m, hoursAgo: 2),
            FhirData.Temperature("temp-kg", 39m, "kg", hoursAgo: minutesAgo / 60.0)]);

        var crs = Card(response, CrsCardComposer.Topic);
        Assert.Equal(0m, crs.Extension!.Findings!.Single(f => f.Code == CrsCardComposer.FindingCode).Value.Number);
        // Named on the CRS card either way (a temperature concerns CRS).
        Assert.Contains("- Observation/temp-kg: body temperature 39 kg on", crs.Detail, StringComparison.Ordinal);
        if (inWindow)
        {
            Assert.DoesNotContain("afebrile", crs.Summary + crs.Detail, StringComparison.OrdinalIgnoreCase);
            Assert.Equal("No CRS by ASTCT criteria in the last 24 h, day 3 (max 37.2 °C of the usable temperatures; Observation/temp-kg left out)", crs.Summary);
            Assert.Contains("Graded on the usable temperatures only: Observation/temp-kg in the window was left out", crs.Detail, StringComparison.Ordinal);
        }
        else
        {
            Assert.Equal("No CRS by ASTCT criteria in the last 24 h, day 3 (afebrile (max 37.2 °C))", crs.Summary);
        }
    }

    /// <summary>Only a temperature in kg in the window: not gradable, and the summary says the
    /// temperature was there but unusable rather than "no temperature".</summary>
    [Fact]
    public async Task GivenTheOnlyTemperatureLeftOut_WhenViewed_ThenNotGradableNamingIt()
    {
        var response = await ExampleCharts.PatientViewAsync([
            FhirData.Patient("2005-01-01"),
            FhirData.CarTInfusion("cart", hoursAgo: 72),
            FhirData.Temperature("temp-kg", 39m, "kg", hoursAgo: 1)]);

        var crs = Card(response, CrsCardComposer.Topic);
        Assert.Equal("CRS not gradable (ASTCT), day 3: no usable temperature in the last 24 h (Observation/temp-kg left out)", crs.Summary);
        Assert.Equal("not-gradable", crs.Extension!.Findings!.Single(f => f.Code == CrsCardComposer.FindingCode).Value.Text);
    }

    /// <summary>Fever with a norepinephrine infusion charted under a product code no list holds: the drug is
    /// not counted (CRS 1, not 3), and the CRS card says why, naming the record and the list to add its code
    /// to, rather than showing grade 1 in silence (issue 17).</summary>
    [Fact]
    public async Task GivenAVasopressorUnderAnUnlistedProductCode_WhenViewed_ThenTheCrsCardNamesItAndTheGradeDoesNotCountIt()
    {
        var norepinephrine = FhirData.Administration("ma-norepi", "1999901", "in-progress", startedHoursAgo: 3);
        norepinephrine.MedicationCodeableConcept = new CodeableConcept(FhirSystems.RxNorm, "1999901", "norepinephrine 0.064 MG/ML in 250 ML Injection");

        var response = await ExampleCharts.PatientViewAsync([
            FhirData.Patient("2005-01-01"),
            FhirData.CarTInfusion("cart", hoursAgo: 72),
            FhirData.Temperature("temp", 38.6m, hoursAgo: 2),
            norepinephrine]);

        var crs = Card(response, CrsCardComposer.Topic);
        Assert.Equal(1m, crs.Extension!.Findings!.Single(f => f.Code == CrsCardComposer.FindingCode).Value.Number);
        Assert.Contains("- MedicationAdministration/ma-norepi: 'norepinephrine 0.064 MG/ML in 250 ML Injection' names norepinephrine, but none of its codes is in profiles/ValueSet/drug-norepinephrine.json", crs.Detail, StringComparison.Ordinal);
    }
}
