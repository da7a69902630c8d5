using System.Diagnostics.Metrics;

namespace CarTCds.Service.Telemetry;

/// <summary>What a database outage costs, as metrics of meter <c>CarTCds</c> (<see cref="HookMetrics.MeterName"/>):
/// <list type="bullet">
/// <item><c>cartcds.storage.unavailable</c> {operation}, by <c>operation</c> (<c>replay-check</c>,
/// <c>feedback</c>, <c>hook-write</c>): database operations that failed or timed out.</item>
/// <item><c>cartcds.replay.fallback</c> {token}: CDS Hooks tokens accepted after a replay check in
/// this replica's memory only, because the database did not answer (<c>fail-open-to-memory</c>).</item>
/// <item><c>cartcds.storage.hook_writes.lost</c> {write}, by <c>kind</c> (<c>audit</c>, <c>card</c>):
/// audit records and card registrations never committed (failed, or dropped with the queue full).</item>
/// <item><c>cartcds.storage.hook_writes.late</c> {call}: hook answers sent before their writes were
/// committed (<c>CarTCds:Storage:HookWriteWait</c> passed).</item>
/// </list></summary>
public sealed class StorageMetrics
{
    private readonly Counter<long> _unavailable;
    private readonly Counter<long> _fallback;
    private readonly Counter<long> _lost;
    private readonly Counter<long> _late;

    public StorageMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(HookMetrics.MeterName);
        _unavailable = meter.CreateCounter<long>("cartcds.storage.unavailable", "{operation}", "Database operations that failed or timed out, by operation.");
        _fallback = meter.CreateCounter<long>("cartcds.replay.fallback", "{token}", "Tokens accepted after a replay check in this replica's memory only, because the database did not answer.");
        _lost = meter.CreateCounter<long>("cartcds.storage.hook_writes.lost", "{write}", "Audit records and card registrations never committed, by kind.");
        _late = meter.CreateCounter<long>("cartcds.storage.hook_writes.late", "{call}", "Hook answers sent before their audit and card writes were committed.");
    }

    /// <param name="operation"><c>replay-check</c>, <c>feedback</c> or <c>hook-write</c>.</param>
    public void Unavailable(string operation) => _unavailable.Add(1, new KeyValuePair<string, object?>("operation", operation));

    public void ReplayFallback() => _fallback.Add(1);

    /// <param name="kind"><c>audit</c> or <c>card</c>.</param>
    public void HookWriteLost(string kind) => _lost.Add(1, new KeyValuePair<string, object?>("kind", kind));

    public void HookWritesLate() => _late.Add(1);
}
