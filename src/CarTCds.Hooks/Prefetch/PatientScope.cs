using CarTCds.Fhir.Model;

namespace CarTCds.Hooks.Prefetch;

/// <summary>How a resource is tied to the patient of the hook call.</summary>
public enum PatientLink
{
    /// <summary>Its subject is <c>Patient/{context.patientId}</c> (or that on the request's
    /// <c>fhirServer</c>), or its type has no subject (Patient, Medication): it counts.</summary>
    ThisPatient,

    /// <summary>Its subject names another patient (<c>Patient/{other id}</c>, relative or absolute):
    /// the call is refused (400) rather than mix two patients' records.</summary>
    OtherPatient,

    /// <summary>Its subject does not show that it is this patient's: none at all, a Group, a
    /// <c>urn:uuid:</c>, an identifier only, a lowercase <c>patient/…</c>, or this patient's id on
    /// another server. Left out of grading and named on the card.</summary>
    Unlinked,
}

/// <summary>Guards against data that is not this patient's entering a hook call (docs/ARCHITECTURE.md "Whose data counts").</summary>
/// <remarks>Rule (docs/ARCHITECTURE.md "Whose data counts"): a record counts only if its subject is
/// <c>Patient/{context.patientId}</c> (a literal, case-sensitive FHIR reference, optionally with
/// <c>/_history/n</c>) or an absolute URL whose base is the request's <c>fhirServer</c>. A record that
/// names another patient refuses the call; anything else is left out and named on the card.</remarks>
public static class PatientScope
{
    private const string PatientSlash = "Patient/";

    /// <summary>The patient reference of a resource (subject), or null when it has none.</summary>
    public static Reference? SubjectOf(Resource resource) => resource switch
    {
        Observation o => o.Subject,
        Condition c => c.Subject,
        Procedure p => p.Subject,
        MedicationAdministration m => m.Subject,
        MedicationRequest m => m.Subject,
        MedicationStatement m => m.Subject,
        ServiceRequest s => s.Subject,
        // Skipped unread (no rule reads it): its subject was kept, so whose it is is told as if read whole.
        SkippedResource s => s.Subject,
        _ => null,
    };

    private static bool HasSubjectElement(Resource resource) =>
        resource is Observation or Condition or Procedure or MedicationAdministration or MedicationRequest or MedicationStatement or ServiceRequest or SkippedResource;

    /// <summary>How <paramref name="resource"/> is tied to <paramref name="patientId"/>.</summary>
    /// <param name="resource">A prefetched, fetched or draft resource.</param>
    /// <param name="patientId">context.patientId.</param>
    /// <param name="fhirServer">The request's <c>fhirServer</c> (absolute), or null when it sent none:
    /// then no absolute reference can be shown to be this patient's.</param>
    public static PatientLink Link(Resource resource, string patientId, Uri? fhirServer)
    {
        if (!HasSubjectElement(resource)) return PatientLink.ThisPatient;
        var reference = SubjectOf(resource)?.ReferenceValue;
        if (reference is null) return PatientLink.Unlinked;
        // The shape EHRs send, "Patient/{id}", answered in a few instructions: this runs once per
        // prefetched resource, and with 10,000 of them the general search below made the loop too long
        // for the CPU to overlap the cache misses of successive resources (PatientScopeCheck in
        // StageBenchmarks, before this path: ~300 ns per resource at 10,000 against ~65 ns at 1,000).
        if (reference.Length == PatientSlash.Length + patientId.Length
            && reference.StartsWith(PatientSlash, StringComparison.Ordinal)
            && reference.AsSpan(PatientSlash.Length).SequenceEqual(patientId)
            && !patientId.Contains('/'))
        {
            return PatientLink.ThisPatient;
        }

        if (reference.StartsWith(PatientSlash, StringComparison.Ordinal))
        {
            return SameId(reference.AsSpan(PatientSlash.Length), patientId) ? PatientLink.ThisPatient : PatientLink.OtherPatient;
        }
        if (!Uri.TryCreate(reference, UriKind.Absolute, out var absolute) || absolute.Scheme is not ("http" or "https"))
        {
            return PatientLink.Unlinked; // urn:uuid:, Group/…, patient/…, #contained, anything else
        }
        var path = absolute.AbsolutePath;
        var at = path.LastIndexOf("/" + PatientSlash, StringComparison.Ordinal);
        if (at < 0) return PatientLink.Unlinked; // e.g. https://ehr/fhir/Group/g1
        if (!SameId(path.AsSpan(at + 1 + PatientSlash.Length), patientId)) return PatientLink.OtherPatient;
        // This patient's id: it counts only on the server the request names.
        return fhirServer is not null && OnServer(absolute, at + 1, fhirServer) ? PatientLink.ThisPatient : PatientLink.Unlinked;
    }

    /// <summary>Why a record of <paramref name="link"/> is not used, for the card's "Left out" note.</summary>
    public static string Why(Resource resource, PatientLink link, string patientId) => SubjectOf(resource)?.ReferenceValue switch
    {
        null when SubjectOf(resource)?.Identifier is not null => $"its subject is an identifier, not a reference to Patient/{patientId}: not used as this patient's data",
        null => $"it has no subject: not shown to be Patient/{patientId}'s, not used",
        var r when link == PatientLink.OtherPatient => $"its subject is {r}, another patient",
        var r => $"its subject '{r}' is not Patient/{patientId}{(r.Contains("://", StringComparison.Ordinal) ? " on the request's fhirServer" : "")}: not used as this patient's data",
    };

    // "123", "123/_history/2" → compared with the id (ids are case-sensitive).
    private static bool SameId(ReadOnlySpan<char> idAndRest, string patientId)
    {
        var slash = idAndRest.IndexOf('/');
        if (slash < 0) return idAndRest.SequenceEqual(patientId);
        // Only "/_history/n" may follow an id; anything else ("a/Patient/b") is no id of ours.
        return idAndRest[slash..].StartsWith("/_history/") && idAndRest[..slash].SequenceEqual(patientId);
    }

    // Same scheme, host and port, and the reference's path up to "Patient/" is the server's base path.
    private static bool OnServer(Uri reference, int typeStart, Uri fhirServer)
    {
        if (!string.Equals(reference.Scheme, fhirServer.Scheme, StringComparison.OrdinalIgnoreCase)
            || !string.Equals(reference.Host, fhirServer.Host, StringComparison.OrdinalIgnoreCase)
            || reference.Port != fhirServer.Port)
        {
            return false;
        }
        var basePath = fhirServer.AbsolutePath.TrimEnd('/') + "/";
        return reference.AbsolutePath.AsSpan(0, typeStart).SequenceEqual(basePath);
    }
}
