using CarTCds.Fhir.Model;
using CarTCds.Hooks.Catalog;
using CarTCds.Hooks.Contract;
using CarTCds.Hooks.Evaluation;
using CarTCds.Rules;

namespace CarTCds.Hooks.Prefetch;

/// <summary>The four states of a prefetch key (CDS Hooks 2.0 §"Prefetch"), which mean different things.</summary>
public enum PrefetchState
{
    /// <summary>The key is not in the request: the client did not fetch it, so the service fetches it.</summary>
    Absent,
    /// <summary>The key is JSON null: the client looked and no data exists. Never fetched.</summary>
    Null,
    /// <summary>The key holds an OperationOutcome: the client's fetch failed, so the service fetches it.</summary>
    OperationOutcome,
    /// <summary>The key holds the resource or searchset Bundle.</summary>
    Resource,
}

/// <summary>How one key was resolved.</summary>
/// <param name="Key">The prefetch key.</param>
/// <param name="State">Its state in the request.</param>
/// <param name="FetchedFromServer">True when the data came from <c>fhirServer</c>.</param>
/// <param name="Note">What a reader of the card should know (e.g. "paged: first page only"), or null.</param>
/// <param name="Unavailable">Why an optional key could not be obtained (the answer goes on without
/// it and every card says so); null when the data was obtained.</param>
public sealed record PrefetchResolution(string Key, PrefetchState State, bool FetchedFromServer, string? Note, string? Unavailable = null);

/// <summary>The patient's data for one hook call, whatever its origin.</summary>
public sealed class PatientRecord
{
    public required string PatientId { get; init; }
    public Patient? Patient { get; init; }

    /// <summary>Every resource from every key that is this patient's (<see cref="PatientScope"/>),
    /// deduplicated by type and id.</summary>
    public required IReadOnlyList<Resource> Resources { get; init; }

    /// <summary>Records left out because their subject does not show they are this patient's
    /// (<see cref="PatientLink.Unlinked"/>), with the reason; the cards name them, and a CAR-T
    /// infusion record among them keeps cart-toxicity from silence.</summary>
    public IReadOnlyList<LeftOutRecord> LeftOut { get; init; } = [];
    public required IReadOnlyList<PrefetchResolution> Resolutions { get; init; }
}

/// <summary>A record left out of a hook call because its subject does not show that it is this
/// patient's (<see cref="PatientLink.Unlinked"/>): the resource, so that what it is can still be told
/// (a CAR-T infusion record left out keeps the chart a CAR-T chart), and why it was left out.</summary>
public sealed record LeftOutRecord(Resource Resource, string Reason)
{
    /// <summary>Its FHIR reference (<c>Type/id</c>, or <c>Type/(no id)</c>), as cards and the audit name records.</summary>
    public string Source => Resource.TypedId ?? $"{Resource.ResourceType}/(no id)";

    /// <summary>As an excluded record of the facts (<see cref="CarTCds.Rules.Facts.ClinicalFacts.Excluded"/>).</summary>
    public ExcludedRecord Excluded => new(Source, Reason);
}

/// <summary>Turns a request's prefetch (and, for what it lacks, the FHIR server) into a
/// <see cref="PatientRecord"/>; or a 400 (bad prefetch) / 412 (data needed and not obtainable).</summary>
public sealed class PrefetchResolver(IFhirQueryClient fhir)
{
    /// <summary>Most <c>next</c> pages followed per key (a guard against link loops).</summary>
    public int MaxPages { get; init; } = 20;

    /// <param name="service">The service called.</param>
    /// <param name="request">The hook request.</param>
    /// <param name="context">Its context.</param>
    /// <param name="patientId">context.patientId.</param>
    /// <param name="cancellationToken">The fetch budget.</param>
    /// <param name="recentFrom">When given, a key with <see cref="PrefetchKey.ServerQueries"/> that the
    /// service reads itself is read by those queries: the whole-history ones with the other keys, then
    /// the recent ones from the time this function returns for everything read so far (the rules'
    /// look-back from the infusions on record, <see cref="CarTCds.Rules.LookBack"/>). When null, the
    /// key's <see cref="PrefetchKey.Template"/> is read, unbounded.</param>
    public async Task<(PatientRecord? Record, HookError? Error)> ResolveAsync(
        CdsServiceDefinition service, CdsHookRequest request, HookContext context, string patientId, CancellationToken cancellationToken,
        Func<IReadOnlyList<Resource>, DateTimeOffset>? recentFrom = null)
    {
        FhirServerAccess? server = null;
        if (request.FhirServer is { } fs)
        {
            server = new FhirServerAccess(new Uri(fs.TrimEnd('/') + "/", UriKind.Absolute), request.FhirAuthorization?.AccessToken);
        }
        var scope = new Scope(patientId, server?.BaseUrl);

        var prefetch = request.Prefetch ?? [];
        var tasks = new List<Task<KeyResult>>(service.Prefetch.Count);
        foreach (var key in service.Prefetch)
        {
            tasks.Add(ResolveKeyAsync(key, prefetch, context, scope, server, recentFrom is not null, cancellationToken));
        }
        var results = await Task.WhenAll(tasks).ConfigureAwait(false);
        if (recentFrom is not null && server is not null && results.Any(r => r.PendingRecent is not null))
        {
            // Recent records only from the rules' look-back on, which needs the infusions: read after the rest.
            var from = recentFrom([.. results.SelectMany(r => r.Resources)]);
            for (var i = 0; i < results.Length; i++)
            {
                if (results[i].PendingRecent is { } pending) results[i] = await FetchRecentAsync(results[i], pending, from, context, scope, server, cancellationToken).ConfigureAwait(false);
            }
        }

        var bad = results.Where(r => r.BadRequest is not null).Select(r => r.BadRequest!).ToList();
        if (bad.Count > 0) return (null, new HookError(400, Merge(bad)));

        var unavailable = results.Where(r => r.Unavailable is not null && r.Key.Required).ToList();
        if (unavailable.Count > 0)
        {
            var outcome = new OperationOutcome
            {
                Issue = unavailable.Select(r => new OperationOutcomeIssue
                {
                    Severity = "error",
                    Code = "incomplete",
                    Diagnostics = $"Prefetch '{r.Key.Key}' ({r.Key.Template}) is needed but could not be obtained: {r.Unavailable}.",
                    Expression = [$"prefetch.{r.Key.Key}"],
                }).ToList(),
            };
            return (null, new HookError(412, outcome));
        }

        // Sized once: at 10,000 Observations the regrowth of this list was most of what this step allocated.
        var total = results.Sum(r => r.Resources.Count);
        var resources = new List<Resource>(total);
        var seen = RentSeenSet(total);
        Patient? patient = null;
        try
        {
            foreach (var r in results)
            {
                foreach (var res in r.Resources)
                {
                    // The same resource twice (two keys, or overlapping pages) is kept once; a resource
                    // without an id cannot be matched and is kept.
                    if (res.Id is not null && !seen.Add(res)) continue;
                    if (res is Patient p) patient ??= p;
                    resources.Add(res);
                }
            }
        }
        finally
        {
            ReturnSeenSet(seen);
        }

        return (new PatientRecord
        {
            PatientId = patientId,
            Patient = patient,
            Resources = resources,
            LeftOut = results.SelectMany(r => r.LeftOut).DistinctBy(l => (l.Source, l.Reason)).ToList(),
            // An optional key that could not be read: the answer goes on without it, and says so.
            Resolutions = results.Select(r => r.Resolution with { Unavailable = r.Unavailable }).ToList(),
        }, null);
    }

    /// <summary>Largest deduplication set (capacity, in resources) kept for the thread's next call
    /// (about 20 bytes each, so ~330 KB per thread at most); a larger record gets a set of its own.</summary>
    private const int ReusedSeenSetLimit = 16_384;

    // One set per thread, emptied after each call: at 10,000 resources a new set is a large-object-heap
    // allocation (> 85,000 bytes) per call, and those brought a full (gen 2) collection every few dozen
    // calls (EngineBenchmarks at 10,000 Observations). The loop that uses it does not await.
    [ThreadStatic] private static HashSet<Resource>? t_seen;

    private static HashSet<Resource> RentSeenSet(int capacity)
    {
        var seen = t_seen ?? new HashSet<Resource>(SameTypeAndId.Instance);
        t_seen = null;
        seen.EnsureCapacity(capacity);
        return seen;
    }

    private static void ReturnSeenSet(HashSet<Resource> seen)
    {
        // Emptied whatever happens: the set must not keep one patient's resources alive after the call.
        // Judged by capacity, not count: a call of many id-less or duplicate resources grows the set too.
        var kept = seen.EnsureCapacity(0) <= ReusedSeenSetLimit;
        seen.Clear();
        if (kept) t_seen = seen;
    }

    /// <summary>Same resource = same type and id (what <see cref="Resource.TypedId"/> says), compared
    /// without building that string. The id's hash is the randomised one (ids come from outside).</summary>
    private sealed class SameTypeAndId : IEqualityComparer<Resource>
    {
        public static readonly SameTypeAndId Instance = new();

        public bool Equals(Resource? x, Resource? y) =>
            ReferenceEquals(x, y) || (x is not null && y is not null
                && string.Equals(x.Id, y.Id, StringComparison.Ordinal)
                && string.Equals(x.ResourceType, y.ResourceType, StringComparison.Ordinal));

        public int GetHashCode(Resource r) => r.Id is { } id ? StringComparer.Ordinal.GetHashCode(id) : 0;
    }

    // PendingRecent: the key's recent-record queries still to be read (see ResolveAsync), or null.
    private sealed record KeyResult(PrefetchKey Key, PrefetchResolution Resolution, IReadOnlyList<Resource> Resources, string? Unavailable, OperationOutcomeIssue? BadRequest,
        IReadOnlyList<string>? PendingRecent = null)
    {
        public IReadOnlyList<LeftOutRecord> LeftOut { get; init; } = [];
    }

    /// <summary>Whose data counts in this call: context.patientId, and the request's fhirServer base
    /// (null without one) against which absolute references are checked.</summary>
    private sealed record Scope(string PatientId, Uri? FhirServer);

    /// <summary>What one Bundle or resource gave: this patient's resources, the records left out
    /// (not shown to be this patient's), the next page, or a problem that refuses the call.</summary>
    private sealed record Unpacked(List<Resource> Resources, List<LeftOutRecord> LeftOut, string? Next, OperationOutcomeIssue? Problem);

    private async Task<KeyResult> ResolveKeyAsync(PrefetchKey key, Dictionary<string, Resource?> prefetch, HookContext context,
        Scope scope, FhirServerAccess? server, bool bounded, CancellationToken ct)
    {
        if (!prefetch.TryGetValue(key.Key, out var value))
        {
            return await FetchAsync(key, PrefetchState.Absent, "absent from the prefetch", context, scope, server, bounded, ct).ConfigureAwait(false);
        }
        if (value is null)
        {
            return new KeyResult(key, new PrefetchResolution(key.Key, PrefetchState.Null, false, "the EHR reported no data (prefetch null)"), [], null, null);
        }
        if (value is OperationOutcome oo)
        {
            return await FetchAsync(key, PrefetchState.OperationOutcome, $"the EHR's prefetch failed ({oo.Summary})", context, scope, server, bounded, ct).ConfigureAwait(false);
        }

        var (resources, leftOut, next, problem) = Unpack(key, value, scope);
        if (problem is not null) return Bad(key, problem);

        string? note = null;
        if (next is not null)
        {
            if (server is null)
            {
                note = "the prefetch is paged and no fhirServer was given: only its first page was used";
            }
            else
            {
                var (more, moreLeftOut, pageNote, pageProblem) = await FollowPagesAsync(key, next, scope, server, ct).ConfigureAwait(false);
                if (pageProblem is not null) return Bad(key, pageProblem);
                resources = [.. resources, .. more];
                leftOut = [.. leftOut, .. moreLeftOut];
                note = pageNote;
            }
        }
        return new KeyResult(key, new PrefetchResolution(key.Key, PrefetchState.Resource, false, note), resources, null, null) { LeftOut = leftOut };
    }

    private async Task<KeyResult> FetchAsync(PrefetchKey key, PrefetchState state, string why, HookContext context, Scope scope,
        FhirServerAccess? server, bool bounded, CancellationToken ct)
    {
        if (server is null)
        {
            return new KeyResult(key, new PrefetchResolution(key.Key, state, false, null), [], $"{why}, and the request has no fhirServer to read it from", null);
        }
        var split = bounded && key.ServerQueries is { Count: > 0 };
        IReadOnlyList<string> templates = split ? [.. key.ServerQueries!.Where(q => !q.Recent).Select(q => q.Template)] : [key.Template];
        var (resources, leftOut, note, failure) = await ReadAsync(key, templates, "", why, context, scope, server, ct).ConfigureAwait(false);
        var resolution = new PrefetchResolution(key.Key, state, true, note);
        if (failure is not null) return new KeyResult(key, resolution, [], failure, null);
        return new KeyResult(key, resolution, resources, null, null, split ? [.. key.ServerQueries!.Where(q => q.Recent).Select(q => q.Template)] : null) { LeftOut = leftOut };
    }

    private async Task<KeyResult> FetchRecentAsync(KeyResult partial, IReadOnlyList<string> templates, DateTimeOffset from, HookContext context, Scope scope,
        FhirServerAccess server, CancellationToken ct)
    {
        var since = from.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        var why = partial.Resolution.State == PrefetchState.Absent ? "absent from the prefetch" : "the EHR's prefetch failed";
        var (resources, leftOut, note, failure) = await ReadAsync(partial.Key, templates, $"&date=ge{since}", why, context, scope, server, ct).ConfigureAwait(false);
        if (failure is not null) return partial with { Resources = [], Unavailable = failure, PendingRecent = null, LeftOut = [] };
        var bound = $"recent records (vitals, neurological scores, labs) from {since} on, the rules' look-back; their history whole";
        var notes = string.Join("; ", new[] { bound, partial.Resolution.Note, note }.Where(n => n is not null));
        return partial with
        {
            Resources = [.. partial.Resources, .. resources],
            Resolution = partial.Resolution with { Note = notes },
            PendingRecent = null,
            LeftOut = [.. partial.LeftOut, .. leftOut],
        };
    }

    /// <summary>Reads each template (tokens filled in, <paramref name="suffix"/> appended) and its
    /// next pages; the resources, the records left out, a note on paging, or why it failed.</summary>
    private async Task<(List<Resource> Resources, List<LeftOutRecord> LeftOut, string? Note, string? Failure)> ReadAsync(PrefetchKey key, IReadOnlyList<string> templates,
        string suffix, string why, HookContext context, Scope scope, FhirServerAccess server, CancellationToken ct)
    {
        var all = new List<Resource>();
        var allLeftOut = new List<LeftOutRecord>();
        string? note = null;
        foreach (var template in templates)
        {
            var query = PrefetchTemplate.Render(template, context);
            if (query is null) return ([], [], null, $"{why}, and its template cannot be filled from this context");

            var result = await fhir.GetAsync(server, query + suffix, ct).ConfigureAwait(false);
            if (result.Resource is null) return ([], [], null, $"{why}, and reading it from the FHIR server failed: {result.Failure}");

            var (resources, leftOut, next, problem) = Unpack(key, result.Resource, scope);
            if (problem is not null) return ([], [], null, $"{why}, and the FHIR server answered with unusable data: {problem.Diagnostics}");
            all.AddRange(resources);
            allLeftOut.AddRange(leftOut);
            if (next is not null)
            {
                var (more, moreLeftOut, pageNote, pageProblem) = await FollowPagesAsync(key, next, scope, server, ct).ConfigureAwait(false);
                if (pageProblem is not null) return ([], [], null, $"{why}, and a later page was unusable: {pageProblem.Diagnostics}");
                all.AddRange(more);
                allLeftOut.AddRange(moreLeftOut);
                note ??= pageNote;
            }
        }
        return (all, allLeftOut, note, null);
    }

    private async Task<(List<Resource> Resources, List<LeftOutRecord> LeftOut, string? Note, OperationOutcomeIssue? Problem)> FollowPagesAsync(
        PrefetchKey key, string next, Scope scope, FhirServerAccess server, CancellationToken ct)
    {
        var all = new List<Resource>();
        var allLeftOut = new List<LeftOutRecord>();
        var visited = new HashSet<string>(StringComparer.Ordinal);
        string? url = next;
        var pages = 0;
        while (url is not null)
        {
            if (!visited.Add(url)) return (all, allLeftOut, "the server's next links loop; stopped at the repeat", null);
            if (++pages > MaxPages) return (all, allLeftOut, $"more than {MaxPages} pages; the rest was not read", null);
            var page = await fhir.GetAsync(server, url, ct).ConfigureAwait(false);
            if (page.Resource is null) return (all, allLeftOut, $"a later page could not be read ({page.Failure}); earlier pages were used", null);
            var (resources, leftOut, nextUrl, problem) = Unpack(key, page.Resource, scope);
            if (problem is not null) return (all, allLeftOut, null, problem);
            all.AddRange(resources);
            allLeftOut.AddRange(leftOut);
            url = nextUrl;
        }
        return (all, allLeftOut, null, null);
    }

    private static Unpacked Unpack(PrefetchKey key, Resource value, Scope scope)
    {
        var patientId = scope.PatientId;
        var where = $"prefetch.{key.Key}";
        if (!key.IsSearch)
        {
            if (!string.Equals(value.ResourceType, key.ResourceType, StringComparison.Ordinal))
            {
                return new([], [], null, Issue($"Prefetch '{key.Key}' must be a {key.ResourceType} but is a {value.ResourceType}.", where));
            }
            if (value is Patient p && p.Id is not null && !string.Equals(p.Id, patientId, StringComparison.Ordinal))
            {
                return new([], [], null, Issue($"Prefetch '{key.Key}' is Patient/{p.Id} but context.patientId is {patientId}: refusing to mix patients.", where));
            }
            return new([value], [], null, null);
        }

        if (value is not Bundle bundle)
        {
            return new([], [], null, Issue($"Prefetch '{key.Key}' must be a searchset Bundle of {key.ResourceType} but is a {value.ResourceType}.", where));
        }
        if (bundle.Type is not ("searchset" or "collection"))
        {
            return new([], [], null, Issue($"Prefetch '{key.Key}' must be a Bundle of type searchset (or collection), not '{bundle.Type ?? "(none)"}'.", $"{where}.type"));
        }

        var list = new List<Resource>(bundle.Entry?.Count ?? 0);
        var leftOut = new List<LeftOutRecord>();
        var i = 0;
        foreach (var entry in bundle.Entry ?? [])
        {
            var r = entry.Resource;
            if (r is not null && entry.Search?.Mode != "outcome" && r is not OperationOutcome)
            {
                switch (PatientScope.Link(r, patientId, scope.FhirServer))
                {
                    case PatientLink.ThisPatient:
                        list.Add(r);
                        break;
                    case PatientLink.OtherPatient:
                        return new([], [], null, Issue($"Prefetch '{key.Key}' entry {r.TypedId ?? r.ResourceType} belongs to another patient ({PatientScope.SubjectOf(r)?.ReferenceValue}), not Patient/{patientId}: refusing to mix patients.", $"{where}.entry[{i}]"));
                    default:
                        leftOut.Add(new LeftOutRecord(r, PatientScope.Why(r, PatientLink.Unlinked, patientId)));
                        break;
                }
            }
            i++;
        }
        return new(list, leftOut, bundle.LinkUrl("next"), null);
    }

    private static KeyResult Bad(PrefetchKey key, OperationOutcomeIssue issue) =>
        new(key, new PrefetchResolution(key.Key, PrefetchState.Resource, false, null), [], null, issue);

    private static OperationOutcomeIssue Issue(string diagnostics, string expression) =>
        new() { Severity = "error", Code = "invalid", Diagnostics = diagnostics, Expression = [expression] };

    private static OperationOutcome Merge(IEnumerable<OperationOutcomeIssue> issues) => new() { Issue = issues.ToList() };
}
