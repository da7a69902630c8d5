using System.Text.Json.Nodes;
using CarTCds.Fhir.Model;
using CarTCds.Hooks.Catalog;
using CarTCds.Hooks.Contract;
using CarTCds.Hooks.Evaluation;
using CarTCds.Hooks.Facts;
using CarTCds.Hooks.Prefetch;
using CarTCds.Hooks.Timeline;
using Microsoft.Extensions.Options;

namespace CarTCds.Service.Sandbox;

/// <summary>The patients of <see cref="SandboxOptions.FhirServer"/> (e.g. HAPI loaded by
/// <c>cartcds sandbox load</c>): listed, read for the timeline with the toxicity service's own
/// prefetch queries, and called with a hook that names only <c>fhirServer</c>, so the service reads
/// the record itself as it would for a real EHR. Their record is not moved in time: the engine's
/// clock (<c>CarTCds:Now</c> or the wall clock) is the day shown.</summary>
public sealed class FhirSandboxPatients(IOptions<SandboxOptions> options, IFhirQueryClient fhir, CdsServiceEvaluator evaluator, TimeProvider time)
{
    /// <summary>Most patients listed (one search page).</summary>
    public const int MaxPatients = 100;

    private readonly PrefetchResolver _resolver = new(fhir);

    /// <summary>The configured FHIR base URL, or null when none is set.</summary>
    public string? Server => string.IsNullOrWhiteSpace(options.Value.FhirServer) ? null : options.Value.FhirServer.TrimEnd('/');

    /// <summary>The server's patients (id, name, gender, birthDate), or why they could not be read.</summary>
    public async Task<(JsonArray? Patients, string? Failure)> ListAsync(CancellationToken cancellationToken)
    {
        if (Server is not { } server) return (null, "no CarTCds:Sandbox:FhirServer is set");
        var result = await fhir.GetAsync(new FhirServerAccess(new Uri(server + "/"), null), $"Patient?_count={MaxPatients}", cancellationToken).ConfigureAwait(false);
        if (result.Resource is not Bundle bundle) return (null, result.Failure ?? $"Patient search answered a {result.Resource?.ResourceType}, not a Bundle");
        var list = new JsonArray();
        foreach (var p in bundle.Resources().OfType<Patient>().Where(p => !string.IsNullOrEmpty(p.Id)))
        {
            var name = p.Name?.FirstOrDefault();
            var parts = string.Join(" ", (name?.Given ?? []).Append(name?.Family).Where(s => !string.IsNullOrEmpty(s)));
            list.Add(new JsonObject
            {
                ["id"] = p.Id,
                ["name"] = name?.Text ?? (parts.Length > 0 ? parts : p.Id),
                ["gender"] = p.Gender,
                ["birthDate"] = p.BirthDate,
            });
        }
        return (list, null);
    }

    /// <summary>The patient's timeline up to today (the engine's clock), read from the server.</summary>
    public async Task<(IReadOnlyList<TimelineDay>? Days, HookError? Error)> TimelineAsync(string patientId, CancellationToken cancellationToken)
    {
        var request = Request(evaluator.Catalog.Find(CdsServiceCatalog.ToxicityId)!, patientId, null);
        var (record, error) = await _resolver.ResolveAsync(evaluator.Catalog.Find(CdsServiceCatalog.ToxicityId)!, request, request.Context!, patientId, cancellationToken).ConfigureAwait(false);
        if (error is not null) return (null, error);
        var facts = ClinicalFactsMapper.Map(record!.Patient, record.Resources);
        return (PatientTimeline.Build(facts, evaluator.Rules, time.GetUtcNow()), null);
    }

    /// <summary>The hook request an EHR on this FHIR server sends: context and fhirServer, no
    /// prefetch (built like every other sandbox request, then the prefetch is dropped).</summary>
    public CdsHookRequest Request(CdsServiceDefinition service, string patientId, Bundle? draftOrders)
    {
        var onlyThePatient = new Bundle { Type = "collection", Entry = [new BundleEntry { Resource = new Patient { Id = patientId } }] };
        var request = PatientBundleRequest.Build(service, onlyThePatient, draftOrders, "Practitioner/cartcds-sandbox");
        request.Prefetch = null;
        request.FhirServer = Server;
        return request;
    }
}
