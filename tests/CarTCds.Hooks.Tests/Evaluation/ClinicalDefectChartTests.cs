using CarTCds.Fhir.Model;
using CarTCds.Hooks.Cards;
using CarTCds.Hooks.Catalog;
using CarTCds.Hooks.Contract;
using CarTCds.Hooks.Evaluation;
using CarTCds.Hooks.Facts;
using CarTCds.Hooks.Tests.TestSupport;

namespace CarTCds.Hooks.Tests.Evaluation;

/// <summary>Issue 20 §1 defects on realistic charts: FHIR resources through the mapper, the rules and
/// the cards (patient-view), not hand-built facts.</summary>
public sealed class ClinicalDefectChartTests
{
    private static async Task<CdsResponse> PatientView(params Resource[] chart)
    {
        var bundle = new Bundle { Type = "collection", Entry = chart.Select(r => new BundleEntry { Resource = r }).ToList() };
        var service = new CdsServiceCatalog().Find(CdsServiceCatalog.ToxicityId)!;
        var engine = CdsEngine.Create(new FixedTimeProvider(FhirData.Now), fhir: FakeFhirQueryClient.Unreachable());
        var result = await engine.EvaluateAsync(service.Id, PatientBundleRequest.Build(service, bundle, null, "Practitioner/abc"), CancellationToken.None);
        Assert.Null(result.Error);
        return result.Response!;
    }

    private static Card CrsCard(CdsResponse r) => r.Cards.Single(c => c.Source.Topic!.Code == "crs-grade");

    private static FindingRecord CrsFinding(CdsResponse r) => CrsCard(r).Extension!.Findings!.Single(f => f.Code == CrsCardComposer.FindingCode);

    private static Observation Weight(double hoursAgo) =>
        FhirData.Observation("weight", FhirSystems.Loinc, "29463-7", effective: FhirData.At(hoursAgo), quantity: new Quantity(26m, "kg"));

    /// <summary>The chart: an 8-year-old with 39.0 °C and SBP 70 at 08:00, tisagenlecleucel at
    /// 10:00, 37.0 °C at 11:00; evaluated at 12:00 on day 0. Before the fix: CRS 2 and tocilizumab.</summary>
    [Fact]
    public async Task GivenFeverAndLowPressureTheMorningBeforeA10OClockInfusion_WhenViewedOnDay0_ThenNoCrsAndNoTocilizumab()
    {
        var response = await PatientView(
            FhirData.Patient("2005-01-01"), Weight(30),
            FhirData.Temperature("temp-0800", 39.0m, hoursAgo: 4),
            FhirData.BloodPressurePanel("bp-0800", 70m, 40m, hoursAgo: 4),
            FhirData.CarTInfusion("cart", hoursAgo: 2),
            FhirData.Temperature("temp-1100", 37.0m, hoursAgo: 1),
            FhirData.BloodPressurePanel("bp-1100", 104m, 62m, hoursAgo: 1));

        var finding = CrsFinding(response);
        Assert.Equal(0m, finding.Value.Number);
        Assert.Equal(["Observation/temp-1100"], finding.Evidence!);
        var card = CrsCard(response);
        Assert.StartsWith("No CRS by ASTCT criteria", card.Summary, StringComparison.Ordinal);
        Assert.Null(card.Suggestions);
        Assert.Contains("The window starts at the CAR-T infusion (2013-05-19 10:00Z)", card.Detail, StringComparison.Ordinal);
    }

    /// <summary>The day-45 chart: CRS on day 2 treated with acetaminophen, room air from day 4;
    /// on day 45 a well, afebrile patient on nasal cannula 2 L/min. Before the fix: CRS 2 ("fever
    /// masked by acetaminophen") with a tocilizumab order.</summary>
    [Fact]
    public async Task GivenAnAntipyreticOnDay2AndNasalCannulaOnDay45_WhenViewed_ThenNotGradedCrs2ByTheOldDose()
    {
        const double day = 24;
        var response = await PatientView(
            FhirData.Patient("2005-01-01"), Weight(50),
            FhirData.CarTInfusion("cart", hoursAgo: 45 * day),
            FhirData.Temperature("temp-d2", 39.1m, hoursAgo: 43 * day),
            FhirData.Administration("apap-d2", "161", startedHoursAgo: 43 * day - 1, endedHoursAgo: 43 * day - 1),
            FhirData.OxygenDevice("o2-d2", "nasal-cannula", hoursAgo: 43 * day - 2),
            FhirData.OxygenDevice("o2-d4", "room-air", hoursAgo: 41 * day),
            FhirData.Temperature("temp-d45", 37.1m, hoursAgo: 2),
            FhirData.OxygenDevice("o2-d45", "nasal-cannula", hoursAgo: 2),
            FhirData.OxygenFlow("flow-d45", 2m, hoursAgo: 2));

        var finding = CrsFinding(response);
        Assert.Equal(0m, finding.Value.Number);
        Assert.Equal(["Observation/flow-d45", "Observation/o2-d45", "Observation/temp-d45"], finding.Evidence!.Order());
        var card = CrsCard(response);
        Assert.DoesNotContain("masked", card.Summary, StringComparison.Ordinal);
        Assert.Null(card.Suggestions);
        // Afebrile on oxygen after infusion: a warning to look for another cause, not reassurance.
        Assert.Equal(CardIndicator.Warning, card.Indicator);
        Assert.Equal("No CRS by ASTCT, day 45: afebrile on oxygen — look for another cause (sepsis, bleeding, cardiac, drugs)", card.Summary);
        Assert.Contains("acetaminophen of 2013-04-06 13:00Z no longer waives fever", card.Detail, StringComparison.Ordinal);
    }

    /// <summary>Within the episode the waiver still holds, and the card names the dose and the episode.</summary>
    [Fact]
    public async Task GivenAcetaminophenAfterFeverInTheSameEpisode_WhenAfebrileOnNasalCannula_ThenCrs2NamingTheDoseAndEpisode()
    {
        var response = await PatientView(
            FhirData.Patient("2005-01-01"), Weight(30),
            FhirData.CarTInfusion("cart", hoursAgo: 72),
            FhirData.Temperature("temp-fever", 39.1m, hoursAgo: 30),
            FhirData.Administration("apap", "161", startedHoursAgo: 29, endedHoursAgo: 29),
            FhirData.OxygenDevice("o2-early", "nasal-cannula", hoursAgo: 20),
            FhirData.Temperature("temp-now", 37.1m, hoursAgo: 2),
            FhirData.OxygenDevice("o2-now", "nasal-cannula", hoursAgo: 2),
            FhirData.OxygenFlow("flow-now", 2m, hoursAgo: 2));

        var finding = CrsFinding(response);
        Assert.Equal(2m, finding.Value.Number);
        Assert.Contains("MedicationAdministration/apap", finding.Evidence!);
        var card = CrsCard(response);
        Assert.Contains("Fever waived by acetaminophen given 2013-05-18 07:00Z (MedicationAdministration/apap) in the CRS episode since 2013-05-18 06:00Z", card.Detail, StringComparison.Ordinal);
    }

    private static Observation Ice(string id, int score, double hoursAgo)
    {
        var ice = FhirData.Observation(id, DataContract.CarTCds, DataContract.IceScore, effective: FhirData.At(hoursAgo));
        ice.ValueInteger = score;
        return ice;
    }

    private static Observation Lab(string id, string loinc, decimal value, string unit, double hoursAgo) =>
        FhirData.Observation(id, FhirSystems.Loinc, loinc, effective: FhirData.At(hoursAgo), quantity: new Quantity(value, unit));

    /// <summary>The IEC-HS chart: CRS grade 4 on day 6 (BiPAP), room air and afebrile from day 7;
    /// ferritin falling from its 40,000 ng/mL peak, neutrophils 0.3 at infusion (3.0 before
    /// lymphodepletion) and 0.2 since. Before the fix: "possible carHLH / IEC-HS".</summary>
    [Fact]
    public async Task GivenFerritinFallingAndNeutrophilsLowSinceLymphodepletion_WhenCrsIsImproving_ThenNoIecHsFlag()
    {
        var response = await PatientView(
            FhirData.Patient("2005-01-01"), Weight(30),
            FhirData.CarTInfusion("cart", hoursAgo: 192),
            Lab("anc-pre-ld", "751-8", 3.0m, "10*9/L", 240),
            Lab("anc-d0", "751-8", 0.3m, "10*9/L", 193),
            FhirData.Temperature("temp-d6", 39.2m, hoursAgo: 52),
            FhirData.OxygenDevice("o2-d6", "bipap", hoursAgo: 52),
            Lab("ferritin-d6", "2276-4", 40_000m, "ng/mL", 50),
            FhirData.Temperature("temp-d7", 37.0m, hoursAgo: 28),
            FhirData.OxygenDevice("o2-d7", "room-air", hoursAgo: 28),
            Lab("ferritin-d7", "2276-4", 22_000m, "ng/mL", 26),
            Lab("anc-d7", "751-8", 0.2m, "10*9/L", 26),
            FhirData.Temperature("temp-d8", 37.0m, hoursAgo: 4),
            FhirData.OxygenDevice("o2-d8", "room-air", hoursAgo: 4));

        Assert.DoesNotContain(response.Cards, c => c.Source.Topic!.Code == "iec-hs");
        var iecHs = CrsCard(response).Extension!.Findings!.Single(f => f.Code == IecHsCardComposer.FindingCode);
        Assert.Equal("no-flag", iecHs.Value.Text);
        Assert.Equal(0m, CrsFinding(response).Value.Number);
    }

    [Theory]
    [InlineData("7512", "a vasopressor")]
    [InlineData("242969", "a vasopressor")]  // norepinephrine product (SCD 4 ML 1 MG/ML Injection)
    [InlineData("310132", "a vasopressor")]  // epinephrine product (SCD 1 MG/ML Injectable Solution)
    [InlineData("1743953", "a vasopressor")] // dopamine product (SCD 5 ML 80 MG/ML Injection)
    [InlineData("2103185", "a vasopressor")] // vasopressin product (SCD 20 UNT/ML Injection)
    [InlineData("2399915", "a vasopressor")] // vasopressin premix (SBD 100 ML 0.6 UNT/ML [Vasostrict])
    [InlineData("1743879", "a vasopressor")] // dopamine premix (SCD 500 ML 1.6 MG/ML Injection)
    [InlineData(null, "hypotension")]
    public async Task GivenAfebrileAfterInfusion_WhenOnAVasopressorOrHypotensive_ThenAWarningToLookForAnotherCause(string? pressor, string what)
    {
        var chart = new List<Resource>
        {
            FhirData.Patient("2005-01-01"), Weight(30),
            FhirData.CarTInfusion("cart", hoursAgo: 72),
            FhirData.Temperature("temp", 37.2m, hoursAgo: 2),
            FhirData.BloodPressurePanel("bp", 70m, 40m, hoursAgo: 2),
        };
        if (pressor is not null) chart.Add(FhirData.Administration("pressor", pressor, "in-progress", startedHoursAgo: 3));

        var response = await PatientView([.. chart]);

        var card = CrsCard(response);
        Assert.Equal(CardIndicator.Warning, card.Indicator);
        Assert.Equal($"No CRS by ASTCT, day 3: afebrile on {what} — look for another cause (sepsis, bleeding, cardiac, drugs)", card.Summary);
        Assert.Equal(0m, CrsFinding(response).Value.Number);
        Assert.Contains("Observation/temp", CrsFinding(response).Evidence!);
    }

    /// <summary>An intubated, sedated patient on day 4 with no ICE for 30 h: the ICANS card says "not
    /// gradable"; no card asks for an ICE that cannot be done.</summary>
    [Fact]
    public async Task GivenAnIntubatedPatientWithoutIceFor30Hours_WhenViewed_ThenNoIceOverdueCard()
    {
        var response = await PatientView(
            FhirData.Patient("2005-01-01"), Weight(30),
            FhirData.CarTInfusion("cart", hoursAgo: 96),
            Ice("ice", 8, hoursAgo: 30),
            FhirData.Temperature("temp", 38.4m, hoursAgo: 2),
            FhirData.OxygenDevice("mv", "mechanical-ventilation", hoursAgo: 3));

        Assert.DoesNotContain(response.Cards, c => c.Source.Topic!.Code == "neuro-assessment-overdue");
        Assert.Contains(response.Cards, c => c.Source.Topic!.Code == "icans-grade" && c.Summary.Contains("not gradable", StringComparison.Ordinal));
    }
}
