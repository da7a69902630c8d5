using System.Text.Json;
using CarTCds.Fhir.Model;
using CarTCds.Fhir.Serialization;
using CarTCds.Fhir.Tests.TestSupport;
using CarTCds.Fhir.Validation;

namespace CarTCds.Fhir.Tests.Validation;

/// <summary>Every example in profiles/examples/ conforms to the profiles: the patient bundles, the
/// draft orders and the one-per-profile instances (profiles/README.md).</summary>
public class ProfileExamplesTests
{
    private static readonly ProfileValidator Validator = ProfileValidator.Default;

    public static TheoryData<string> ExampleFiles()
    {
        var folder = Path.Combine(RepositoryFiles.Profiles, "examples");
        var data = new TheoryData<string>();
        foreach (var f in Directory.GetFiles(folder, "*.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            if (Path.GetFileName(f) == "expectations.json") continue;
            data.Add(Path.GetRelativePath(folder, f));
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(ExampleFiles))]
    public void GivenAnExampleFile_WhenValidated_ThenNoError(string file)
    {
        var resource = FhirJson.Parse(File.ReadAllText(Path.Combine(RepositoryFiles.Profiles, "examples", file)));

        var issues = Validator.Validate(resource);

        Assert.Empty(issues.Where(i => i.IsError).Select(i => $"{i.Expression}: {i.Message}"));
    }

    [Fact]
    public void GivenTheEmbeddedProfiles_WhenListed_ThenEveryStructureDefinitionFileHasOneInstanceExampleThatItClaims()
    {
        var folder = Path.Combine(RepositoryFiles.Profiles, "StructureDefinition");
        var files = Directory.GetFiles(folder, "*.json");

        Assert.NotEmpty(files);
        foreach (var f in files)
        {
            using var sd = JsonDocument.Parse(File.ReadAllText(f));
            var url = sd.RootElement.GetProperty("url").GetString()!;
            Assert.Contains(url, Validator.Profiles);
            var id = sd.RootElement.GetProperty("id").GetString()!;
            var instance = FhirJson.Parse(File.ReadAllText(Path.Combine(RepositoryFiles.Profiles, "examples", "instances", id + ".json")));

            var check = Validator.CheckAgainst(instance, url);

            Assert.NotNull(check);
            Assert.Equal(ProfileOutcome.Valid, check.Value.Outcome);
        }
    }

    [Fact]
    public void GivenTheProfilesFolder_WhenCompiledFromDisk_ThenTheSameProfilesAsEmbedded()
    {
        var fromDisk = ProfileValidator.FromDirectory(RepositoryFiles.Profiles);

        Assert.Equal(Validator.Profiles, fromDisk.Profiles);
        Assert.Equal(Directory.GetFiles(Path.Combine(RepositoryFiles.Profiles, "StructureDefinition"), "*.json").Length, fromDisk.Profiles.Count);
    }

    [Fact]
    public void GivenAPatientBundleExample_WhenItsObservationsAreChecked_ThenTheContractOnesAreMatchedByCode()
    {
        var bundle = (Bundle)FhirJson.Parse(File.ReadAllText(Path.Combine(RepositoryFiles.Profiles, "examples", "cart-e4-capd-child.json")));
        var capd = bundle.Resources().OfType<Observation>().First(o => o.Code!.Has("http://cartcds.org/fhir/CodeSystem/cartcds", "capd-score"));

        var check = Validator.Check(capd);

        Assert.Equal(ProfileOutcome.Valid, check.Outcome);
        Assert.Equal("http://cartcds.org/fhir/StructureDefinition/cartcds-capd-score", check.ProfileUrl);
    }
}
