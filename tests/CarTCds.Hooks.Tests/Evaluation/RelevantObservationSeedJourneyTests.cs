using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using CarTCds.Fhir;
using CarTCds.Fhir.Model;
using CarTCds.Fhir.Serialization;
using CarTCds.Hooks.Contract;
using CarTCds.Hooks.Evaluation;
using CarTCds.Hooks.Facts;
using CarTCds.Hooks.Tests.TestSupport;

namespace CarTCds.Hooks.Tests.Evaluation;

/// <summary>Skipping the Observations no rule reads changes no card: every expectation case of the seed
/// journeys (profiles/examples/expectations.json), sent as the CLI and the sandbox send it, answers the
/// same cards read for the hook (skipping) and read whole; so does each chart with a year of irrelevant
/// history added (heart rates, SpO2, a lab outside the contract); and the same cards read directly into the model
/// (<see cref="DirectModelReader"/>) and by the serializer alone.</summary>
public sealed class RelevantObservationSeedJourneyTests
{
    private static string Examples()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "CarTCds.sln"))) dir = dir.Parent;
        return Path.Combine(dir!.FullName, "profiles", "examples");
    }

    public static TheoryData<string, string, string> ExpectationCases()
    {
        var data = new TheoryData<string, string, string>();
        foreach (var c in JsonNode.Parse(File.ReadAllText(Path.Combine(Examples(), "expectations.json")))!.AsArray())
        {
            data.Add(c!["bundle"]!.GetValue<string>(), c["service"]!.GetValue<string>(), c["now"]!.GetValue<string>());
        }
        return data;
    }

    private static byte[] Body(string bundle, string service, Func<Bundle, Bundle>? change = null)
    {
        var chart = ExampleCharts.Load(bundle);
        if (change is not null) chart = change(chart);
        var definition = new Catalog.CdsServiceCatalog().Find(service)!;
        var drafts = service == Catalog.CdsServiceCatalog.EligibilityId ? ExampleCharts.Load(Path.Combine("draft-orders", "tisagenlecleucel.json")) : null;
        return JsonSerializer.SerializeToUtf8Bytes(PatientBundleRequest.Build(definition, chart, drafts), CdsJson.Request);
    }

    [Theory]
    [MemberData(nameof(ExpectationCases))]
    public async Task GivenASeedJourney_WhenReadForTheHookAndReadWhole_ThenTheCardsAreIdentical(string bundle, string service, string now)
    {
        // Arrange
        var at = DateTimeOffset.Parse(now, CultureInfo.InvariantCulture);
        var body = Body(bundle, service);

        // Act
        var skipping = CdsRequestReader.Read(body);
        var whole = CdsRequestReader.Read(body, readWhole: true);

        // Assert
        Assert.Null(skipping.Error);
        Assert.Equal(await ExampleCharts.CardsJsonAsync(service, whole.Request!, at), await ExampleCharts.CardsJsonAsync(service, skipping.Request!, at));
    }

    [Theory]
    [MemberData(nameof(ExpectationCases))]
    public async Task GivenASeedJourney_WhenReadDirectlyAndByTheSerializerAlone_ThenTheCardsAreIdentical(string bundle, string service, string now)
    {
        // Arrange
        var at = DateTimeOffset.Parse(now, CultureInfo.InvariantCulture);
        byte[] body;
        CdsHookRequest bySerializer;
        // The chart is loaded by the serializer too: a body written from a directly read chart would carry its faults.
        using (DirectModelReader.SerializerOnly())
        {
            body = Body(bundle, service);
            bySerializer = CdsRequestReader.Read(body).Request!;
        }

        // Act
        var direct = CdsRequestReader.Read(body);

        // Assert
        Assert.Null(direct.Error);
        Assert.Equal(await ExampleCharts.CardsJsonAsync(service, bySerializer, at), await ExampleCharts.CardsJsonAsync(service, direct.Request!, at));
    }

    [Fact]
    public void GivenTheSeedJourneys_WhenRead_ThenTheirIrrelevantObservationsAreSkippedAndEveryObservationTheMapperReadsIsMaterialised()
    {
        // Arrange + Act + Assert: the equality above proves something only if the charts hold both kinds.
        var skipped = 0;
        foreach (var bundle in Directory.GetFiles(Examples(), "cart-*.json").Select(Path.GetFileName).Order(StringComparer.Ordinal))
        {
            var request = CdsRequestReader.Read(Body(bundle!, Catalog.CdsServiceCatalog.ToxicityId)).Request!;
            var chart = ExampleCharts.Load(bundle!);
            foreach (var resource in ((Bundle)request.Prefetch!["observations"]!).Resources())
            {
                var whole = ExampleCharts.Resource<Observation>(chart, resource.Id!);
                var read = whole.Code?.Coding?.Any(c => ClinicalFactsMapper.ReachOf(c.System, c.Code) is not null) == true;
                Assert.True(read == resource is Observation, $"{bundle}: {resource.TypedId} ({whole.Code?.Coding?.FirstOrDefault()?.Code}) read whole: {resource is Observation}, the mapper reads it: {read}");
                if (resource is SkippedResource) skipped++;
            }
        }
        Assert.True(skipped > 400, $"only {skipped} Observations skipped over the seed journeys");
    }

    /// <summary>Each chart with irrelevant history added: heart rates, SpO2 (profiled, read by no rule) and
    /// a sodium, every 6 hours for a year before the evaluation.</summary>
    private static Bundle WithIrrelevantHistory(Bundle chart, DateTimeOffset now)
    {
        var patient = chart.Resources().OfType<Patient>().Single();
        var entries = chart.Entry!.ToList();
        (string Code, string Unit, decimal Value)[] kinds = [("8867-4", "/min", 112), ("59408-5", "%", 97), ("2951-2", "mmol/L", 139)];
        for (var h = 6; h <= 365 * 24; h += 6)
        {
            var kind = kinds[h / 6 % kinds.Length];
            entries.Add(new BundleEntry
            {
                Resource = new Observation
                {
                    Id = $"noise-{h}",
                    Status = "final",
                    Code = new CodeableConcept(FhirSystems.Loinc, kind.Code),
                    Subject = new Reference($"Patient/{patient.Id}"),
                    EffectiveDateTime = now.AddHours(-h).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
                    ValueQuantity = new Quantity(kind.Value, kind.Unit),
                },
            });
        }
        return new Bundle { Type = chart.Type, Entry = entries };
    }

    [Theory]
    [MemberData(nameof(ExpectationCases))]
    public async Task GivenASeedJourneyWithAYearOfIrrelevantHistory_WhenReadForTheHook_ThenTheCardsAreThoseOfTheJourneyAlone(string bundle, string service, string now)
    {
        // Arrange
        var at = DateTimeOffset.Parse(now, CultureInfo.InvariantCulture);
        var noisy = Body(bundle, service, chart => WithIrrelevantHistory(chart, at));

        // Act
        var skipping = await ExampleCharts.CardsJsonAsync(service, CdsRequestReader.Read(noisy).Request!, at);
        var whole = await ExampleCharts.CardsJsonAsync(service, CdsRequestReader.Read(noisy, readWhole: true).Request!, at);
        var alone = await ExampleCharts.CardsJsonAsync(service, CdsRequestReader.Read(Body(bundle, service), readWhole: true).Request!, at);

        // Assert
        Assert.Equal(whole, skipping);
        Assert.Equal(alone, skipping);
    }
}
