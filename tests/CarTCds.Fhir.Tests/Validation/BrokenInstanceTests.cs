using System.Text.Json;
using System.Text.Json.Nodes;
using CarTCds.Fhir.Serialization;
using CarTCds.Fhir.Tests.TestSupport;
using CarTCds.Fhir.Validation;

namespace CarTCds.Fhir.Tests.Validation;

/// <summary>broken-instances.json: for every profile at least one deliberately broken instance,
/// each with the message it must be rejected with.</summary>
public class BrokenInstanceTests
{
    private static readonly ProfileValidator Validator = ProfileValidator.Default;

    private static readonly JsonArray Cases = JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Validation", "broken-instances.json")))!.AsArray();

    public static TheoryData<int, string> All()
    {
        var data = new TheoryData<int, string>();
        for (var i = 0; i < Cases.Count; i++) data.Add(i, $"{Cases[i]!["resource"]!["id"]}: {Cases[i]!["why"]}");
        return data;
    }

    [Theory]
    [MemberData(nameof(All))]
    public void GivenABrokenInstance_WhenValidatedByItsMetaProfile_ThenRejectedWithTheExpectedMessage(int index, string name)
    {
        _ = name;
        var (resource, message) = Case(index);

        var issues = Validator.Validate(resource);

        var error = Assert.Single(issues, i => i.IsError);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    /// <summary>The cases the service would select by code: not the profiles matched by URL only
    /// (suggestions), nor a code broken on purpose (that selects another profile or none).</summary>
    public static TheoryData<int, string> SelectedByCode()
    {
        var data = new TheoryData<int, string>();
        for (var i = 0; i < Cases.Count; i++)
        {
            var c = Cases[i]!;
            if (c["profile"]!.GetValue<string>().Contains("suggested", StringComparison.Ordinal)) continue;
            if (c["why"]!.GetValue<string>().StartsWith("code outside", StringComparison.Ordinal)) continue;
            data.Add(i, $"{c["resource"]!["id"]}: {c["why"]}");
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(SelectedByCode))]
    public void GivenABrokenInstanceWithoutMetaProfile_WhenCheckedAsTheServiceDoes_ThenInvalidWithTheSameMessage(int index, string name)
    {
        _ = name;
        var (resource, message) = Case(index);
        var url = Cases[index]!["profile"]!.GetValue<string>();
        resource.Meta = null;

        var check = Validator.Check(resource, recognised: true);

        Assert.Equal(ProfileOutcome.Invalid, check.Outcome);
        Assert.Equal(url, check.ProfileUrl);
        Assert.Contains(message, check.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void GivenTheBrokenInstances_WhenCounted_ThenEveryProfileHasAtLeastOne()
    {
        var covered = Cases.Select(c => c!["profile"]!.GetValue<string>()).ToHashSet(StringComparer.Ordinal);

        Assert.Equal(Validator.Profiles.Order(StringComparer.Ordinal), covered.Order(StringComparer.Ordinal));
    }

    private static (Model.Resource Resource, string Message) Case(int index)
    {
        var c = Cases[index]!;
        return (FhirJson.Parse(c["resource"]!.ToJsonString()), c["message"]!.GetValue<string>());
    }
}
