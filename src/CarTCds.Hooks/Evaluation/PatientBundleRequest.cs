using CarTCds.Fhir.Model;
using CarTCds.Fhir.Serialization;
using CarTCds.Hooks.Catalog;
using CarTCds.Hooks.Contract;

namespace CarTCds.Hooks.Evaluation;

/// <summary>Builds the hook request an EHR would send for a patient whose data is one Bundle
/// (a transaction, collection or searchset, as in profiles/examples): context from the Patient,
/// every prefetch key filled from the Bundle's resources of that key's type. Used by the CLI,
/// the sandbox and the tests, so all of them send what the endpoint receives.</summary>
public static class PatientBundleRequest
{
    /// <exception cref="ArgumentException">The bundle holds no Patient or more than one.</exception>
    public static CdsHookRequest Build(CdsServiceDefinition service, Bundle patientBundle, Bundle? draftOrders = null, string? userId = "Practitioner/cartcds-cli")
    {
        var resources = patientBundle.Resources().ToList();
        var patients = resources.OfType<Patient>().ToList();
        if (patients.Count != 1) throw new ArgumentException($"The bundle must hold exactly one Patient (it holds {patients.Count}).", nameof(patientBundle));
        var patient = patients[0];
        if (string.IsNullOrEmpty(patient.Id)) throw new ArgumentException("The bundle's Patient has no id.", nameof(patientBundle));

        var prefetch = new Dictionary<string, Resource?>(StringComparer.Ordinal);
        foreach (var key in service.Prefetch)
        {
            if (!key.IsSearch)
            {
                prefetch[key.Key] = resources.FirstOrDefault(r => r.ResourceType == key.ResourceType);
                continue;
            }
            prefetch[key.Key] = new Bundle
            {
                Type = "searchset",
                Entry = resources.Where(r => r.ResourceType == key.ResourceType)
                    .Select(r => new BundleEntry { Resource = r, Search = new BundleEntrySearch { Mode = "match" } })
                    .ToList(),
            };
        }

        var context = new HookContext { UserId = userId, PatientId = patient.Id };
        if (service.Hook is "order-select" or "order-sign")
        {
            var orders = draftOrders is null ? new Bundle { Type = "collection", Entry = [] } : InTheChartOf(draftOrders, patient.Id);
            context.DraftOrders = orders;
            if (service.Hook == "order-select")
            {
                context.Selections = orders.Resources().Where(r => r.TypedId is not null).Select(r => r.TypedId!).ToList();
            }
        }

        return new CdsHookRequest
        {
            Hook = service.Hook,
            HookInstance = Guid.NewGuid().ToString(),
            Context = context,
            Prefetch = prefetch,
        };
    }

    /// <summary>The draft orders as the EHR would send them for this chart: an order without a subject
    /// (the templates in profiles/examples/draft-orders serve every patient) gets
    /// <c>Patient/{patientId}</c>, since R4 requires MedicationRequest.subject and ServiceRequest.subject.
    /// A copy when anything changes: one template may serve concurrent requests for different patients.
    /// An order naming a subject keeps it (another patient's is refused by the evaluator).</summary>
    private static Bundle InTheChartOf(Bundle draftOrders, string patientId)
    {
        static bool Unplaced(Resource r) => r is MedicationRequest { Subject: null } or ServiceRequest { Subject: null };
        if (!draftOrders.Resources().Any(Unplaced)) return draftOrders;
        var copy = (Bundle)FhirJson.Parse(FhirJson.Serialize(draftOrders));
        foreach (var r in copy.Resources())
        {
            switch (r)
            {
                case MedicationRequest { Subject: null } m: m.Subject = new Reference($"Patient/{patientId}"); break;
                case ServiceRequest { Subject: null } sr: sr.Subject = new Reference($"Patient/{patientId}"); break;
            }
        }
        return copy;
    }
}
