using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using CarTCds.Hooks.Sandbox;
using CarTCds.Service.Audit;
using CarTCds.Service.Tests.Sandbox;
using CarTCds.Service.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace CarTCds.Service.Tests.Interop;

/// <summary>A CAR-T chart whose infusion records cannot be used (not shown to be this patient's, or
/// an unusable time) must not fall silent: "no infusion" would otherwise mean "no cards", which a
/// clinician reads as nothing to grade (docs/CDS-HOOKS.md "When cart-toxicity answers"). The chart is
/// a real story, profiles/examples/cart-e7-boundaries (day 3: 38.0 °C on nasal cannula 6.5 L/min),
/// moved so that its day 3 is the suite's evaluation day; both of its infusion records (the Procedure
/// and the tisagenlecleucel MedicationAdministration) get the fault, as an interface that drops the
/// subject does to every message.</summary>
[Collection(CarTCdsServiceCollection.Name)]
public sealed class UnusableInfusionRecordTests(CarTCdsWebApplicationFactory factory)
{
    private const string PatientId = "cart-e7-boundaries";
    private static readonly string[] InfusionRecords = ["Procedure/e7-cart-infusion", "MedicationAdministration/e7-tisagenlecleucel"];

    public static TheoryData<string, Action<JsonObject>, string> UnusableInfusions => new()
    {
        { "no subject", r => r.Remove("subject"), "it has no subject" },
        { "a Group subject", r => r["subject"] = new JsonObject { ["reference"] = "Group/cart-t-ward" }, "'Group/cart-t-ward' is not Patient/cart-e7-boundaries" },
        { "a urn:uuid subject", r => r["subject"] = new JsonObject { ["reference"] = "urn:uuid:0b6c1d2e-3f40-4a5b-8c6d-7e8f90a1b2c3" }, "'urn:uuid:0b6c1d2e-3f40-4a5b-8c6d-7e8f90a1b2c3' is not Patient/" },
        { "this patient on another server", r => r["subject"] = new JsonObject { ["reference"] = $"http://other.example/fhir/Patient/{PatientId}" }, "on the request's fhirServer" },
        { "a time before year 1 in UTC", SetTime("0001-01-01T00:00:00+14:00"), "time" },
    };

    [Theory]
    [MemberData(nameof(UnusableInfusions))]
    public async Task GivenARealChartWhoseOnlyInfusionRecordsCannotBeUsed_WhenPatientViewFires_ThenAWarningCardSaysSoAndWhy(string fault, Action<JsonObject> spoil, string reason)
    {
        // Arrange
        var instance = Guid.NewGuid().ToString();
        var body = Request(StoryOnDay3(spoil), instance);

        // Act
        var response = await factory.CreateClient().PostJsonAsync(HookJson.ToxicityPath, body);

        // Assert: not silence — first a warning that names both records and why, then the grade cards.
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{fault}: {text}");
        using var json = JsonDocument.Parse(text);
        var cards = json.RootElement.GetProperty("cards").EnumerateArray().ToList();
        Assert.True(cards.Count >= 2, $"{fault}: {text}");
        // Cards come by urgency (docs/CDS-HOOKS.md "Cards we answer"): the warning leads every card
        // that is not critical (a critical grade card, when there is one, comes before it).
        var warning = cards.First(c => c.GetProperty("indicator").GetString() != "critical");
        Assert.Equal("warning", warning.GetProperty("indicator").GetString());
        Assert.StartsWith("2 CAR-T infusion records could not be used", warning.GetProperty("summary").GetString(), StringComparison.Ordinal);
        var finding = warning.GetProperty("extension").GetProperty("org.cartcds.findings")[0];
        Assert.Equal("infusion-record", finding.GetProperty("code").GetString());
        Assert.Equal(InfusionRecords.Order(), finding.GetProperty("evidence").EnumerateArray().Select(e => e.GetString()!).Order());
        var detail = warning.GetProperty("detail").GetString()!;
        foreach (var record in InfusionRecords)
        {
            var line = detail.Split('\n').Single(l => l.StartsWith($"- {record}: ", StringComparison.Ordinal));
            Assert.Contains(reason, line, StringComparison.Ordinal);
        }
        Assert.Contains(cards, c => c.GetProperty("extension").GetProperty("org.cartcds.findings")[0].GetProperty("code").GetString() == "crs-grade");
        var row = Assert.Single(await factory.Services.GetRequiredService<IAuditLog>().ListAsync(instance, 10, CancellationToken.None));
        Assert.Null(row.Note);
        Assert.Equal(cards.Count, row.CardCount);
    }

    [Fact]
    public async Task GivenTheSameChartWithItsInfusionRecordsIntact_WhenPatientViewFires_ThenNoInfusionWarningAndTheDayIsKnown()
    {
        // Arrange
        var body = Request(StoryOnDay3(_ => { }), Guid.NewGuid().ToString());

        // Act
        var response = await factory.CreateClient().PostJsonAsync(HookJson.ToxicityPath, body);

        // Assert
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = await response.ReadJsonAsync();
        var cards = json.RootElement.GetProperty("cards").EnumerateArray().ToList();
        Assert.DoesNotContain(cards, c => c.GetProperty("summary").GetString()!.Contains("infusion record", StringComparison.Ordinal));
        Assert.Contains("day 3", cards[0].GetProperty("summary").GetString(), StringComparison.Ordinal);
    }

    private static Action<JsonObject> SetTime(string time) => r =>
    {
        var element = r["resourceType"]!.GetValue<string>() == "Procedure" ? "performedDateTime" : "effectiveDateTime";
        r[element] = time;
    };

    /// <summary>cart-e7-boundaries moved so that its day 3 is the suite's evaluation day (what it
    /// charts later left out), with <paramref name="spoil"/> applied to its infusion records.</summary>
    private static JsonObject StoryOnDay3(Action<JsonObject> spoil)
    {
        var bundle = JsonNode.Parse(File.ReadAllText(Path.Combine(SandboxApiHost.ExamplesFolder, "cart-e7-boundaries.json")))!.AsObject();
        var infusionDay = new DateTimeOffset(2021, 9, 6, 0, 0, 0, TimeSpan.Zero); // the story's day 0 (its README)
        var story = RecordTimeShift.ToToday(bundle, infusionDay, 3, CarTCdsWebApplicationFactory.FixedInstant).Bundle;
        foreach (var resource in Resources(story).Where(r => InfusionRecords.Contains($"{r["resourceType"]}/{r["id"]}")))
        {
            spoil(resource);
        }
        return story;
    }

    private static IEnumerable<JsonObject> Resources(JsonObject bundle) =>
        bundle["entry"]!.AsArray().Select(e => e!["resource"]!.AsObject());

    /// <summary>The patient-view call an EHR would send for the story: each prefetch key a searchset of its type.</summary>
    private static string Request(JsonObject story, string instance)
    {
        var resources = Resources(story).ToList();
        string Searchset(string type) => HookJson.Searchset(resources.Where(r => r["resourceType"]!.GetValue<string>() == type).Select(r => r.ToJsonString()).ToArray());
        var prefetch = HookJson.Prefetch(
            ("patient", resources.Single(r => r["resourceType"]!.GetValue<string>() == "Patient").ToJsonString()),
            ("observations", Searchset("Observation")),
            ("medicationAdministrations", Searchset("MedicationAdministration")),
            ("procedures", Searchset("Procedure")),
            ("conditions", Searchset("Condition")));
        return HookJson.Toxicity(prefetch, context: $$"""{"userId":"Practitioner/prac-1","patientId":"{{PatientId}}"}""")
            .Replace(HookJson.HookInstance, instance, StringComparison.Ordinal);
    }
}
