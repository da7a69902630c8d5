using CarTCds.Fhir.Model;
using CarTCds.Fhir.Serialization;
using CarTCds.Hooks.Catalog;
using CarTCds.Hooks.Cards;
using CarTCds.Hooks.Contract;
using CarTCds.Hooks.Evaluation;
using CarTCds.Rules;

namespace CarTCds.Hooks.Tests.TestSupport;

/// <summary>The synthetic patients of profiles/examples, read as the CLI reads them, and evaluated
/// through the whole pipeline (prefetch → facts → rules → cards).</summary>
internal static class ExampleCharts
{
    /// <summary>The transaction Bundle of <c>profiles/examples/{file}</c>.</summary>
    public static Bundle Load(string file)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "CarTCds.sln"))) dir = dir.Parent;
        return (Bundle)FhirJson.Parse(File.ReadAllBytes(Path.Combine(dir!.FullName, "profiles", "examples", file)));
    }

    /// <summary>cart-toxicity (patient-view) on <paramref name="chart"/> as of <paramref name="now"/>.</summary>
    public static async Task<CdsResponse> PatientViewAsync(Bundle chart, DateTimeOffset now, RuleSet? rules = null, CardOptions? cards = null)
    {
        var engine = CdsEngine.Create(new FixedTimeProvider(now), rules, FakeFhirQueryClient.Unreachable(), cards: cards);
        var service = engine.Catalog.Find(CdsServiceCatalog.ToxicityId)!;
        var result = await engine.EvaluateAsync(service.Id, PatientBundleRequest.Build(service, chart), CancellationToken.None);
        Assert.Null(result.Error);
        return result.Response!;
    }

    /// <summary>cart-toxicity on a chart built in code, as of <see cref="FhirData.Now"/>.</summary>
    public static Task<CdsResponse> PatientViewAsync(IEnumerable<Resource> chart, CardOptions? cards = null) =>
        PatientViewAsync(new Bundle { Type = "collection", Entry = chart.Select(r => new BundleEntry { Resource = r }).ToList() }, FhirData.Now, cards: cards);

    /// <summary>The answer of <paramref name="service"/> to <paramref name="request"/> as of <paramref name="now"/>,
    /// as JSON without the uuids (fresh per call, not decided by the data): for comparing two readings of one request.</summary>
    public static async Task<string> CardsJsonAsync(string service, CdsHookRequest request, DateTimeOffset now)
    {
        var engine = CdsEngine.Create(new FixedTimeProvider(now));
        var result = await engine.EvaluateAsync(service, request, CancellationToken.None);
        Assert.Null(result.Error);
        foreach (var card in result.Response!.Cards!)
        {
            card.Uuid = null;
            foreach (var s in card.Suggestions ?? []) s.Uuid = null;
        }
        return System.Text.Json.JsonSerializer.Serialize(result.Response, CdsJson.Response);
    }

    /// <summary>The resource with this id (any type) in the chart.</summary>
    public static T Resource<T>(Bundle chart, string id) where T : Resource =>
        chart.Entry!.Select(e => e.Resource).OfType<T>().Single(r => r.Id == id);
}
