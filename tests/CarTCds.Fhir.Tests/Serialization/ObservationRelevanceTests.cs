using System.Text.Json;
using CarTCds.Fhir.Model;
using CarTCds.Fhir.Serialization;

namespace CarTCds.Fhir.Tests.Serialization;

/// <summary>The relevance the hook request reader skips by (<see cref="ObservationRelevance"/>), and the
/// converter that applies it only where it is made with one.</summary>
public sealed class ObservationRelevanceTests
{
    private static readonly ObservationRelevance Relevance = new([("http://loinc.org", "8310-5"), ("http://loinc.org", "2276-4"), ("http://example.org/cs", "ice-score"), ("http://loinc.org", "8310-5")]);

    [Theory]
    [InlineData("http://loinc.org", "8310-5", true)]
    [InlineData("http://loinc.org", "2276-4", true)]
    [InlineData("http://example.org/cs", "ice-score", true)]
    [InlineData("http://loinc.org", "8867-4", false)]
    [InlineData("http://loinc.org", "8310-", false)]
    [InlineData("http://loinc.org", "8310-5 ", false)]
    [InlineData("http://LOINC.org", "8310-5", false)]       // systems and codes are case-sensitive
    [InlineData("http://example.org/cs", "ICE-score", false)]
    [InlineData("http://snomed.info/sct", "8310-5", false)]
    [InlineData("", "8310-5", false)]
    [InlineData("http://loinc.org", "", false)]
    public void GivenASystemAndCode_WhenAsked_ThenRelevantOnlyWhenThatPairIsInTheSet(string system, string code, bool relevant)
    {
        Assert.Equal(relevant, Relevance.IsRelevant(system, code));
    }

    [Fact]
    public void GivenDuplicatePairs_WhenBuilt_ThenEachCountsOnce()
    {
        Assert.Equal(3, Relevance.Count);
    }

    private const string Bundle = """
        {"resourceType":"Bundle","type":"searchset","entry":[
          {"resource":{"resourceType":"Observation","id":"hr","code":{"coding":[{"system":"http://loinc.org","code":"8867-4"}]},"subject":{"reference":"Patient/p1"},"status":"final"}},
          {"resource":{"resourceType":"Observation","id":"t","code":{"coding":[{"system":"http://loinc.org","code":"8310-5"}]},"subject":{"reference":"Patient/p1"},"status":"final"}}]}
        """;

    [Fact]
    public void GivenTheFhirReader_WhenABundleIsRead_ThenEveryObservationIsReadWhole()
    {
        // Act: FhirJson (files, the validator, the FHIR client) has no relevance.
        var bundle = (Bundle)FhirJson.Parse(Bundle);

        // Assert
        Assert.All(bundle.Resources(), r => Assert.IsType<Observation>(r));
    }

    private static readonly JsonSerializerOptions WithRelevance = CreateWithRelevance();

    private static JsonSerializerOptions CreateWithRelevance()
    {
        var options = new JsonSerializerOptions(FhirJson.Options);
        // FhirJson's own converter (copied from its context) would come first.
        options.Converters.Clear();
        options.Converters.Add(new ResourceJsonConverter(Relevance));
        return options;
    }

    [Fact]
    public void GivenAConverterWithRelevance_WhenABundleIsRead_ThenOnlyTheIrrelevantObservationIsSkipped()
    {
        // Act
        var bundle = (Bundle)JsonSerializer.Deserialize<Resource>(Bundle, WithRelevance)!;

        // Assert
        var skipped = Assert.IsType<SkippedResource>(bundle.Entry![0].Resource);
        Assert.Equal("Observation/hr", skipped.TypedId);
        Assert.Equal("Patient/p1", skipped.Subject!.ReferenceValue);
        Assert.Equal("final", Assert.IsType<Observation>(bundle.Entry[1].Resource).Status);
    }
}
