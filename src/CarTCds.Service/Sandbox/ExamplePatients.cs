using System.Text.Json;
using System.Text.Json.Nodes;
using CarTCds.Fhir.Model;
using CarTCds.Fhir.Serialization;
using CarTCds.Hooks.Facts;
using CarTCds.Hooks.Sandbox;
using CarTCds.Hooks.Timeline;
using Microsoft.Extensions.Options;

namespace CarTCds.Service.Sandbox;

/// <summary>One example patient of <c>profiles/examples</c>.</summary>
/// <param name="Id">The Patient's id (the file name).</param>
/// <param name="Name">Display name.</param>
/// <param name="Gender">FHIR gender.</param>
/// <param name="BirthDate">FHIR date.</param>
/// <param name="Anchor">Day 0 of the story (UTC midnight): the infusion day, or, with no
/// infusion, the day of the latest record.</param>
/// <param name="HasInfusion">Whether the story has a CAR-T infusion.</param>
/// <param name="FirstDay">First day offered, relative to <paramref name="Anchor"/>.</param>
/// <param name="LastDay">Last day offered.</param>
/// <param name="Bundle">The transaction Bundle as read.</param>
public sealed record ExamplePatient(string Id, string Name, string? Gender, string? BirthDate, DateTimeOffset Anchor, bool HasInfusion,
    int FirstDay, int LastDay, JsonObject Bundle)
{
    /// <summary>The instant a day of the story ends for the engine: 23:00Z, after the day's last
    /// reading (22:00Z) and never on one (profiles/examples/README.md "Evaluation instants").</summary>
    public DateTimeOffset DayEnd(int day) => Anchor.AddDays(day).AddHours(23);
}

/// <summary>The example patients and draft orders the sandbox offers, read once from
/// <see cref="SandboxOptions.ExamplesPath"/> at first use.</summary>
public sealed class ExamplePatients(IOptions<SandboxOptions> options, ILogger<ExamplePatients> logger)
{
    /// <summary>Days offered before the infusion (eligibility is checked in the week before it).</summary>
    public const int DaysBeforeInfusion = 7;

    private readonly Lazy<(IReadOnlyList<ExamplePatient> Patients, IReadOnlyDictionary<string, JsonObject> Orders)> _loaded =
        new(() => Load(options.Value.ResolvedExamplesPath, logger));

    public IReadOnlyList<ExamplePatient> Patients => _loaded.Value.Patients;

    /// <summary>Draft-order Bundles (collection) by name (the file stem, e.g. <c>tocilizumab-400mg</c>).</summary>
    public IReadOnlyDictionary<string, JsonObject> DraftOrders => _loaded.Value.Orders;

    public ExamplePatient? Find(string id) => Patients.FirstOrDefault(p => string.Equals(p.Id, id, StringComparison.Ordinal));

    private static (IReadOnlyList<ExamplePatient>, IReadOnlyDictionary<string, JsonObject>) Load(string folder, ILogger logger)
    {
        var patients = new List<ExamplePatient>();
        var orders = new SortedDictionary<string, JsonObject>(StringComparer.Ordinal);
        if (!Directory.Exists(folder))
        {
            logger.LogWarning("Sandbox examples folder {Folder} does not exist: the sandbox offers no patients.", folder);
            return (patients, orders);
        }
        foreach (var file in Directory.EnumerateFiles(folder, "*.json").Order(StringComparer.Ordinal))
        {
            if (Read(file) is { } p) patients.Add(p);
        }
        var ordersFolder = Path.Combine(folder, "draft-orders");
        if (Directory.Exists(ordersFolder))
        {
            foreach (var file in Directory.EnumerateFiles(ordersFolder, "*.json"))
            {
                if (JsonNode.Parse(File.ReadAllText(file)) is JsonObject b && (string?)b["resourceType"] == "Bundle")
                    orders[Path.GetFileNameWithoutExtension(file)] = b;
            }
        }
        // The four seed journeys (cart-p*, profiles/examples/README.md) first, then the edge cases.
        return (patients.OrderBy(p => p.Id.StartsWith("cart-p", StringComparison.Ordinal) ? 0 : 1).ThenBy(p => p.Id, StringComparer.Ordinal).ToList(), orders);
    }

    // A sandbox patient is a transaction Bundle with exactly one Patient (profiles/examples/README.md);
    // other JSON files there (expectations.json) are skipped.
    private static ExamplePatient? Read(string file)
    {
        JsonObject? json;
        Bundle? bundle;
        try
        {
            var text = File.ReadAllText(file);
            json = JsonNode.Parse(text) as JsonObject;
            if ((string?)json?["resourceType"] != "Bundle") return null;
            bundle = FhirJson.Parse(text) as Bundle;
        }
        catch (JsonException)
        {
            return null;
        }
        var resources = bundle?.Resources().ToList() ?? [];
        var patientList = resources.OfType<Patient>().ToList();
        if (json is null || patientList.Count != 1 || string.IsNullOrEmpty(patientList[0].Id)) return null;
        var patient = patientList[0];

        var facts = ClinicalFactsMapper.Map(patient, resources);
        var infusion = facts.Infusions.MaxBy(i => i.Time);
        var anchor = RecordTimeShift.DayZero(json, facts);
        var (first, last) = infusion is null ? (0, 0) : (-DaysBeforeInfusion, PatientTimeline.LastDay(facts, infusion));
        var name = patient.Name?.FirstOrDefault()?.Text ?? patient.Id!;
        return new ExamplePatient(patient.Id!, name, patient.Gender, patient.BirthDate, anchor, infusion is not null, first, last, json);
    }
}
