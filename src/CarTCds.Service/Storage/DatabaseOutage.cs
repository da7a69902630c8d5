namespace CarTCds.Service.Storage;

/// <summary>Whether one use of the database (replay checks, hook writes) is failing now: warns once
/// when it starts failing (with the first error), says once when it answers again and how many
/// operations failed meanwhile, and tells readiness (<see cref="StorageHealthCheck"/>). Every
/// failure is also counted as a metric by its caller; the log gets two lines per outage, not one
/// per request.</summary>
internal sealed class DatabaseOutage(string use, string consequence, TimeProvider time, ILogger logger)
{
    private readonly Lock _lock = new();
    private long _failures;
    private DateTimeOffset? _since;

    /// <summary>What this tracks, e.g. "jti replay checks".</summary>
    public string Use => use;

    /// <summary>What the service does while it lasts, for readiness and the warning.</summary>
    public string Consequence => consequence;

    /// <summary>When the current outage began (its first failure); null when the last operation succeeded.</summary>
    public DateTimeOffset? Since
    {
        get
        {
            lock (_lock) return _since;
        }
    }

    /// <summary>Operations failed since the outage began.</summary>
    public long Failures => Interlocked.Read(ref _failures);

    public void Failed(Exception error)
    {
        bool first;
        lock (_lock)
        {
            first = _since is null;
            _since ??= time.GetUtcNow();
            _failures++;
        }
        if (first)
        {
            logger.LogWarning(error, "The database did not answer for {Use}: {Consequence}. Said once per outage; until it answers, see /health/ready and the cartcds.storage.* metrics",
                use, consequence);
        }
    }

    public void Succeeded()
    {
        DateTimeOffset since;
        long failures;
        lock (_lock)
        {
            if (_since is not { } s) return;
            since = s;
            failures = _failures;
            _since = null;
            _failures = 0;
        }
        logger.LogInformation("The database answers {Use} again, after {Duration:0.#} s; {Failures} operations failed meanwhile",
            use, (time.GetUtcNow() - since).TotalSeconds, failures);
    }
}

/// <summary>The outages readiness reports: the <c>jti</c> replay checks and the hook writes (audit
/// records, card registrations). Feedback failures are answered 503 and logged per request.</summary>
internal sealed class StorageOutages(TimeProvider time, ILoggerFactory loggers, StorageOptions options)
{
    public DatabaseOutage ReplayChecks { get; } = new("jti replay checks",
        options.ReplayFailsClosed
            ? "hook calls are answered 503 (CarTCds:Storage:ReplayStoreUnavailable=fail-closed)"
            : "tokens are checked in this replica's memory (a replay to this replica is refused, a replay to another replica is not seen)",
        time, loggers.CreateLogger("CarTCds.Service.Storage.ReplayChecks"));

    public DatabaseOutage HookWrites { get; } = new("audit records and card registrations",
        "hook answers go out without waiting for them, and records not committed are lost (counted in cartcds.storage.hook_writes.lost)",
        time, loggers.CreateLogger("CarTCds.Service.Storage.HookWrites"));

    public IEnumerable<DatabaseOutage> All => [ReplayChecks, HookWrites];
}
