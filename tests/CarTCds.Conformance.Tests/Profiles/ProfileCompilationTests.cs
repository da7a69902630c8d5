using System.Text.Json.Nodes;
using CarTCds.Conformance.Tests.TestSupport;
using CarTCds.Fhir.Validation;
using Xunit.Abstractions;

namespace CarTCds.Conformance.Tests.Profiles;

/// <summary>Every StructureDefinition of profiles/ loads in the official validator: Firely generates
/// its snapshot over its base (R4 core or a core profile such as vital signs) without an error.</summary>
[Collection(ReferenceCollection.Name)]
public sealed class ProfileCompilationTests(ReferenceFixture reference, ITestOutputHelper output)
{
    public static TheoryData<string> Profiles() => new(ProfileValidator.Default.Profiles);

    [Theory]
    [MemberData(nameof(Profiles))]
    public async Task GivenAProfile_WhenFirelyGeneratesItsSnapshotOverR4Core_ThenItLoadsWithoutError(string url)
    {
        var issues = await reference.Validator.CompileAsync(url);

        var errors = issues.Where(i => i.IsError).ToList();
        Assert.True(errors.Count == 0, $"{url} does not load in Firely:\n{TestFiles.Lines(errors)}");
    }

    [Fact]
    public void GivenTheEmbeddedProfiles_WhenLoadedByFirelyAndByProfileValidator_ThenBothHoldTheSameProfiles()
    {
        output.WriteLine($"Firely validator (R4 core + profiles/) built in {reference.BuildTime.TotalSeconds:0.0} s");

        Assert.Equal(ProfileValidator.Default.Profiles, reference.Validator.Profiles);
        Assert.Equal(Directory.GetFiles(ProfilesFolder(), "*.json").Length, reference.Validator.Profiles.Count);
    }

    /// <summary>The check above can fail: a vital-signs profile that allows <c>instant</c> in
    /// effective[x] (the FHIR vital-signs base forbids it) does not load.</summary>
    [Fact]
    public async Task GivenAVitalSignsProfileThatAllowsInstant_WhenCompiled_ThenFirelyReportsAnError()
    {
        const string url = "http://cartcds.org/fhir/StructureDefinition/cartcds-body-temperature";
        var files = ProfileValidator.EmbeddedFiles().Select(f => f.Name.EndsWith("cartcds-body-temperature.json", StringComparison.Ordinal) ? (f.Name, AllowInstant(f.Json)) : f).ToList();
        var withInstant = ReferenceValidator.Create(files);

        var issues = await withInstant.CompileAsync(url);

        Assert.Contains(issues, i => i.IsError);
    }

    private static string AllowInstant(string structureDefinition)
    {
        var sd = JsonNode.Parse(structureDefinition)!;
        var effective = sd["differential"]!["element"]!.AsArray().Single(e => e!["id"]!.GetValue<string>() == "Observation.effective[x]")!;
        effective["type"]!.AsArray().Add(new JsonObject { ["code"] = "instant" });
        return sd.ToJsonString();
    }

    private static string ProfilesFolder() => Path.Combine(TestFiles.RepositoryRoot(), "profiles", "StructureDefinition");
}
