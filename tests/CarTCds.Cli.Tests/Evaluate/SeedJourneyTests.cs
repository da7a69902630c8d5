using System.Text.Json.Nodes;

namespace CarTCds.Cli.Tests.Evaluate;

/// <summary>The synthetic patients of profiles/examples, evaluated with <c>cartcds evaluate</c> at
/// the instants their expectations name (profiles/examples/expectations.json, derived by hand
/// from docs/CLINICAL-RULES.md, independently of the engine).</summary>
public sealed class SeedJourneyTests
{
    public static TheoryData<string, string, int, string> CrsCases()
    {
        var data = new TheoryData<string, string, int, string>();
        var cases = JsonNode.Parse(File.ReadAllText(CliRunner.Example("expectations.json")))!.AsArray();
        foreach (var c in cases)
        {
            if (c!["service"]!.GetValue<string>() != "cart-toxicity") continue;
            if (c["expect"]!["crs-grade"] is not { } grade) continue;
            data.Add(c["bundle"]!.GetValue<string>(), c["now"]!.GetValue<string>(), grade.GetValue<int>(), c["why"]?.GetValue<string>() ?? "");
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(CrsCases))]
    public async Task GivenASeedJourney_WhenEvaluatedAtItsDay_ThenTheAstctCrsGradeIsTheExpectedOne(string bundle, string now, int expectedGrade, string why)
    {
        var (exit, stdout, stderr) = await CliRunner.RunAsync("evaluate", "--service", "cart-toxicity", "--bundle", CliRunner.Example(bundle), "--now", now);

        Assert.True(exit == 0, $"exit {exit}: {stderr}");
        var findings = CliRunner.Findings(stdout);
        Assert.True(findings.TryGetValue("crs-grade", out var grade), "no crs-grade finding");
        Assert.True(grade!.GetValue<decimal>() == expectedGrade, $"{bundle} at {now}: expected CRS grade {expectedGrade} ({why}), got {grade}. Card: {stdout}");
    }

    public static TheoryData<string, string, string, string> AllCases()
    {
        var data = new TheoryData<string, string, string, string>();
        foreach (var c in JsonNode.Parse(File.ReadAllText(CliRunner.Example("expectations.json")))!.AsArray())
        {
            data.Add(c!["bundle"]!.GetValue<string>(), c["service"]!.GetValue<string>(), c["now"]!.GetValue<string>(), c.ToJsonString());
        }
        return data;
    }

    /// <summary>Every expected finding of every case (CRS, ICANS, IEC-HS, tocilizumab dose,
    /// eligibility) and every finding that must be absent. Eligibility cases are order-select calls
    /// with a tisagenlecleucel draft order selected.</summary>
    [Theory]
    [MemberData(nameof(AllCases))]
    public async Task GivenAnExpectation_WhenEvaluated_ThenEveryExpectedFindingHasItsValue(string bundle, string service, string now, string caseJson)
    {
        var c = JsonNode.Parse(caseJson)!;
        string[] args = ["evaluate", "--service", service, "--bundle", CliRunner.Example(bundle), "--now", now];
        if (service == "cart-eligibility") args = [.. args, "--draft-orders", CliRunner.Example(Path.Combine("draft-orders", "tisagenlecleucel.json"))];

        var (exit, stdout, stderr) = await CliRunner.RunAsync(args);

        Assert.True(exit == 0, $"exit {exit}: {stderr}");
        var findings = CliRunner.Findings(stdout);
        foreach (var (code, expected) in c["expect"]!.AsObject())
        {
            Assert.True(findings.TryGetValue(code, out var actual), $"{bundle} at {now}: no '{code}' finding ({c["why"]}). Findings: {string.Join(", ", findings.Select(f => $"{f.Key}={f.Value}"))}");
            var same = expected!.GetValueKind() == System.Text.Json.JsonValueKind.Number
                ? actual!.GetValueKind() == System.Text.Json.JsonValueKind.Number && actual.GetValue<decimal>() == expected.GetValue<decimal>()
                : actual!.ToJsonString() == expected.ToJsonString();
            Assert.True(same, $"{bundle} at {now}: '{code}' expected {expected.ToJsonString()}, got {actual!.ToJsonString()} ({c["why"]})");
        }
        foreach (var absent in c["expectAbsent"]?.AsArray() ?? [])
        {
            Assert.False(findings.ContainsKey(absent!.GetValue<string>()), $"{bundle} at {now}: '{absent}' must be absent ({c["why"]})");
        }
    }

    [Fact]
    public void GivenTheExpectations_WhenLoaded_ThenThereAreCrsCasesForEverySeedJourney()
    {
        var bundles = CrsCases().Select(row => (string)row[0]).ToHashSet();

        Assert.Contains("cart-p1-post-sct-relapse.json", bundles);
        Assert.Contains("cart-p2-cns-relapse.json", bundles);
        Assert.Contains("cart-p3-primary-refractory.json", bundles);
        Assert.Contains("cart-p4-down-syndrome.json", bundles);
    }

    [Fact]
    public async Task GivenPatient1OnDay5_WhenEvaluated_ThenTheCardSaysBiPapSetGrade4()
    {
        // Seed 003 calls this grade 3 on an older scale; ASTCT says 4, and the card must say why.
        var (exit, stdout, _) = await CliRunner.RunAsync("evaluate", "--service", "cart-toxicity", "--bundle", CliRunner.Example("cart-p1-post-sct-relapse.json"), "--now", "2013-05-12T23:00:00Z");

        Assert.Equal(0, exit);
        var card = JsonNode.Parse(stdout)!["cards"]![0]!;
        Assert.StartsWith("CRS grade 4 (ASTCT), day 5: BiPAP", card["summary"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("critical", card["indicator"]!.GetValue<string>());
        Assert.Contains("older scales", card["detail"]!.GetValue<string>(), StringComparison.Ordinal);
    }
}
