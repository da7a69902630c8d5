using System.Globalization;
using System.Text.Json.Nodes;
using CarTCds.Conformance.Tests.TestSupport;
using CarTCds.Fhir.Model;
using CarTCds.Fhir.Serialization;
using CarTCds.Fhir.Validation;
using CarTCds.Hooks.Catalog;
using CarTCds.Hooks.Contract;
using CarTCds.Hooks.Evaluation;

namespace CarTCds.Conformance.Tests.Emitted;

/// <summary>Every FHIR resource the service writes — the draft MedicationRequests and
/// ServiceRequests of card suggestions — is valid R4 by the official validator, against its
/// profile (cartcds-suggested-* for a proposal, the order profile its code selects for a corrected
/// draft order), and our <see cref="ProfileValidator"/> agrees. Run over every case of
/// profiles/examples/expectations.json the way <c>cartcds evaluate</c> runs it, and at each case's
/// instant once more as order-sign with every draft-order template, so corrected orders are emitted too.</summary>
[Collection(ReferenceCollection.Name)]
public sealed class EmittedResourceConformanceTests(ReferenceFixture reference)
{
    private const string SuggestedMedicationRequest = "http://cartcds.org/fhir/StructureDefinition/cartcds-suggested-medication-request";
    private const string SuggestedServiceRequest = "http://cartcds.org/fhir/StructureDefinition/cartcds-suggested-service-request";

    public static TheoryData<string, string, string> Cases()
    {
        var data = new TheoryData<string, string, string>();
        foreach (var c in JsonNode.Parse(File.ReadAllText(TestFiles.Examples("expectations.json")))!.AsArray())
        {
            data.Add(c!["bundle"]!.GetValue<string>(), c["service"]!.GetValue<string>(), c["now"]!.GetValue<string>());
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task GivenAnExpectationCase_WhenEvaluatedAndSignedWithEveryDraftOrder_ThenEverySuggestedResourceIsValidR4(string bundle, string service, string now)
    {
        var emitted = new List<(CdsAction Action, string Service)>();
        // Eligibility cases are order-select calls with the tisagenlecleucel draft selected, as in SeedJourneyTests (Cli.Tests).
        emitted.AddRange((await EvaluateAsync(service, bundle, now, service == CdsServiceCatalog.EligibilityId ? Drafts("tisagenlecleucel.json") : null)).Select(a => (a, service)));
        emitted.AddRange((await EvaluateAsync(CdsServiceCatalog.OrderCheckId, bundle, now, Drafts([.. TestFiles.Json(TestFiles.Examples("draft-orders"))]))).Select(a => (a, CdsServiceCatalog.OrderCheckId)));

        var errors = new List<string>();
        foreach (var (action, from) in emitted)
        {
            var resource = action.Resource!;
            var profile = ProfileOf(action);
            Assert.True(profile is not null, $"{from}: no profile for the {action.Type} of a {resource.ResourceType}");
            var ours = ProfileValidator.Default.CheckAgainst(resource, profile);
            Assert.True(ours is { Outcome: ProfileOutcome.Valid }, $"{from}: ProfileValidator rejects the emitted {resource.ResourceType} against {profile}: {ours?.Reason}");
            errors.AddRange(reference.Validator.Validate(FhirJson.Serialize(resource), profile).Where(i => i.IsError)
                .Select(i => $"{from} {action.Type} {resource.ResourceType} ({action.Description}) [{profile}]: {i}"));
        }

        Assert.True(errors.Count == 0, $"{bundle} at {now}:\n{TestFiles.Lines(errors)}");
    }

    /// <summary>The theory above checks something: over all cases the service emits proposals of both
    /// types and at least one corrected draft order.</summary>
    [Fact]
    public async Task GivenAllExpectationCases_WhenEvaluated_ThenMedicationAndServiceProposalsAndACorrectedOrderAreEmitted()
    {
        var kinds = new HashSet<string>(StringComparer.Ordinal);
        foreach (var row in Cases())
        {
            var (bundle, now) = ((string)row[0], (string)row[2]);
            foreach (var a in await EvaluateAsync(CdsServiceCatalog.ToxicityId, bundle, now, null)) kinds.Add($"{a.Type} {a.Resource!.ResourceType}");
            foreach (var a in await EvaluateAsync(CdsServiceCatalog.OrderCheckId, bundle, now, Drafts("tocilizumab-400mg.json"))) kinds.Add($"{a.Type} {a.Resource!.ResourceType}");
        }

        Assert.Contains("create MedicationRequest", kinds);
        Assert.Contains("create ServiceRequest", kinds);
        Assert.Contains("update MedicationRequest", kinds);
    }

    private static string? ProfileOf(CdsAction action) => (action.Type, action.Resource) switch
    {
        ("create", MedicationRequest) => SuggestedMedicationRequest,
        ("create", ServiceRequest) => SuggestedServiceRequest,
        // A corrected draft order keeps the draft's status and intent: the order profile its code selects.
        (_, { } r) => ProfileValidator.Default.ProfilesFor(r) is [var first, ..] ? first : null,
        _ => null,
    };

    private static Bundle Drafts(params string[] files) => new()
    {
        Type = "collection",
        Entry = files.SelectMany(f => ((Bundle)FhirJson.Parse(File.ReadAllText(TestFiles.Examples("draft-orders", f)))).Entry ?? []).ToList(),
    };

    private static async Task<List<CdsAction>> EvaluateAsync(string serviceId, string bundle, string now, Bundle? drafts)
    {
        var engine = CdsEngine.Create(new FixedTimeProvider(DateTimeOffset.Parse(now, CultureInfo.InvariantCulture)));
        var service = engine.Catalog.Find(serviceId)!;
        var patient = (Bundle)FhirJson.Parse(File.ReadAllText(TestFiles.Examples(bundle)));

        var result = await engine.EvaluateAsync(service.Id, PatientBundleRequest.Build(service, patient, drafts), CancellationToken.None);

        Assert.True(result.Error is null, $"{serviceId} {bundle} at {now}: {result.Error?.Outcome.Summary}");
        return result.Response!.Cards.SelectMany(c => c.Suggestions ?? []).SelectMany(s => s.Actions ?? []).Where(a => a.Resource is not null).ToList();
    }
}
