using CarTCds.Fhir.Model;
using CarTCds.Fhir.Validation;
using CarTCds.Hooks.Catalog;
using CarTCds.Hooks.Contract;
using CarTCds.Hooks.Evaluation;
using CarTCds.Hooks.Facts;
using CarTCds.Hooks.Tests.TestSupport;

namespace CarTCds.Hooks.Tests.Cards;

/// <summary>The management advice on the CRS card of a patient-view call: the draft orders it
/// suggests, each valid against its profile in profiles/.</summary>
public sealed class ManagementAdviceComposerTests
{
    private const string SuggestedMedication = "http://cartcds.org/fhir/StructureDefinition/cartcds-suggested-medication-request";

    private static Observation Weight(decimal kg) =>
        FhirData.Observation("weight", FhirSystems.Loinc, DataContract.LoincBodyWeight, "final", FhirData.At(20), new Quantity(kg, "kg"));

    private static async Task<Card> CrsCard(params Resource[] resources)
    {
        var bundle = new Bundle { Type = "collection", Entry = new Resource[] { FhirData.Patient("2005-01-01") }.Concat(resources).Select(r => new BundleEntry { Resource = r }).ToList() };
        var service = new CdsServiceCatalog().Find(CdsServiceCatalog.ToxicityId)!;
        var result = await CdsEngine.Create(new FixedTimeProvider(FhirData.Now)).EvaluateAsync(service.Id, PatientBundleRequest.Build(service, bundle, null, "Practitioner/abc"), CancellationToken.None);
        Assert.Null(result.Error);
        return result.Response!.Cards.First(c => c.Extension?.Findings?.Any(f => f.Code == "crs-grade") == true);
    }

    [Fact]
    public async Task GivenCrsGrade4WithAWeight_WhenPatientView_ThenTocilizumabAndMethylprednisoloneAreSuggestedAndValidateAgainstTheProfile()
    {
        var card = await CrsCard(Weight(25m), FhirData.CarTInfusion("cart-1", hoursAgo: 96), FhirData.Temperature("t1", 39.4m),
            FhirData.OxygenDevice("o2", "bipap"));

        Assert.Equal(["Order tocilizumab 300 mg IV", "Order methylprednisolone 750 mg IV q24h"], card.Suggestions!.Select(s => s.Label));
        Assert.Equal("any", card.SelectionBehavior);
        var findings = card.Extension!.Findings!.ToDictionary(f => f.Code, f => f.Value.ToString());
        Assert.Equal("supportive-care+tocilizumab+methylprednisolone-high-dose+icu+refractory-options", findings["crs-management"]);
        Assert.Equal("750", findings["methylprednisolone-dose-mg"]);
        Assert.Contains("**Management**", card.Detail, StringComparison.Ordinal);
        AssertEverySuggestionConforms(card);
    }

    [Fact]
    public async Task GivenRefractoryCrsGrade3_WhenPatientView_ThenAnakinraSiltuximabAndRuxolitinibAreOfferedNotPreselectedAndConform()
    {
        var card = await CrsCard(Weight(25m), FhirData.CarTInfusion("cart-1", hoursAgo: 120), FhirData.Temperature("t1", 39.4m),
            FhirData.OxygenDevice("o2", "face-mask"),
            FhirData.Administration("toci-1", "612865", startedHoursAgo: 40), FhirData.Administration("dex-1", "3264", startedHoursAgo: 30));

        var labels = card.Suggestions!.ToDictionary(s => s.Label, s => s.IsRecommended);
        Assert.False(labels["Order anakinra 50 mg IV q6h"]);
        Assert.False(labels["Order siltuximab 275 mg IV"]);
        Assert.False(labels["Order ruxolitinib 10 mg PO q12h"]);
        AssertEverySuggestionConforms(card);
    }

    [Fact]
    public async Task GivenCrsGrade3WithoutAWeight_WhenPatientView_ThenNoDrugIsSuggestedAndTheCardSaysTheDoseCouldNotBeComputed()
    {
        var card = await CrsCard(FhirData.CarTInfusion("cart-1", hoursAgo: 96), FhirData.Temperature("t1", 39.4m), FhirData.OxygenDevice("o2", "face-mask"));

        Assert.Null(card.Suggestions);
        Assert.Contains("dexamethasone 0.5 mg/kg IV every 6 h, max 10 mg: Body weight (LOINC 29463-7) missing, dose could not be computed", card.Detail, StringComparison.Ordinal);
        Assert.Contains("body weight (LOINC 29463-7)", card.Extension!.Findings!.Single(f => f.Code == "crs-management").Missing!);
    }

    private static void AssertEverySuggestionConforms(Card card)
    {
        foreach (var action in card.Suggestions!.SelectMany(s => s.Actions!))
        {
            var check = ProfileValidator.Default.CheckAgainst(action.Resource!, SuggestedMedication);
            Assert.True(check is { Outcome: ProfileOutcome.Valid }, $"{action.Description}: {check?.Reason}");
        }
    }
}

/// <summary>Order-sign of a drug the management rules dose by weight: a card per order (issue 20 §3).</summary>
public sealed class WeightBasedOrderSignTests
{
    [Theory]
    [InlineData(50.0, "info")]
    [InlineData(60.0, "warning")]
    [InlineData(250.0, "critical")]
    public async Task GivenA20KgChild_WhenAnakinraIsSigned_ThenTheCardFollowsTheWeightBasedMaximum(double mg, string indicator)
    {
        var bundle = new Bundle
        {
            Type = "collection",
            Entry = new Resource[]
            {
                FhirData.Patient("2015-01-01"), FhirData.CarTInfusion("cart-1", hoursAgo: 96),
                FhirData.Observation("weight", FhirSystems.Loinc, DataContract.LoincBodyWeight, "final", FhirData.At(20), new Quantity(20m, "kg")),
            }.Select(r => new BundleEntry { Resource = r }).ToList(),
        };
        var draft = new MedicationRequest
        {
            Id = "ana", Status = "draft", Intent = "order", Subject = FhirData.Subject(),
            MedicationCodeableConcept = new CodeableConcept(FhirSystems.RxNorm, "72435", "anakinra"),
            DosageInstruction = [new Dosage { DoseAndRate = [new DosageDoseAndRate { DoseQuantity = new Quantity((decimal)mg, "mg") }] }],
        };
        var service = new CdsServiceCatalog().Find(CdsServiceCatalog.OrderCheckId)!;
        var request = PatientBundleRequest.Build(service, bundle, new Bundle { Type = "collection", Entry = [new BundleEntry { Resource = draft }] }, "Practitioner/abc");

        var result = await CdsEngine.Create(new FixedTimeProvider(FhirData.Now)).EvaluateAsync(service.Id, request, CancellationToken.None);

        Assert.Null(result.Error);
        var card = Assert.Single(result.Response!.Cards);
        Assert.Equal(indicator, card.Indicator);
        Assert.Contains("50 mg (2.5 mg/kg × 20 kg, at most 200 mg)", card.Detail + card.Summary, StringComparison.Ordinal);
    }
}
