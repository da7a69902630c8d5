using CarTCds.Fhir.Model;
using CarTCds.Hooks.Cards;
using CarTCds.Hooks.Contract;
using CarTCds.Hooks.Facts;
using CarTCds.Hooks.Tests.TestSupport;
using CarTCds.Rules;
using CarTCds.Rules.Facts;
using CarTCds.Rules.Orders;

namespace CarTCds.Hooks.Tests.Cards;

/// <summary>Issue 17 (no silence): a draft order whose words name a drug the order checks cover but whose
/// codes no list holds — in medicationCodeableConcept or in a contained Medication — is never checked by
/// its name; the card says the check was not run, names the codes and the ValueSet a site adds them to.</summary>
public sealed class OrderCheckNotRunTests
{
    private const string Local = "http://hospital.example/formulary";

    private static MedicationRequest Draft(CodeableConcept? concept, Medication? contained = null) => new()
    {
        Id = "mr-1",
        Status = "draft",
        Intent = "order",
        Subject = FhirData.Subject(),
        MedicationCodeableConcept = contained is null ? concept : null,
        MedicationReference = contained is null ? null : new Reference("#med"),
        Contained = contained is null ? null : [contained],
        DosageInstruction = [new Dosage { DoseAndRate = [new DosageDoseAndRate { DoseQuantity = new Quantity(2, "{pill}") }] }],
    };

    private static DraftOrder MapOne(MedicationRequest draft) =>
        Assert.Single(ClinicalFactsMapper.Map(FhirData.Patient(), [], new Bundle { Type = "collection", Entry = [new BundleEntry { Resource = draft }] }).DraftOrders);

    [Theory]
    [InlineData(false, "DEX-15", "Dexamethasone 1.5 mg tablet", "dexamethasone", "its code " + Local + "|DEX-15 is not in profiles/ValueSet/drug-dexamethasone.json; the corticosteroid check was not run.")]
    [InlineData(true, "DEX-15", "Dexamethasone 1.5 mg tablet", "dexamethasone", "its code " + Local + "|DEX-15 is not in profiles/ValueSet/drug-dexamethasone.json; the corticosteroid check was not run.")]
    [InlineData(true, null, "RUXOLITINIB 5 MG TABLET", "ruxolitinib", "it carries no code, and a code is what profiles/ValueSet/drug-ruxolitinib.json lists; the weight-based dose check was not run.")]
    [InlineData(false, "SILT-400", "siltuximab 400 MG Injection", "siltuximab", "its code " + Local + "|SILT-400 is not in profiles/ValueSet/drug-siltuximab.json; the weight-based dose check was not run.")]
    public void GivenADraftOrderNamingACheckedDrugUnderAnUnlistedCode_WhenComposed_ThenAWarningThatItsCheckWasNotRun(
        bool asContainedMedication, string? code, string text, string drug, string reasonEnd)
    {
        // Arrange: the order's concept, or the code of the contained Medication it references.
        var concept = new CodeableConcept { Text = text, Coding = code is null ? null : [new Coding(Local, code)] };
        var draft = Draft(concept, asContainedMedication ? new Medication { Id = "med", Code = concept } : null);
        var order = MapOne(draft);

        // Act
        var card = OrderCheckCardComposer.NotRun(order, RuleSet.Default);

        // Assert: not checked by name (no drug, not a checked order), but not silent either.
        Assert.Null(order.Drug);
        Assert.False(OrderChecks.IsChecked(order));
        Assert.NotNull(card);
        Assert.Equal(CardIndicator.Warning, card.Indicator);
        var finding = Assert.Single(card.Extension!.Findings!);
        Assert.Equal(OrderCheckCardComposer.NotRunFindingCode, finding.Code);
        Assert.Equal(["MedicationRequest/mr-1"], finding.Evidence);
        var reason = Assert.Single(finding.Reasons!);
        Assert.StartsWith($"'{text}' names {drug} but ", reason, StringComparison.Ordinal);
        Assert.EndsWith(reasonEnd, reason, StringComparison.Ordinal);
        Assert.Contains(reason, card.Detail, StringComparison.Ordinal);
        Assert.Contains("add the code to " + DrugCodes.ValueSetFile(order.NamedDrug!.Drug), card.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1999901", "Ibuprofen 100 MG/5ML Oral Suspension")]  // a listed drug no order check covers
    [InlineData("1999902", "cefepime 2000 MG Injection")]            // no listed drug
    [InlineData("1999903", "prednisolone 3 MG/ML Oral Solution")]     // prednisolone is not prednisone
    [InlineData("197582", "Dexamethasone 4 MG Oral Tablet")]          // listed: checked by its code
    public void GivenADraftOrderNotNamingAnUncheckedCoveredDrug_WhenMapped_ThenNoNotRunCard(string code, string display)
    {
        // Arrange
        var draft = Draft(new CodeableConcept(FhirSystems.RxNorm, code, display));

        // Act
        var order = MapOne(draft);

        // Assert
        Assert.Null(OrderCheckCardComposer.NotRun(order, RuleSet.Default));
    }
}
