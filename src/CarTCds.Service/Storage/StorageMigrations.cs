using System.Data.Common;
using System.Globalization;

namespace CarTCds.Service.Storage;

/// <summary>The schema, as numbered migrations recorded in <c>schema_migrations</c> (version,
/// name, applied_at). Append a migration to change the schema; never edit one that has shipped.</summary>
/// <remarks>All of them run in one transaction under the provider's migration lock (SQLite's write
/// lock; a PostgreSQL advisory lock), so replicas starting together migrate once. A database whose
/// version is newer than this build's stops the start-up: an older build must not write a schema
/// it does not know.</remarks>
internal static class StorageMigrations
{
    private sealed record Migration(int Version, string Name, Func<StorageDatabase, string[]> Statements);

    private static readonly Migration[] All =
    [
        new(1, "feedback, issued cards, hook audit", db =>
        [
            // The cards this service issued: what feedback refers to. No patient link, no free text:
            // findings keep code, value, rule set and missing-data names only (evidence ids and
            // reasons, which carry dates and record ids, stay out).
            $"""
            CREATE TABLE issued_cards (
                card_uuid TEXT NOT NULL PRIMARY KEY,
                service_id TEXT NOT NULL,
                rule_set TEXT NOT NULL,
                card_type TEXT NOT NULL,
                topic_system TEXT NULL,
                topic_code TEXT NULL,
                indicator TEXT NOT NULL,
                finding_codes TEXT NOT NULL,
                findings_json {db.JsonColumn} NOT NULL,
                issued_at {db.TimestampColumn} NOT NULL
            )
            """,
            "CREATE INDEX issued_cards_type ON issued_cards (service_id, card_type)",
            // Every feedback entry as received; the same card reported twice is two rows.
            $"""
            CREATE TABLE feedback (
                id {db.IdentityColumn},
                service_id TEXT NOT NULL,
                card_uuid TEXT NOT NULL,
                card_known_on_receipt {db.BooleanColumn} NOT NULL,
                outcome TEXT NOT NULL CHECK (outcome IN ('accepted', 'overridden')),
                accepted_suggestions_json {db.JsonColumn} NULL,
                override_reason_system TEXT NULL,
                override_reason_code TEXT NULL,
                override_reason_display TEXT NULL,
                override_user_comment TEXT NULL,
                outcome_timestamp TEXT NOT NULL,
                received_at {db.TimestampColumn} NOT NULL
            )
            """,
            "CREATE INDEX feedback_card ON feedback (card_uuid)",
            "CREATE INDEX feedback_service ON feedback (service_id, id)",
            // One row per hook call. The patient appears only as an HMAC.
            $"""
            CREATE TABLE hook_audit (
                id {db.IdentityColumn},
                occurred_at {db.TimestampColumn} NOT NULL,
                issuer TEXT NULL,
                tenant TEXT NULL,
                service_id TEXT NOT NULL,
                hook TEXT NULL,
                hook_instance TEXT NULL,
                patient_hash TEXT NULL,
                patient_hash_key_id TEXT NULL,
                findings_json {db.JsonColumn} NOT NULL,
                card_count INTEGER NOT NULL,
                rule_set TEXT NOT NULL,
                latency_ms {db.RealColumn} NOT NULL,
                status_code INTEGER NOT NULL
            )
            """,
            "CREATE INDEX hook_audit_time ON hook_audit (occurred_at)",
            "CREATE INDEX hook_audit_instance ON hook_audit (hook_instance)",
            "CREATE INDEX hook_audit_patient ON hook_audit (patient_hash)",
        ]),
        new(2, "used CDS Hooks token ids (jti replay)", db =>
        [
            // One row per accepted token id; shared by every replica on the same database. Expired
            // rows are taken over by a new token with the same id and purged from time to time.
            $"""
            CREATE TABLE used_jti (
                issuer TEXT NOT NULL,
                jti TEXT NOT NULL,
                keep_until {db.TimestampColumn} NOT NULL,
                PRIMARY KEY (issuer, jti)
            )
            """,
            "CREATE INDEX used_jti_expiry ON used_jti (keep_until)",
        ]),
        new(3, "hook_audit.excluded_records (records left out by profile validation)", _ =>
        [
            "ALTER TABLE hook_audit ADD COLUMN excluded_records INTEGER NOT NULL DEFAULT 0",
        ]),
        new(4, "feedback: one row per (service, card, outcome, outcomeTimestamp)", _ =>
        [
            // A client that retries after a lost acknowledgement sends the same report again: it is
            // the same report, stored once. Reports already stored twice keep their first row.
            """
            DELETE FROM feedback WHERE id NOT IN (
                SELECT MIN(id) FROM feedback GROUP BY service_id, card_uuid, outcome, outcome_timestamp)
            """,
            "CREATE UNIQUE INDEX feedback_report ON feedback (service_id, card_uuid, outcome, outcome_timestamp)",
        ]),
        new(5, "hook_audit.note (why a call answered no cards, e.g. no CAR-T infusion on record)", _ =>
        [
            "ALTER TABLE hook_audit ADD COLUMN note TEXT NULL",
        ]),
    ];

    public static int Latest => All[^1].Version;

    /// <summary>Migrates to <paramref name="upTo"/> (default: <see cref="Latest"/>); a database at or
    /// past it is left as it is (the newer-than-this-build check aside). The provider's set-up
    /// (<see cref="StorageDatabase.MigrateAsync"/>) must have run. <paramref name="upTo"/> below
    /// <see cref="Latest"/> is for tests that build a database as an older release left it.</summary>
    public static async Task<IReadOnlyList<int>> ApplyAsync(StorageDatabase db, CancellationToken cancellationToken, int? upTo = null)
    {
        // Not the service's short command timeout: a loaded server's first connection, an index on a
        // large table, or another replica holding the migration lock may take longer.
        var connection = await db.OpenForMigrationAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var transaction = await db.BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
            await using (transaction.ConfigureAwait(false))
            {
                await db.LockForMigrationAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
                await ExecuteAsync(db, connection, transaction, $"""
                    CREATE TABLE IF NOT EXISTS schema_migrations (
                        version INTEGER NOT NULL PRIMARY KEY,
                        name TEXT NOT NULL,
                        applied_at {db.TimestampColumn} NOT NULL
                    )
                    """, cancellationToken).ConfigureAwait(false);

                int current;
                using (var read = connection.CreateCommand())
                {
                    read.Transaction = transaction;
                    read.CommandTimeout = db.MigrationSeconds;
                    read.CommandText = "SELECT COALESCE(MAX(version), 0) FROM schema_migrations";
                    current = Convert.ToInt32(await read.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
                }
                if (current > Latest)
                {
                    throw new InvalidOperationException($"The {db.Provider} database at {db.Location} has schema version {current}, newer than this " +
                        $"build knows ({Latest}): it was written by a newer CarTCds. Run that version, or restore a matching backup.");
                }

                var applied = new List<int>();
                foreach (var migration in All.Where(m => m.Version > current && m.Version <= (upTo ?? Latest)))
                {
                    foreach (var statement in migration.Statements(db))
                    {
                        await ExecuteAsync(db, connection, transaction, statement, cancellationToken).ConfigureAwait(false);
                    }
                    using var record = connection.CreateCommand();
                    record.Transaction = transaction;
                    record.CommandTimeout = db.MigrationSeconds;
                    record.CommandText = "INSERT INTO schema_migrations (version, name, applied_at) VALUES (@version, @name, @at)";
                    StorageDatabase.Add(record, "version", migration.Version);
                    StorageDatabase.Add(record, "name", migration.Name);
                    // Wall-clock bookkeeping of the schema itself, not an evaluation time.
                    db.AddTimestamp(record, "at", TimeProvider.System.GetUtcNow());
                    await record.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                    applied.Add(migration.Version);
                }
                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                return applied;
            }
        }
    }

    private static async Task ExecuteAsync(StorageDatabase db, DbConnection connection, DbTransaction transaction, string sql, CancellationToken cancellationToken)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandTimeout = db.MigrationSeconds;
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
