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

    private Action<System.Data.Common.DbCommand>? _declare;

    public Task RecordAsync(HookAuditRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        // Shares a commit with concurrent hook calls' writes (GroupCommit); returns once committed.
        return group.WriteAsync(new HookCallWrite(this, record, null, "", "", [], default, null)).WaitAsync(cancellationToken);
    }

    /// <summary>Inside a group-commit write: inserts <paramref name="record"/>. The patient id is hashed
    /// and the findings serialised here, on the writer loop, not on the request path.</summary>
    internal async Task InsertAsync(GroupCommit group, System.Data.Common.DbConnection connection, System.Data.Common.DbTransaction transaction, HookAuditRecord record)
    {
        var hash = string.IsNullOrEmpty(record.PatientId) ? null : hasher.Hash(record.PatientId);
        var insert = group.Command(connection, transaction, InsertSql, _declare ??= Declare);
        var p = insert.Parameters;
        // In the order Declare adds them.
        p[0].Value = db.TimestampValue(record.OccurredAt);
        p[1].Value = (object?)CallerText.CapStored(record.Issuer) ?? DBNull.Value;
        p[2].Value = (object?)CallerText.CapStored(record.Tenant) ?? DBNull.Value;
        p[3].Value = CallerText.CapStored(record.ServiceId) ?? "";
        p[4].Value = (object?)CallerText.CapStored(record.Hook) ?? DBNull.Value;
        p[5].Value = (object?)CallerText.CapStored(record.HookInstance) ?? DBNull.Value;
        p[6].Value = (object?)hash ?? DBNull.Value;
        p[7].Value = hash is null ? DBNull.Value : hasher.KeyId;
        FindingsJson.WriteForCall(group.Json(), record.Cards);
        p[8].Value = group.JsonText();
        p[9].Value = record.Cards.Count;
        p[10].Value = record.RuleSet;
        p[11].Value = Math.Round(record.LatencyMs, 3);
        p[12].Value = record.StatusCode;
        p[13].Value = record.ExcludedRecords;
        p[14].Value = (object?)record.Note ?? DBNull.Value;
        await insert.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false);
    }

    private void Declare(System.Data.Common.DbCommand insert)
    {
        db.AddTimestamp(insert, "at", default);
        foreach (var name in (ReadOnlySpan<string>)["issuer", "tenant", "service", "hook", "instance", "patientHash", "keyId"]) StorageDatabase.Add(insert, name, null);
        db.AddJson(insert, "findings", null);
        foreach (var name in (ReadOnlySpan<string>)["cards", "ruleSet", "latency", "status", "excluded", "note"]) StorageDatabase.Add(insert, name, null);
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
