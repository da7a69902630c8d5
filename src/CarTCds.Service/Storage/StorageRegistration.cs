using CarTCds.Service.Audit;
using CarTCds.Service.Feedback;
using CarTCds.Service.Health;
using CarTCds.Service.Security;
using CarTCds.Service.Telemetry;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace CarTCds.Service.Storage;

/// <summary>Registers durable feedback, the issued-card registry, the audit trail and their database.</summary>
public static class StorageRegistration
{
    /// <summary>Registers <see cref="IFeedbackStore"/> (replacing any other), <see cref="ICardRegistry"/>,
    /// <see cref="IFeedbackReport"/> and <see cref="IAuditLog"/> over one database chosen by
    /// <c>CarTCds:Storage</c> (<see cref="StorageOptions"/>: SQLite by default, PostgreSQL by
    /// configuration), the start-up step that creates or migrates its schema, and a readiness check
    /// (<c>storage</c>). Patient ids in the audit are keyed with <c>CarTCds:Audit:PatientIdSalt</c>.
    /// Calling it twice registers once.</summary>
    public static WebApplicationBuilder AddCarTCdsStorage(this WebApplicationBuilder builder)
    {
        builder.Services.AddCarTCdsStorageServices();
        return builder;
    }

    /// <summary>The services of <see cref="AddCarTCdsStorage"/>; they read configuration and the
    /// content root from the container when first resolved.</summary>
    internal static IServiceCollection AddCarTCdsStorageServices(this IServiceCollection services)
    {
        if (services.Any(d => d.ServiceType == typeof(StorageMarker))) return services;
        services.AddSingleton<StorageMarker>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(sp => LoadOptions(sp.GetRequiredService<IConfiguration>()));
        services.AddSingleton(sp => CreateDatabase(sp.GetRequiredService<StorageOptions>(), sp.GetRequiredService<IHostEnvironment>()));
        // Outages are timed by the wall clock (the security clock), never the fixed evaluation time of CarTCds:Now.
        services.AddSingleton(sp => new StorageOutages(sp.GetKeyedService<TimeProvider>(CdsHooksSecurity.ClockKey) ?? TimeProvider.System,
            sp.GetRequiredService<ILoggerFactory>(), sp.GetRequiredService<StorageOptions>()));
        services.AddSingleton<StorageMetrics>();
        services.AddSingleton(sp => new PatientIdHasher(sp.GetRequiredService<IConfiguration>()[PatientIdHasher.SaltKey]));
        services.RemoveAll<IFeedbackStore>();
        services.AddSingleton<IFeedbackStore, DbFeedbackStore>();
        services.AddSingleton<GroupCommit>();
        services.AddSingleton<DbCardRegistry>();
        services.AddSingleton<ICardRegistry>(sp => sp.GetRequiredService<DbCardRegistry>());
        services.AddSingleton<IFeedbackReport, DbFeedbackReport>();
        services.AddSingleton<DbAuditLog>();
        services.AddSingleton<IAuditLog>(sp => sp.GetRequiredService<DbAuditLog>());
        // Replaces the in-memory store of AddCdsHooksSecurity: replicas on one PostgreSQL share it, SQLite keeps it across restarts.
        services.RemoveAll<IJtiReplayStore>();
        services.AddSingleton<IJtiReplayStore>(sp => new DbJtiReplayStore(sp.GetRequiredService<StorageDatabase>(),
            sp.GetKeyedService<TimeProvider>(CdsHooksSecurity.ClockKey) ?? TimeProvider.System,
            sp.GetRequiredService<StorageOptions>(), sp.GetRequiredService<StorageOutages>(), sp.GetRequiredService<StorageMetrics>()));
        services.AddHostedService<StorageStartup>();
        services.AddHealthChecks().AddCheck<StorageHealthCheck>("storage", tags: [HealthEndpoints.ReadyTag]);
        return services;
    }

    /// <summary>The database named by configuration.</summary>
    /// <exception cref="InvalidOperationException">The configuration is incomplete or unreadable; the message says which key.</exception>
    internal static StorageDatabase CreateDatabase(IConfiguration configuration, IHostEnvironment environment) =>
        CreateDatabase(LoadOptions(configuration), environment);

    /// <summary><c>CarTCds:Storage</c>, read and checked.</summary>
    /// <exception cref="InvalidOperationException">A setting is unreadable or out of range; the message says which key.</exception>
    internal static StorageOptions LoadOptions(IConfiguration configuration)
    {
        StorageOptions options;
        try
        {
            options = configuration.GetSection(StorageOptions.Section).Get<StorageOptions>() ?? new StorageOptions();
        }
        catch (InvalidOperationException ex)
        {
            throw new InvalidOperationException($"{StorageOptions.Section} cannot be read ({StorageOptions.Section}:Provider is Sqlite or PostgreSql): {ex.Message}", ex);
        }
        options.Validate();
        return options;
    }

    /// <summary>The database of checked <paramref name="options"/>.</summary>
    internal static StorageDatabase CreateDatabase(StorageOptions options, IHostEnvironment environment)
    {

        switch (options.Provider)
        {
            case StorageProvider.Sqlite:
                var path = string.IsNullOrWhiteSpace(options.Sqlite.Path) ? SqliteStorageOptions.DefaultFileName : options.Sqlite.Path;
                return new SqliteStorageDatabase(Path.GetFullPath(path, environment.ContentRootPath), options.CommandTimeout, options.MigrationTimeout);
            case StorageProvider.PostgreSql:
                if (string.IsNullOrWhiteSpace(options.PostgreSql.ConnectionString))
                {
                    throw new InvalidOperationException($"{StorageOptions.Section}:PostgreSql:ConnectionString is required when {StorageOptions.Section}:Provider is PostgreSql.");
                }
                return new PostgreSqlStorageDatabase(options.PostgreSql.ConnectionString, options.CommandTimeout, options.MigrationTimeout);
            default:
                throw new InvalidOperationException($"{StorageOptions.Section}:Provider '{options.Provider}' is not supported: use Sqlite or PostgreSql.");
        }
    }

    private sealed class StorageMarker;
}

/// <summary>At start-up: opens the database and creates or migrates its schema (a failure stops
/// the service), says where the data is, and warns when patient-id hashes will not correlate.</summary>
/// <remarks>Runs before the server listens (hosted services start before the web server), so while
/// it waits nothing answers, not even <c>/health</c>. A database that is down fails it at once; one
/// that does not answer fails it after <see cref="StorageOptions.MigrationTimeout"/> per step. Either
/// way one Critical line names the database (never its password) and why, and the service stops:
/// a replica that cannot keep the audit trail and the card registry from its first call must not
/// take traffic (an orchestrator restarts it).</remarks>
internal sealed class StorageStartup(StorageDatabase db, PatientIdHasher hasher, ILogger<StorageStartup> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<int> applied;
        try
        {
            applied = await db.MigrateAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            // The drivers' messages name host, port, user or file, never the password.
            logger.LogCritical("Storage: the {Provider} database at {Location} could not be opened and migrated at start-up ({Error}: {Reason}); " +
                "the service stops. Start-up waits at most {MigrationTimeoutKey} ({MigrationTimeout}) per step for a database that does not answer.",
                db.Provider, db.Location, ex.GetType().Name, ex.Message, $"{StorageOptions.Section}:{nameof(StorageOptions.MigrationTimeout)}", db.MigrationTimeout);
            throw;
        }
        if (!await db.WarmUpAsync(cancellationToken).ConfigureAwait(false))
        {
            logger.LogWarning("Storage: the {Provider} database at {Location} was migrated, but a first connection for hook calls failed within {CommandTimeoutKey} ({CommandTimeout}); " +
                "hook calls open their own (see /health/ready)", db.Provider, db.Location, $"{StorageOptions.Section}:{nameof(StorageOptions.CommandTimeout)}", db.CommandTimeout);
        }
        logger.LogInformation("Storage: {Provider} at {Location}, schema version {SchemaVersion}{Migrated}",
            db.Provider, db.Location, db.SchemaVersion, applied.Count == 0 ? "" : $" (migrated now: {string.Join(", ", applied)})");
        if (hasher.IsEphemeral)
        {
            logger.LogWarning("{SaltKey} is not set: patient ids in the audit trail are hashed with a random key drawn at start-up (key id {KeyId}); " +
                "hashes will not correlate across restarts or replicas. Set it to a secret of at least {MinimumLength} characters.",
                PatientIdHasher.SaltKey, hasher.KeyId, PatientIdHasher.MinimumSaltLength);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>Readiness: the database answers (within <see cref="StorageOptions.ReplayCheckTimeout"/>)
/// and neither the replay checks nor the hook writes are failing. A database that does not is
/// Degraded — the replica still answers hooks (<see cref="StorageOptions.FailOpenToMemory"/>) and
/// must stay in its load balancer — or Unhealthy with <see cref="StorageOptions.FailClosed"/>, when
/// its hook calls are answered 503.</summary>
internal sealed class StorageHealthCheck(StorageDatabase db, StorageOptions options, StorageOutages outages) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var problems = new List<string>();
        try
        {
            await db.RunAsync(async (connection, ct) =>
            {
                using var ping = connection.CreateCommand();
                ping.CommandText = "SELECT 1";
                return await ping.ExecuteScalarAsync(ct).ConfigureAwait(false);
            }, options.ReplayCheckTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (System.Data.Common.DbException ex) when (!cancellationToken.IsCancellationRequested)
        {
            problems.Add($"{db.Provider} database unavailable: {ex.GetType().Name}");
        }
        foreach (var outage in outages.All)
        {
            if (outage.Since is { } since) problems.Add($"{outage.Use} failing since {since:O} ({outage.Failures} failed): {outage.Consequence}");
        }
        if (problems.Count == 0) return HealthCheckResult.Healthy($"{db.Provider} schema version {db.SchemaVersion}");
        var description = string.Join("; ", problems);
        return options.ReplayFailsClosed ? HealthCheckResult.Unhealthy(description) : HealthCheckResult.Degraded(description);
    }
}
