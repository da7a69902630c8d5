using System.Text.Json.Nodes;
using CarTCds.Cli.Tests.Evaluate;

namespace CarTCds.Cli.Tests.Validate;

public sealed class ValidateCommandTests : IDisposable
{
    private readonly string _file = Path.GetTempFileName();

    public void Dispose() => File.Delete(_file);

    [Fact]
    public async Task GivenAnExamplePatientBundle_WhenValidated_ThenExit0AndAnInformationalOutcome()
    {
        var (exit, stdout, stderr) = await CliRunner.RunAsync("validate", CliRunner.Example("cart-e4-capd-child.json"));

        Assert.Equal(0, exit);
        Assert.Equal("", stderr);
        var issue = Assert.Single(JsonNode.Parse(stdout)!["issue"]!.AsArray())!;
        Assert.Equal("information", issue["severity"]!.GetValue<string>());
    }

    [Fact]
    public async Task GivenAnIceScoreOf14AndATemperatureInKg_WhenValidated_ThenExit1AndOneErrorEach()
    {
        await File.WriteAllTextAsync(_file, """
            {"resourceType":"Bundle","type":"collection","entry":[
              {"resource":{"resourceType":"Observation","id":"ice","status":"final","code":{"coding":[{"system":"http://cartcds.org/fhir/CodeSystem/cartcds","code":"ice-score"}]},"effectiveDateTime":"2013-03-10T08:00:00Z","valueInteger":14}},
              {"resource":{"resourceType":"Observation","id":"t","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"8310-5"}]},"effectiveDateTime":"2013-03-10T08:00:00Z","valueQuantity":{"value":38,"unit":"kg","system":"http://unitsofmeasure.org","code":"kg"}}},
              {"resource":{"resourceType":"Observation","id":"fio2","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"3150-0"}]},"valueQuantity":{"value":40,"code":"%"}}}
            ]}
            """);

        var (exit, stdout, _) = await CliRunner.RunAsync("validate", _file);

        Assert.Equal(1, exit);
        var outcome = JsonNode.Parse(stdout)!;
        Assert.Equal("OperationOutcome", outcome["resourceType"]!.GetValue<string>());
        var issues = outcome["issue"]!.AsArray().Select(i => (i!["severity"]!.GetValue<string>(), i["expression"]![0]!.GetValue<string>(), i["diagnostics"]!.GetValue<string>())).ToList();
        Assert.Equal(
        [
            ("error", "Bundle.entry[0].resource.Observation.valueInteger", "ICE score 14 on 2013-03-10 08:00Z ignored: outside 0–10"),
            ("error", "Bundle.entry[1].resource.Observation.valueQuantity", "body temperature 38 kg on 2013-03-10 08:00Z ignored: unit 'kg' is not one of Cel, [degF]"),
        ], issues);
    }

    [Theory]
    [InlineData("{ not json", "is not valid FHIR JSON")]
    [InlineData("{\"resourceType\":\"Observation\",\"status\":42}", "is not valid FHIR JSON")]
    // A validator reads everything: an Observation no rule reads is not skipped here as the hook skips it.
    [InlineData("{\"resourceType\":\"Bundle\",\"type\":\"collection\",\"entry\":[{\"resource\":{\"resourceType\":\"Observation\",\"code\":{\"coding\":[{\"system\":\"http://loinc.org\",\"code\":\"8867-4\"}]},\"status\":42}}]}", "is not valid FHIR JSON")]
    public async Task GivenAFileThatIsNotFhirJson_WhenValidated_ThenExit2AndOneLineOnStderr(string content, string expected)
    {
        await File.WriteAllTextAsync(_file, content);

        var (exit, stdout, stderr) = await CliRunner.RunAsync("validate", _file);

        Assert.Equal(2, exit);
        Assert.Equal("", stdout);
        Assert.Contains(expected, stderr, StringComparison.Ordinal);
    }

    /// <summary>Firely may warn (e.g. a display that differs from the ValueSet's), but finds no error.</summary>
    [Fact]
    public async Task GivenAnExamplePatientBundle_WhenValidatedStrictly_ThenExit0AndNoErrorFromEitherValidator()
    {
        var (exit, stdout, stderr) = await CliRunner.RunAsync("validate", "--strict", CliRunner.Example("cart-e4-capd-child.json"));

        Assert.True(exit == 0, stdout + stderr);
        var issues = JsonNode.Parse(stdout)!["issue"]!.AsArray();
        Assert.DoesNotContain(issues, i => i!["severity"]!.GetValue<string>() is "error" or "fatal");
    }

    /// <summary>A draft order without a subject passes the CarTCds profiles (the service places drafts in
    /// the open chart) but not R4, where MedicationRequest.subject is 1..1: only --strict says so.</summary>
    [Fact]
    public async Task GivenAMedicationRequestWithoutSubject_WhenValidatedStrictly_ThenExit1WithFirelysError_AndWithoutStrictExit0()
    {
        await File.WriteAllTextAsync(_file, """
            {"resourceType":"MedicationRequest","id":"draft","status":"draft","intent":"order",
             "medicationCodeableConcept":{"coding":[{"system":"http://www.nlm.nih.gov/research/umls/rxnorm","code":"612865","display":"tocilizumab"}]},
             "dosageInstruction":[{"doseAndRate":[{"doseQuantity":{"value":400,"unit":"mg","system":"http://unitsofmeasure.org","code":"mg"}}]}]}
            """);

        var (lenientExit, _, _) = await CliRunner.RunAsync("validate", _file);
        var (exit, stdout, _) = await CliRunner.RunAsync("validate", "--strict", _file);

        Assert.Equal(0, lenientExit);
        Assert.Equal(1, exit);
        var errors = JsonNode.Parse(stdout)!["issue"]!.AsArray().Where(i => i!["severity"]!.GetValue<string>() == "error").Select(i => i!["diagnostics"]!.GetValue<string>()).ToList();
        Assert.Contains(errors, d => d.StartsWith("Firely: ", StringComparison.Ordinal) && d.Contains("'subject'", StringComparison.Ordinal));
    }

    [Fact]
    public async Task GivenAMissingFile_WhenValidated_ThenExit2()
    {
        var (exit, _, stderr) = await CliRunner.RunAsync("validate", _file + ".missing");

        Assert.Equal(2, exit);
        Assert.Contains("not found", stderr, StringComparison.Ordinal);
    }
}
