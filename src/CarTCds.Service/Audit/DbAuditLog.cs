using CarTCds.Service.Storage;
using CarTCds.Service.Telemetry;

namespace CarTCds.Service.Audit;

/// <summary><see cref="IAuditLog"/> in the service's database.</summary>
/// <remarks>What a caller sends (service id from the URL, hook, hookInstance, issuer, tenant) is stored
/// as the log shows it, capped by <see cref="CallerText"/> (a 9 MB hookInstance is a few hundred bytes).</remarks>
internal sealed class DbAuditLog(StorageDatabase db, GroupCommit group, PatientIdHasher hasher) : IAuditLog
{
    private const string InsertSql = """
        INSERT INTO hook_audit (occurred_at, issuer, tenant, service_id, hook, hook_instance, patient_hash, patient_hash_key_id,
            findings_json, card_count, rule_set, latency_ms, status_code, excluded_records, note)
        VALUES (@at, @issuer, @tenant, @service, @hook, @instance, @patientHash, @keyId, @findings, @cards, @ruleSet, @latency, @status, @excluded, @note)
        """;

    public async Task RecordAsync(HookAuditRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        var hash = string.IsNullOrEmpty(record.PatientId) ? null : hasher.Hash(record.PatientId);
        // Shares a commit with concurrent hook calls' writes (GroupCommit); returns once committed.
        await group.WriteAsync(async (connection, transaction) =>
        {
            var insert = group.Command(connection, transaction, InsertSql);
            db.AddTimestamp(insert, "at", record.OccurredAt);
            StorageDatabase.Add(insert, "issuer", CallerText.CapStored(record.Issuer));
            StorageDatabase.Add(insert, "tenant", CallerText.CapStored(record.Tenant));
            StorageDatabase.Add(insert, "service", CallerText.CapStored(record.ServiceId) ?? "");
            StorageDatabase.Add(insert, "hook", CallerText.CapStored(record.Hook));
            StorageDatabase.Add(insert, "instance", CallerText.CapStored(record.HookInstance));
            StorageDatabase.Add(insert, "patientHash", hash);
            StorageDatabase.Add(insert, "keyId", hash is null ? null : hasher.KeyId);
            db.AddJson(insert, "findings", FindingsJson.ForCall(record.Cards));
            StorageDatabase.Add(insert, "cards", record.Cards.Count);
            StorageDatabase.Add(insert, "ruleSet", record.RuleSet);
            StorageDatabase.Add(insert, "latency", Math.Round(record.LatencyMs, 3));
            StorageDatabase.Add(insert, "status", record.StatusCode);
            StorageDatabase.Add(insert, "excluded", record.ExcludedRecords);
            StorageDatabase.Add(insert, "note", record.Note);
            await insert.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false);
        }).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<StoredHookAudit>> ListAsync(string? hookInstance, int limit, CancellationToken cancellationToken)
    {
        var connection = await db.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var select = connection.CreateCommand();
            select.CommandText = $"""
                SELECT id, occurred_at, issuer, tenant, service_id, hook, hook_instance, patient_hash, patient_hash_key_id,
                       findings_json, card_count, rule_set, latency_ms, status_code, excluded_records, note
                FROM hook_audit
                {(hookInstance is null ? "" : "WHERE hook_instance = @instance")}
                ORDER BY id DESC
                LIMIT @limit
                """;
            // Stored capped (CallerText): looked up the same way, so the caller's own value finds its row.
            if (hookInstance is not null) StorageDatabase.Add(select, "instance", CallerText.CapStored(hookInstance));
            StorageDatabase.Add(select, "limit", Math.Clamp(limit, 1, 10_000));
            var list = new List<StoredHookAudit>();
            var r = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (r.ConfigureAwait(false))
            {
                while (await r.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    list.Add(new StoredHookAudit(r.GetInt64(0), db.ReadTimestamp(r, 1), StorageDatabase.ReadString(r, 2), StorageDatabase.ReadString(r, 3),
                        r.GetString(4), StorageDatabase.ReadString(r, 5), StorageDatabase.ReadString(r, 6), StorageDatabase.ReadString(r, 7),
                        StorageDatabase.ReadString(r, 8), r.GetString(9), r.GetInt32(10), r.GetString(11), r.GetDouble(12), r.GetInt32(13), r.GetInt32(14), StorageDatabase.ReadString(r, 15)));
                }
            }
            return list;
        }
    }

}
