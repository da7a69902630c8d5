using CarTCds.Hooks.Contract;
using CarTCds.Hooks.Evaluation;
using CarTCds.Service.Feedback;
using CarTCds.Service.Storage;
using CarTCds.Service.Telemetry;

namespace CarTCds.Service.Audit;

/// <summary>Wiring of the audit trail and the card registry into the hook endpoint.</summary>
public static class HookAuditing
{
    /// <summary>Audits every call of this route (<c>POST /cds-services/{id}</c>), whatever it answers,
    /// and remembers the cards of each 200 before they are sent. Needs <c>AddCarTCdsStorage()</c>.</summary>
    public static RouteHandlerBuilder WithHookAudit(this RouteHandlerBuilder route) => route.AddEndpointFilter<HookAuditFilter>();

    /// <summary>Tells the audit what the call is about, once the body has been read: hook,
    /// hookInstance and the patient (hashed when recorded).</summary>
    /// <remarks>Keeps only those three strings: the parsed request (its prefetch can hold thousands of
    /// resources) must not outlive the handler while the call waits for the audit commit, or every
    /// concurrent call's request survives into the older GC generations (tests/load).</remarks>
    public static void ObserveHookRequest(this HttpContext http, CdsHookRequest request) =>
        http.Features.Set(new HookRequestFeature(request.Hook, request.HookInstance, request.Context?.PatientId));

    /// <summary>Tells the audit how many records the evaluation left out (profile failures).</summary>
    public static void ObserveExcludedRecords(this HttpContext http, int count) => http.Features.Set(new ExcludedRecordsFeature(count));

    /// <summary>Tells the audit why the evaluation answered no cards (<see cref="HookResult.SilenceReason"/>).</summary>
    public static void ObserveSilence(this HttpContext http, string? reason)
    {
        if (reason is not null) http.Features.Set(new SilenceFeature(reason));
    }
}

/// <summary>The number of records the current call's evaluation left out, for the audit.</summary>
public sealed record ExcludedRecordsFeature(int Count);

/// <summary>Why the current call answered no cards, for the audit (never the clinician).</summary>
public sealed record SilenceFeature(string Reason);

/// <summary>What the audit records of the current call's request: hook, hookInstance, patient id (hashed when stored).</summary>
public sealed record HookRequestFeature(string? Hook, string? HookInstance, string? PatientId);

/// <summary>Around the hook handler: measures it, then, before the answer is written, remembers its
/// cards (<see cref="ICardRegistry"/>) and writes one audit record (<see cref="IAuditLog"/>),
/// and logs one line without patient data.</summary>
/// <remarks>Fail-open: when the database cannot be written, the clinician still gets the cards. The
/// answer waits for the writes at most <see cref="StorageOptions.HookWriteWait"/> (a frozen database
/// must not hold it past the request's deadline); writes still pending go on in the background. A
/// write that fails is lost: counted (<c>cartcds.storage.hook_writes.lost</c>), the outage warned
/// once (<see cref="StorageOutages.HookWrites"/>), each call's loss logged at Debug with its
/// hookInstance (an outage under load would otherwise log a line per call). The writes ignore the
/// request's cancellation: a call the client gave up on still happened.</remarks>
internal sealed partial class HookAuditFilter(DbAuditLog audit, DbCardRegistry registry, GroupCommit group, CdsServiceEvaluator evaluator, TimeProvider time,
    HookMetrics metrics, StorageMetrics storageMetrics, StorageOutages outages, StorageOptions storage, ILogger<HookAuditFilter> logger) : IEndpointFilter, IHookWriteOutcome
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var occurredAt = time.GetUtcNow();
        var started = time.GetTimestamp();
        // One span per hook call; the engine's and the writes' spans are its children. An unknown
        // id in the URL is the caller's text: "unknown", as in the metrics.
        using var span = Telemetry.ServiceTracing.Source.StartActivity("cds.hook");
        span?.SetTag("cds.service", evaluator.Catalog.Find(http.GetRouteValue("id") as string ?? "") is { } known ? known.Id : "unknown");
        object? result;
        try
        {
            result = await next(context).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // 499: the client went away (nginx's code); otherwise the exception handler answers 500.
            var failed = http.RequestAborted.IsCancellationRequested ? 499 : StatusCodes.Status500InternalServerError;
            span?.SetTag("http.response.status_code", failed).SetStatus(System.Diagnostics.ActivityStatusCode.Error);
            await RecordAsync(http, occurredAt, started, failed, []).ConfigureAwait(false);
            throw;
        }

        var status = result is IStatusCodeHttpResult { StatusCode: { } code } ? code : StatusCodes.Status200OK;
        var cards = result is IValueHttpResult { Value: CdsResponse response } ? response.Cards : [];
        span?.SetTag("http.response.status_code", status).SetTag("cds.cards", cards.Count);
        await RecordAsync(http, occurredAt, started, status, cards).ConfigureAwait(false);
        return result;
    }

    private async Task RecordAsync(HttpContext http, DateTimeOffset occurredAt, long started, int status, IReadOnlyList<Card> cards)
    {
        var latencyMs = time.GetElapsedTime(started).TotalMilliseconds;
        var serviceId = http.GetRouteValue("id") as string ?? "";
        // An unknown id in the URL is the caller's text: never a metric dimension.
        metrics.RecordHookCall(evaluator.Catalog.Find(serviceId) is null ? "unknown" : serviceId, status, latencyMs, cards);
        var request = http.Features.Get<HookRequestFeature>();
        var ruleSet = evaluator.Rules.Label;
        var user = http.User;
        var issuer = user.Identity?.IsAuthenticated == true ? user.FindFirst("iss")?.Value : null;
        var tenant = user.Identity?.IsAuthenticated == true ? user.FindFirst("tenant")?.Value : null;
        var record = new HookAuditRecord
        {
            OccurredAt = occurredAt,
            Issuer = issuer,
            Tenant = tenant,
            ServiceId = serviceId,
            Hook = request?.Hook,
            HookInstance = request?.HookInstance,
            PatientId = request?.PatientId,
            Cards = cards,
            RuleSet = ruleSet,
            LatencyMs = latencyMs,
            StatusCode = status,
            ExcludedRecords = http.Features.Get<ExcludedRecordsFeature>()?.Count ?? 0,
            Note = http.Features.Get<SilenceFeature>()?.Reason,
        };

        // Every caller value capped (CallerText): a 9 MB hookInstance must not make a 19 MB log line.
        if (logger.IsEnabled(LogLevel.Information))
        {
            LogHookCall(logger, CallerText.Cap(serviceId), CallerText.Cap(record.Hook), CallerText.Cap(record.HookInstance), status, latencyMs, cards.Count,
                Storage.FindingsJson.Brief(cards), ruleSet, CallerText.Cap(issuer), CallerText.Cap(tenant));
        }

        // The call's card registration and audit record are one group-commit write (one commit with
        // other calls' writes, one completion); the answer waits for it up to HookWriteWait.
        using var writing = Telemetry.ServiceTracing.Source.StartActivity("storage.hook_write");
        var registers = status == StatusCodes.Status200OK && cards.Count > 0;
        var written = group.WriteAsync(new HookCallWrite(audit, record, registers ? registry : null, serviceId, ruleSet, cards, registers ? registry.Now : default, this));
        if (written.IsCompleted) return;
        try
        {
            await written.WaitAsync(storage.HookWriteWait).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            writing?.SetTag("cartcds.write.late", true);
            storageMetrics.HookWritesLate();
        }
        catch (Exception)
        {
            // Counted and logged by Lost, on the writer loop.
        }
    }

    // Source-generated (no argument array, no boxing at the call, the message formatted without a
    // format parser); the same template, so the same line and the same structured properties.
    [LoggerMessage(Level = LogLevel.Information, Message = "Hook call {ServiceId} {Hook} {HookInstance}: {StatusCode} in {LatencyMs:0.0} ms, {CardCount} cards [{Findings}], rule set {RuleSet}, issuer {Issuer}, tenant {Tenant}")]
    private static partial void LogHookCall(ILogger logger, string serviceId, string hook, string hookInstance, int statusCode, double latencyMs, int cardCount,
        string findings, string ruleSet, string issuer, string tenant);

    public void Committed(HookCallWrite write) => outages.HookWrites.Succeeded();

    /// <summary>A lost write is counted per kind (<c>cartcds.storage.hook_writes.lost</c>), the outage warned
    /// once, and the call named at Debug only (an outage under load would otherwise log a line per call).</summary>
    public void Lost(HookCallWrite write, Exception error)
    {
        var instance = CallerText.Cap(write.Record?.HookInstance);
        if (write.RegistersCards)
        {
            WriteFailed("card", error);
            logger.LogDebug("Cards of hook call {ServiceId} {HookInstance} could not be registered ({Error}); feedback on them will be stored as about unknown cards",
                CallerText.Cap(write.ServiceId), instance, error.GetType().Name);
        }
        if (write.Record is { } record)
        {
            WriteFailed("audit", error);
            logger.LogDebug("Audit record of hook call {ServiceId} {HookInstance} ({StatusCode}) could not be written ({Error}): the audit trail misses it",
                CallerText.Cap(write.ServiceId), instance, record.StatusCode, error.GetType().Name);
        }
    }

    private void WriteFailed(string kind, Exception ex)
    {
        storageMetrics.HookWriteLost(kind);
        storageMetrics.Unavailable("hook-write");
        outages.HookWrites.Failed(ex);
    }
}
