using CarTCds.Conformance.Tests.TestSupport;
using CarTCds.Fhir.Model;
using CarTCds.Fhir.Serialization;
using CarTCds.Fhir.Validation;
using CarTCds.Hooks.Catalog;
using CarTCds.Hooks.Evaluation;

namespace CarTCds.Conformance.Tests.Examples;

/// <summary>Every example of profiles/examples is valid FHIR R4 by the official validator: the one
/// instance per profile (against the profile its meta.profile names), every entry of every synthetic
/// patient (against R4 core and the profile <see cref="ProfileValidator"/> selects for it, which is
/// how the service reads it; records no profile claims, such as a T-ALL diagnosis, against R4 core),
/// and the draft orders as the CLI and the sandbox send them.</summary>
[Collection(ReferenceCollection.Name)]
public sealed class ExampleConformanceTests(ReferenceFixture reference)
{
    private static readonly ProfileValidator Ours = ProfileValidator.Default;

    public static TheoryData<string> Instances() => new(TestFiles.Json(TestFiles.Examples("instances")));

    [Theory]
    [MemberData(nameof(Instances))]
    public void GivenAProfileInstance_WhenFirelyValidatesItAgainstItsProfile_ThenNoError(string file)
    {
        var json = File.ReadAllText(TestFiles.Examples("instances", file));
        var profile = Assert.Single(FhirJson.Parse(json).Meta?.Profile ?? []);
        Assert.Contains(profile, reference.Validator.Profiles);

        var errors = reference.Validator.Validate(json).Where(i => i.IsError).ToList();

        Assert.True(errors.Count == 0, $"{file}:\n{TestFiles.Lines(errors)}");
    }

    public static TheoryData<string> Patients() =>
        new(TestFiles.Json(TestFiles.Examples()).Where(f => f.StartsWith("cart-", StringComparison.Ordinal)));

    [Theory]
    [MemberData(nameof(Patients))]
    public void GivenASyntheticPatient_WhenFirelyValidatesTheBundleAndEachEntryAgainstTheProfileTheServiceSelects_ThenNoError(string file)
    {
        var json = File.ReadAllText(TestFiles.Examples(file));
        var bundle = (Bundle)FhirJson.Parse(json);

        var errors = reference.Validator.ValidateAsRead(json, bundle, Ours).Where(i => i.IsError).ToList();

        Assert.True(errors.Count == 0, $"{file}: {errors.Count} errors\n{TestFiles.Lines(errors.Take(40))}");
    }

    public static TheoryData<string> DraftOrders() => new(TestFiles.Json(TestFiles.Examples("draft-orders")));

    /// <summary>The draft-order templates name no patient (they serve every patient);
    /// <see cref="PatientBundleRequest"/> places them in the chart as an EHR does, and that is what is sent.</summary>
    [Theory]
    [MemberData(nameof(DraftOrders))]
    public void GivenADraftOrderTemplate_WhenPlacedInAPatientsChartForOrderSign_ThenFirelyFindsNoError(string file)
    {
        var patient = (Bundle)FhirJson.Parse(File.ReadAllText(TestFiles.Examples("cart-p1-post-sct-relapse.json")));
        var drafts = (Bundle)FhirJson.Parse(File.ReadAllText(TestFiles.Examples("draft-orders", file)));
        var service = new CdsServiceCatalog().Find(CdsServiceCatalog.OrderCheckId)!;

        var sent = (Bundle)PatientBundleRequest.Build(service, patient, drafts).Context!.DraftOrders!;

        var errors = new List<string>();
        foreach (var order in sent.Resources())
        {
            Assert.NotEmpty(Ours.ProfilesFor(order));
            errors.AddRange(reference.Validator.ValidateAsRead(FhirJson.Serialize(order), order, Ours).Where(i => i.IsError).Select(i => $"{order.TypedId}: {i}"));
        }
        Assert.True(errors.Count == 0, $"{file}:\n{TestFiles.Lines(errors)}");
    }
}
