using CarTCds.Hooks.Contract;

namespace CarTCds.Service.Audit;

/// <summary>The audit trail: one record per hook call, in the service's database.</summary>
public interface IAuditLog
{
    /// <summary>Writes one record and returns once it is committed. The patient id is hashed here
    /// (<see cref="PatientIdHasher"/>) and never stored or logged.</summary>
    /// <param name="record">The call.</param>
    /// <param name="cancellationToken">Pass <see cref="CancellationToken.None"/> from a request
    /// whose client may hang up: the call happened and should be recorded even then.</param>
    Task RecordAsync(HookAuditRecord record, CancellationToken cancellationToken);

    /// <summary>The most recent records (newest first), optionally for one hookInstance.</summary>
    Task<IReadOnlyList<StoredHookAudit>> ListAsync(string? hookInstance, int limit, CancellationToken cancellationToken);
}

/// <summary>What is known of one hook call when it has been answered. Everything but
/// <see cref="ServiceId"/>, <see cref="RuleSet"/>, <see cref="StatusCode"/> may be missing
/// (a body that could not be read has no hook, instance or patient).</summary>
/// <remarks><see cref="PatientId"/> is the raw id: it is hashed on write and left out of
/// <see cref="ToString"/>, so logging the record cannot leak it.</remarks>
public sealed class HookAuditRecord
{
    /// <summary>When the call arrived (the injected <see cref="TimeProvider"/>).</summary>
    public required DateTimeOffset OccurredAt { get; init; }

    /// <summary>The JWT's <c>iss</c>, once authentication is on.</summary>
    public string? Issuer { get; init; }

    /// <summary>The JWT's <c>tenant</c>, when sent.</summary>
    public string? Tenant { get; init; }

    public required string ServiceId { get; init; }
    public string? Hook { get; init; }
    public string? HookInstance { get; init; }

    /// <summary>context.patientId as sent; hashed, never stored.</summary>
    public string? PatientId { get; init; }

    /// <summary>The cards answered; their findings (codes and values) are recorded.</summary>
    public IReadOnlyList<Card> Cards { get; init; } = [];

    /// <summary>The rule set that evaluated the call (<c>RuleSet.Label</c>).</summary>
    public required string RuleSet { get; init; }

    public required double LatencyMs { get; init; }

    /// <summary>The HTTP status answered.</summary>
    public required int StatusCode { get; init; }

    /// <summary>Records left out of grading because they broke their FHIR profile (or could not be
    /// used); listed in the card's data-quality note.</summary>
    public int ExcludedRecords { get; init; }

    /// <summary>Why the call answered no cards when that is not the ordinary answer (e.g. no CAR-T
    /// infusion on record): for the audit, never shown to the clinician. Null otherwise.</summary>
    public string? Note { get; init; }

    public override string ToString() =>
        $"{ServiceId} {Hook} {HookInstance} → {StatusCode} in {LatencyMs:0.#} ms, {Cards.Count} cards, rule set {RuleSet}";
}

/// <summary>One audit row as stored. <c>PatientHash</c> is HMAC-SHA256 of the patient id (hex), null
/// when the call had none; <c>PatientHashKeyId</c> names the HMAC key (<see cref="PatientIdHasher.KeyId"/>):
/// hashes with different key ids are not comparable. <c>FindingsJson</c> is
/// <c>[{"card":"&lt;uuid&gt;","code":"crs-grade","value":3}]</c>.</summary>
public sealed record StoredHookAudit(long Id, DateTimeOffset OccurredAt, string? Issuer, string? Tenant, string ServiceId, string? Hook,
    string? HookInstance, string? PatientHash, string? PatientHashKeyId, string FindingsJson, int CardCount, string RuleSet, double LatencyMs, int StatusCode,
    int ExcludedRecords = 0, string? Note = null);
