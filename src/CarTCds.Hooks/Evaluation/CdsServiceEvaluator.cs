using CarTCds.Fhir.Model;
using CarTCds.Fhir.Validation;
using CarTCds.Hooks.Cards;
using CarTCds.Hooks.Catalog;
using CarTCds.Hooks.Contract;
using CarTCds.Hooks.Facts;
using CarTCds.Hooks.Prefetch;
using CarTCds.Rules;
using CarTCds.Rules.Crs;
using CarTCds.Rules.Crs.OlderScales;
using CarTCds.Rules.Eligibility;
using CarTCds.Rules.Facts;
using CarTCds.Rules.Icans;
using CarTCds.Rules.IecHs;
using CarTCds.Rules.Management;
using CarTCds.Rules.Monitoring;
using CarTCds.Rules.Orders;

namespace CarTCds.Hooks.Evaluation;

/// <summary>The answer to one hook call: a response, or an error with its status.</summary>
public sealed record HookResult(CdsResponse? Response, HookError? Error)
{
    /// <summary>How many of the patient's records were left out (they broke their profile or could
    /// not be used); the audit counts them. 0 for an error.</summary>
    public int ExcludedRecords { get; init; }

    /// <summary>Why a service that normally always answers gave no cards (e.g. no CAR-T infusion
    /// on record), for the audit record; never shown to the clinician. Null when cards were
    /// answered, or when no cards is the ordinary answer (an order hook without a relevant order).</summary>
    public string? SilenceReason { get; init; }

    public static HookResult Ok(CdsResponse response) => new(response, null);

    public static HookResult Fail(HookError error) => new(null, error);
}

/// <summary><c>evaluate(service, request) → response</c>: the one pipeline that the HTTP endpoint
/// and the CLI both call (request checks → prefetch → facts → rules → cards → response check).</summary>
/// <param name="catalog">The services offered.</param>
/// <param name="prefetch">Resolves prefetch and fetches what it lacks.</param>
/// <param name="rules">The rule set (validated at start-up).</param>
/// <param name="time">The evaluation time source: the request's time, or a fixed time in tests
/// and the sandbox (<c>CarTCds:Now</c>, <c>--now</c>).</param>
public sealed class CdsServiceEvaluator(CdsServiceCatalog catalog, PrefetchResolver prefetch, RuleSet rules, TimeProvider time)
{
    public CdsServiceCatalog Catalog => catalog;

    public RuleSet Rules => rules;

    /// <summary>How long the reads of the EHR's FHIR server may take in one hook call; past it,
    /// required data missing → 412, optional data missing → cards that say so. Default 2 s
    /// (issue "FHIR server access"; CDS Hooks: "respond quickly, on the order of 500 ms").</summary>
    public TimeSpan FetchBudget { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>The clock that times <see cref="FetchBudget"/>; default the evaluation time source.
    /// The host gives it the FHIR client's transport clock, so the budget and the client's own
    /// deadlines run on one clock (real time, or a test's fake one).</summary>
    public TimeProvider? FetchClock { get; init; }

    /// <summary>The FHIR profiles every resource the rules use is checked against (profiles/);
    /// default the embedded ones, <see cref="ProfileValidator.Default"/>.</summary>
    public ProfileValidator Profiles { get; init; } = ProfileValidator.Default;

    /// <summary>Card composition settings (<c>CarTCds:Cards</c>): what becomes of normal findings.
    /// Default <see cref="NormalFindings.Fold"/>.</summary>
    public CardOptions Cards { get; init; } = new();

    public async Task<HookResult> EvaluateAsync(string serviceId, CdsHookRequest request, CancellationToken cancellationToken)
    {
        var service = catalog.Find(serviceId);
        if (service is null)
        {
            return HookResult.Fail(HookError.NotFound($"Unknown CDS service '{serviceId}'. This server offers: {string.Join(", ", catalog.Services.Select(s => s.Id))} (GET /cds-services)."));
        }

        if (CheckRequest(service, request) is { } invalid) return HookResult.Fail(invalid);
        var context = request.Context!;
        var patientId = context.PatientId!;

        // The FHIR reads share the hook's budget: past it, what could not be read is "unavailable".
        using var deadline = new CancellationTokenSource(FetchBudget, FetchClock ?? time);
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        var now = time.GetUtcNow();
        PatientRecord? record;
        HookError? error;
        using (var resolving = HookTracing.Source.StartActivity("prefetch.resolve"))
        {
            (record, error) = await prefetch.ResolveAsync(service, request, context, patientId, budget.Token,
                read => LookBack.EarliestRecentRecord(ClinicalFactsMapper.Map(null, read, profiles: Profiles).Infusions, now, rules)).ConfigureAwait(false);
            resolving?.SetTag("cds.prefetch.unavailable_keys", record?.Resolutions.Count(r => r.Unavailable is not null));
            if (error is not null) resolving?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, $"HTTP {error.StatusCode}");
        }
        if (error is not null) return HookResult.Fail(error);

        using var evaluating = HookTracing.Source.StartActivity("engine.evaluate");
        evaluating?.SetTag("cds.service", service.Id);
        var facts = ClinicalFactsMapper.Map(record!.Patient, record.Resources, context.DraftOrders as Bundle, Profiles, record.LeftOut);
        if (service.Id == CdsServiceCatalog.ToxicityId && NotACarTChart(facts, now) is { } silence)
        {
            return HookResult.Ok(new CdsResponse { Cards = [] }) with { ExcludedRecords = facts.Excluded.Count, SilenceReason = silence };
        }
        var cards = service.Id switch
        {
            CdsServiceCatalog.ToxicityId => ToxicityCards(facts, record, patientId, now),
            CdsServiceCatalog.EligibilityId => EligibilityCards(facts, context, now),
            CdsServiceCatalog.OrderCheckId => OrderCheckCards(facts, (Bundle)context.DraftOrders!, patientId, now),
            _ => [],
        };
        // Most urgent first (critical, warning, info), as an EHR lists them; OrderBy is stable, so
        // cards of one level keep the order they were composed in (CRS, ICANS, IEC-HS, monitoring).
        var response = new CdsResponse { Cards = cards.OrderByDescending(c => CardIndicator.Urgency(c.Indicator)).ToList() };

        if (record.Resolutions.Where(r => r.Unavailable is not null).Select(r => $"{r.Key}: {r.Unavailable}").ToList() is { Count: > 0 } gaps)
        {
            // Never a silent gap: every card says which data it was computed without.
            foreach (var card in response.Cards)
            {
                card.Detail += "\n\n**Computed without** (could not be read): " + string.Join("; ", gaps) + ".";
            }
        }

        if (record.LeftOut.Count > 0)
        {
            // Records not shown to be this patient's (docs/ARCHITECTURE.md "Whose data counts"): the CRS
            // card lists them under "Left out" with every other record left out; the other cards, which
            // have no such list, name them here, so no card rests silently on less than was sent.
            var named = "\n\n**Left out** (not shown to be this patient's): " + string.Join("; ", record.LeftOut.Select(e => $"{e.Source}: {e.Reason}")) + ".";
            foreach (var card in response.Cards.Where(c => c.Extension?.Findings?.Any(f => f.Code == CrsCardComposer.FindingCode) != true))
            {
                card.Detail += named;
            }
        }

        if (facts.PartlyRead.Count > 0)
        {
            // Malformed elements no rule reads were skipped rather than the call refused; say so.
            var unread = string.Join("; ", facts.PartlyRead.Select(p => $"{p.Source}: {p.Reason}"));
            foreach (var card in response.Cards)
            {
                card.Detail += $"\n\n**Could not read** (malformed, skipped; no rule uses them): {unread}.";
            }
        }

        var violations = CdsResponseValidator.Validate(response);
        if (violations.Count > 0)
        {
            // A defect of ours, not of the request: never send an invalid response.
            return HookResult.Fail(new HookError(500, OperationOutcome.Error("exception",
                "The service built a response that fails the CDS Hooks card rules; it was not sent. " + string.Join("; ", violations))));
        }
        return HookResult.Ok(response) with { ExcludedRecords = facts.Excluded.Count };
    }

    /// <summary>Why cart-toxicity stays silent on this chart, or null when it answers. It grades
    /// toxicities of a CAR-T infusion that happened: without one at or before <paramref name="now"/>
    /// (none on record, only a referral or order, or an infusion dated later) every chart in the
    /// hospital would get a "not gradable" card. A chart whose infusion record was left out (not shown
    /// to be this patient's, broken profile, no time) is a CAR-T chart: it gets its cards, led by a
    /// warning that the infusion record could not be used (<see cref="InfusionRecordCardComposer"/>).
    /// docs/CDS-HOOKS.md "When cart-toxicity answers".</summary>
    internal static string? NotACarTChart(ClinicalFacts facts, DateTimeOffset now)
    {
        if (facts.LatestInfusion(now) is not null || facts.InfusionRecordsLeftOut.Count > 0) return null;
        return facts.Infusions.Count > 0
            ? "no cards: the CAR-T infusion on record is dated after the evaluation time (toxicity grading starts at day 0)"
            : "no cards: no CAR-T infusion on record (Procedure cartcds#car-t-infusion or a tisagenlecleucel administration); toxicity grading starts at day 0";
    }

    // patient-view: CRS (with the tocilizumab dose from grade 2), ICANS, the IEC-HS flag, monitoring;
    // each grade card with its management advice (ManagementAdvice).
    private List<Card> ToxicityCards(ClinicalFacts facts, PatientRecord record, string patientId, DateTimeOffset now)
    {
        var crs = CrsGrading.Assess(facts, now, rules);
        var course = CrsCourseAnalysis.Analyse(facts, now, rules);
        var icansAssessment = IcansGrading.Assess(facts, now, rules);
        var iecHs = IecHsScreen.Assess(facts, now, rules, crs, course);
        var plan = ManagementAdvice.Assess(facts, now, rules, crs, course, icansAssessment, iecHs);

        var day = CrsCardComposer.DayAfterInfusion(facts, now);
        var icans = IcansCardComposer.Compose(icansAssessment, day, rules);
        var flag = IecHsCardComposer.Compose(iecHs, rules);
        // A record left out is named on the card whose grade it would have changed (LeftOutRecords).
        var answered = new HashSet<string>(StringComparer.Ordinal) { CrsCardComposer.Topic };
        if (icans is not null) answered.Add(IcansCardComposer.Topic);
        if (flag is not null) answered.Add(IecHsCardComposer.Topic);
        var crsLeftOut = LeftOutRecords.For(CrsCardComposer.Topic, facts.Excluded, answered);

        var crsCard = CrsCardComposer.Compose(crs, course, facts, record, rules, crsLeftOut);
        if (plan.Crs.FirstOrDefault(a => a.Code == ManagementCodes.Tocilizumab) is { } tocilizumab)
        {
            TocilizumabAdvice.AddTo(crsCard, TocilizumabDosing.Compute(facts, now, rules), patientId, rules, tocilizumab.Recommended);
        }
        OlderCrsScalesLine.AddTo(crsCard, crs, OlderCrsScales.Assess(crs, facts, rules), rules);
        if (PreemptiveTocilizumab.Assess(facts, now, rules) is { } preemptive)
        {
            PreemptiveTocilizumabSection.AddTo(crsCard, preemptive, rules);
            // The protocol gives its single dose before hypotension or hypoxia: offer it when grading would not.
            if (preemptive.State == PreemptiveState.HighBurdenDoseDue && plan.Crs.All(a => a.Code != ManagementCodes.Tocilizumab))
            {
                TocilizumabAdvice.AddTo(crsCard, TocilizumabDosing.Compute(facts, now, rules), patientId, rules);
            }
        }
        ManagementAdviceComposer.AddTo(crsCard, plan.Crs, ManagementAdviceComposer.CrsFindingCode, patientId, rules);
        if (!iecHs.Flag && iecHs.Screened) crsCard.Extension!.Findings!.Add(IecHsCardComposer.Finding(iecHs, rules));

        var grades = new List<GradeCard>
        {
            new(crsCard, "CRS", CrsCardComposer.IsNormal(crs, crsCard), CrsCardComposer.StatusLine(crsCard, course), CrsCardComposer.DataNotes(crsLeftOut, record)),
        };
        if (icans is not null)
        {
            var icansLeftOut = LeftOutRecords.For(IcansCardComposer.Topic, facts.Excluded, answered);
            LeftOutRecords.AddTo(icans, icansLeftOut);
            ManagementAdviceComposer.AddTo(icans, plan.Icans, ManagementAdviceComposer.IcansFindingCode, patientId, rules);
            grades.Add(new(icans, "ICANS", IcansCardComposer.IsNormal(icansAssessment, icans) && icansLeftOut.Count == 0, icans.Summary));
        }
        if (flag is not null)
        {
            LeftOutRecords.AddTo(flag, LeftOutRecords.For(IecHsCardComposer.Topic, facts.Excluded, answered));
            ManagementAdviceComposer.AddTo(flag, plan.IecHs, ManagementAdviceComposer.IecHsFindingCode, patientId, rules);
            grades.Add(new(flag, "IEC-HS", IsNormal: false, flag.Summary));
        }
        var cards = new List<Card>();
        // First: the grades below were computed without day 0, and the clinician must see why.
        if (InfusionRecordCardComposer.Compose(facts, now, rules) is { } unusableInfusion) cards.Add(unusableInfusion);
        cards.AddRange(NormalFindingsFolding.Apply(grades, Cards.NormalFindings));
        cards.AddRange(MonitoringCardComposer.Compose(MonitoringAdvice.Assess(facts, now, rules), facts, patientId, now, rules));
        return cards;
    }

    // order-select: eligibility as a CAR-T referral or a tisagenlecleucel order is chosen.
    private List<Card> EligibilityCards(ClinicalFacts facts, HookContext context, DateTimeOffset now)
    {
        var selected = new HashSet<string>(context.Selections ?? [], StringComparer.Ordinal);
        var relevant = facts.DraftOrders.Any(o => o.Kind is DraftOrderKind.Tisagenlecleucel or DraftOrderKind.CarTReferral && selected.Contains(o.Source));
        if (!relevant) return [];
        var tisagenlecleucel = EligibilityCheck.Assess(facts, now, rules);
        var card = EligibilityCardComposer.Compose(tisagenlecleucel, rules);
        var referralOnly = !facts.DraftOrders.Any(o => o.Kind == DraftOrderKind.Tisagenlecleucel && selected.Contains(o.Source));
        ProductOptionsSection.AddTo(card, ProductEligibility.Assess(facts, now, rules, tisagenlecleucel), referralOnly, rules);
        return [card];
    }

    // order-sign: tocilizumab dose and spacing, corticosteroids after infusion, weight-based maxima, tisagenlecleucel eligibility;
    // an order named as one of those drugs under codes no list holds gets a card saying its check was not run.
    private List<Card> OrderCheckCards(ClinicalFacts facts, Bundle draftOrders, string patientId, DateTimeOffset now)
    {
        var notRun = facts.DraftOrders.Select(o => OrderCheckCardComposer.NotRun(o, rules)).OfType<Card>().ToList();
        if (!facts.DraftOrders.Any(OrderChecks.IsChecked)) return notRun;
        var icans = IcansGrading.Assess(facts, now, rules).Grade;
        var checks = OrderChecks.Assess(facts, now, rules, eligibility: null, icansGrade: icans);
        var relevant = checks with { Orders = checks.Orders.Where(o => OrderChecks.IsChecked(o.Order)).ToList() };
        return [.. OrderCheckCardComposer.Compose(relevant, draftOrders, patientId, rules), .. notRun];
    }

    private static HookError? CheckRequest(CdsServiceDefinition service, CdsHookRequest request)
    {
        if (string.IsNullOrWhiteSpace(request.Hook)) return HookError.BadRequest("'hook' is required.", "hook", "required");
        if (!string.Equals(request.Hook, service.Hook, StringComparison.Ordinal))
        {
            return HookError.BadRequest($"Service '{service.Id}' answers the '{service.Hook}' hook, not '{request.Hook}'.", "hook", "not-supported");
        }
        if (string.IsNullOrWhiteSpace(request.HookInstance)) return HookError.BadRequest("'hookInstance' is required (a UUID for this hook call).", "hookInstance", "required");
        if (!Guid.TryParseExact(request.HookInstance, "D", out _)) return HookError.BadRequest("'hookInstance' must be a UUID.", "hookInstance", "value");
        if (request.Context is null) return HookError.BadRequest("'context' is required.", "context", "required");
        if (string.IsNullOrWhiteSpace(request.Context.PatientId)) return HookError.BadRequest("'context.patientId' is required.", "context.patientId", "required");

        if (service.Hook is "order-select" or "order-sign")
        {
            if (request.Context.DraftOrders is null) return HookError.BadRequest($"'context.draftOrders' (a Bundle) is required for {service.Hook}.", "context.draftOrders", "required");
            if (request.Context.DraftOrders is not Bundle) return HookError.BadRequest($"'context.draftOrders' must be a Bundle, not a {request.Context.DraftOrders.ResourceType}.", "context.draftOrders", "invalid");
            var drafts = (Bundle)request.Context.DraftOrders;
            var server = Uri.TryCreate(request.FhirServer, UriKind.Absolute, out var fhirServer) ? fhirServer : null;
            var i = 0;
            foreach (var entry in drafts.Entry ?? [])
            {
                // A draft order is the order being written in this patient's context, not evidence:
                // only one that names another patient is refused (docs/ARCHITECTURE.md "Whose data counts").
                if (entry.Resource is { } r && PatientScope.Link(r, request.Context.PatientId, server) == PatientLink.OtherPatient)
                {
                    return HookError.BadRequest($"Draft order {r.TypedId ?? r.ResourceType} is for {PatientScope.SubjectOf(r)?.ReferenceValue}, not Patient/{request.Context.PatientId}: refusing to mix patients.", $"context.draftOrders.entry[{i}]", "invalid");
                }
                i++;
            }
            if (service.Hook == "order-select")
            {
                if (request.Context.Selections is not { Count: > 0 } selections)
                    return HookError.BadRequest("'context.selections' (the ids of the selected orders) is required for order-select.", "context.selections", "required");
                var ids = drafts.Resources().Select(r => r.TypedId).Where(id => id is not null).ToHashSet(StringComparer.Ordinal);
                for (var s = 0; s < selections.Count; s++)
                {
                    if (!ids.Contains(selections[s]))
                        return HookError.BadRequest($"'context.selections[{s}]' ('{selections[s]}') names no resource in context.draftOrders (expected e.g. MedicationRequest/<id>).", $"context.selections[{s}]", "value");
                }
            }
        }

        if (request.FhirServer is { } fs && !(Uri.TryCreate(fs, UriKind.Absolute, out var u) && (u.Scheme == Uri.UriSchemeHttps || u.Scheme == Uri.UriSchemeHttp)))
        {
            return HookError.BadRequest("'fhirServer' must be an absolute http(s) URL.", "fhirServer", "value");
        }
        if (request.FhirAuthorization is { } auth)
        {
            if (string.IsNullOrEmpty(auth.AccessToken)) return HookError.BadRequest("'fhirAuthorization.access_token' is required when fhirAuthorization is sent.", "fhirAuthorization.access_token", "required");
            if (!string.Equals(auth.TokenType, "Bearer", StringComparison.OrdinalIgnoreCase)) return HookError.BadRequest("'fhirAuthorization.token_type' must be 'Bearer'.", "fhirAuthorization.token_type", "value");
        }
        return null;
    }
}

/// <summary>The composition of the pipeline, shared by the web host and the CLI so both answer alike.</summary>
public static class CdsEngine
{
    /// <summary>An evaluator with the standard catalogue.</summary>
    /// <param name="time">Evaluation time source.</param>
    /// <param name="rules">Rule set; default <see cref="RuleSet.Default"/>. Must be valid.</param>
    /// <param name="fhir">FHIR server client for what prefetch lacks; default none (→ 412).</param>
    /// <param name="fetchBudget">Time allowed for FHIR reads per hook call; default 2 s.</param>
    /// <param name="profiles">FHIR profiles the input is validated against; default the embedded
    /// profiles/ (<see cref="ProfileValidator.Default"/>), compiled here, at start-up, not on the first call.</param>
    /// <param name="fetchClock">Times the fetch budget; default <paramref name="time"/> (<see cref="CdsServiceEvaluator.FetchClock"/>).</param>
    /// <param name="cards">Card composition settings; default <see cref="NormalFindings.Fold"/>.</param>
    public static CdsServiceEvaluator Create(TimeProvider time, RuleSet? rules = null, IFhirQueryClient? fhir = null, TimeSpan? fetchBudget = null,
        ProfileValidator? profiles = null, TimeProvider? fetchClock = null, CardOptions? cards = null)
    {
        rules ??= RuleSet.Default;
        var errors = rules.Validate();
        if (errors.Count > 0) throw new ArgumentException("Invalid rule set: " + string.Join(" ", errors), nameof(rules));
        return new CdsServiceEvaluator(new CdsServiceCatalog(), new PrefetchResolver(fhir ?? new NoFhirQueryClient()), rules, time)
        {
            FetchBudget = fetchBudget ?? TimeSpan.FromSeconds(2),
            Profiles = profiles ?? ProfileValidator.Default,
            FetchClock = fetchClock,
            Cards = cards ?? new CardOptions(),
        };
    }
}
