using CarTCds.Fhir.Model;
using CarTCds.Fhir.Validation;
using CarTCds.Hooks.Cards;
using CarTCds.Hooks.Catalog;
using CarTCds.Hooks.Contract;
using CarTCds.Hooks.Evaluation;
using CarTCds.Hooks.Facts;
using CarTCds.Hooks.Tests.TestSupport;

namespace CarTCds.Hooks.Tests.Evaluation;

/// <summary>The profiles, not C#, hold the data rules: a modified copy of profiles/ changes what the
/// service answers, with no code change (issue 6, "Done when").</summary>
public sealed class ProfileDrivenEvaluationTests : IDisposable
{
    private readonly DirectoryInfo _copy = Directory.CreateTempSubdirectory("cartcds-profiles-");

    public ProfileDrivenEvaluationTests()
    {
        var source = Path.Combine(RepositoryRoot(), "profiles");
        foreach (var folder in new[] { "CodeSystem", "ValueSet", "StructureDefinition" })
        {
            var target = Directory.CreateDirectory(Path.Combine(_copy.FullName, folder));
            foreach (var f in Directory.GetFiles(Path.Combine(source, folder), "*.json")) File.Copy(f, Path.Combine(target.FullName, Path.GetFileName(f)));
        }
    }

    public void Dispose() => _copy.Delete(recursive: true);

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "CarTCds.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException("no CarTCds.sln above the test binaries");
    }

    private void Edit(string relativePath, string from, string to)
    {
        var path = Path.Combine(_copy.FullName, relativePath);
        var text = File.ReadAllText(path);
        Assert.Contains(from, text, StringComparison.Ordinal);
        File.WriteAllText(path, text.Replace(from, to, StringComparison.Ordinal));
    }

    private static async Task<CdsResponse> EvaluateAsync(ProfileValidator? profiles, params Resource[] resources)
    {
        var engine = CdsEngine.Create(new FixedTimeProvider(FhirData.Now), fhir: FakeFhirQueryClient.Unreachable(), profiles: profiles);
        var bundle = new Bundle { Type = "collection", Entry = resources.Select(r => new BundleEntry { Resource = r }).ToList() };
        var service = new CdsServiceCatalog().Find(CdsServiceCatalog.ToxicityId)!;
        var result = await engine.EvaluateAsync(service.Id, PatientBundleRequest.Build(service, bundle), CancellationToken.None);
        Assert.Null(result.Error);
        return result.Response!;
    }

    private static decimal? Finding(CdsResponse response, string code) =>
        response.Cards.SelectMany(c => c.Extension?.Findings ?? []).FirstOrDefault(f => f.Code == code)?.Value.Number;

    private static Card CrsCard(CdsResponse r) => r.Cards.Single(c => c.Source.Topic!.Code == "crs-grade");

    private static Observation Ice(string id, int score)
    {
        var o = FhirData.Observation(id, DataContract.CarTCds, DataContract.IceScore);
        o.ValueInteger = score;
        return o;
    }

    [Fact]
    public async Task GivenACopyWithTheIceRangeNarrowedTo0To8_WhenAnIceOf9IsEvaluated_ThenItIsLeftOutInsteadOfGradingIcans1()
    {
        Resource[] record = [FhirData.Patient("1999-01-01"), FhirData.CarTInfusion("cart-1"), FhirData.Temperature("t1", 37m), Ice("ice-1", 9)];
        Edit(Path.Combine("StructureDefinition", "cartcds-ice-score.json"), "\"maxValueInteger\": 10", "\"maxValueInteger\": 8");

        var shipped = await EvaluateAsync(null, record);
        var narrowed = await EvaluateAsync(ProfileValidator.FromDirectory(_copy.FullName), record);

        Assert.Equal(1m, Finding(shipped, IcansCardComposer.FindingCode));
        Assert.NotEqual(1m, Finding(narrowed, IcansCardComposer.FindingCode));
        // No ICANS card is left to name it (no other neurological record), so the CRS card does.
        Assert.Contains("Observation/ice-1: ICE score 9 on 2013-05-19 10:00Z ignored: outside 0–8", CrsCard(narrowed).Detail, StringComparison.Ordinal);
        Assert.All(shipped.Cards, c => Assert.DoesNotContain("Observation/ice-1:", c.Detail, StringComparison.Ordinal));
    }

    [Fact]
    public async Task GivenACopyWhoseOxygenBindingDropsNasalCannula_WhenFeverWithNasalCannulaIsEvaluated_ThenCrsGrade2BecomesGrade1()
    {
        Resource[] record = [FhirData.Patient("1999-01-01"), FhirData.CarTInfusion("cart-1"), FhirData.Temperature("t1", 39m), FhirData.OxygenDevice("o2-1", "nasal-cannula")];
        // The ValueSet no longer lists nasal-cannula (renamed to a code nobody sends).
        Edit(Path.Combine("ValueSet", "oxygen-delivery.json"), "\"code\": \"nasal-cannula\"", "\"code\": \"nasal-cannula-withdrawn\"");

        var shipped = await EvaluateAsync(null, record);
        var edited = await EvaluateAsync(ProfileValidator.FromDirectory(_copy.FullName), record);

        Assert.Equal(2m, Finding(shipped, CrsCardComposer.FindingCode));
        Assert.Equal(1m, Finding(edited, CrsCardComposer.FindingCode));
        Assert.Contains("Observation/o2-1: oxygen delivery nasal-cannula on 2013-05-19 10:00Z ignored: 'nasal-cannula' is not in http://cartcds.org/fhir/ValueSet/oxygen-delivery", CrsCard(edited).Detail, StringComparison.Ordinal);
    }
}
