using CarTCds.Fhir.Model;
using CarTCds.Hooks.Cards;
using CarTCds.Hooks.Catalog;
using CarTCds.Hooks.Contract;
using CarTCds.Hooks.Evaluation;
using CarTCds.Hooks.Prefetch;
using CarTCds.Hooks.Tests.TestSupport;

namespace CarTCds.Hooks.Tests.Evaluation;

public sealed class CdsServiceEvaluatorTests
{
    private static CdsServiceEvaluator Engine(FakeFhirQueryClient? fake = null) =>
        CdsEngine.Create(new FixedTimeProvider(FhirData.Now), fhir: fake ?? FakeFhirQueryClient.Unreachable());

    /// <summary>An 8-year-old, day 3 after tisagenlecleucel: fever 39.5 °C and norepinephrine running.</summary>
    private static Bundle Grade3PatientBundle() => new()
    {
        Type = "collection",
        Entry = new Resource[]
        {
            FhirData.Patient("2005-01-01"),
            FhirData.Temperature("temp-1", 39.5m, hoursAgo: 2),
            FhirData.Temperature("temp-0", 37.2m, hoursAgo: 10),
            FhirData.Administration("norepi-1", "7512", "in-progress", startedHoursAgo: 3),
            FhirData.CarTInfusion("cart-1", hoursAgo: 72),
            FhirData.Temperature("temp-bad", 38m, "kg", hoursAgo: 1),
        }.Select(r => new BundleEntry { Resource = r }).ToList(),
    };

    private static Bundle DraftOrders() => new()
    {
        Type = "collection",
        Entry = [new BundleEntry { Resource = new MedicationRequest { Id = "mr1", Status = "draft", Intent = "order", Subject = FhirData.Subject() } }],
    };

    private static CdsHookRequest ValidRequest(string serviceId)
    {
        var service = new CdsServiceCatalog().Find(serviceId)!;
        return PatientBundleRequest.Build(service, Grade3PatientBundle(), service.Hook == "patient-view" ? null : DraftOrders(), "Practitioner/abc");
    }

    /// <summary>The base request of the check table below: it must pass, or a 400 row proves nothing.</summary>
    [Theory]
    [InlineData(CdsServiceCatalog.ToxicityId)]
    [InlineData(CdsServiceCatalog.EligibilityId)]
    [InlineData(CdsServiceCatalog.OrderCheckId)]
    public async Task GivenAValidRequestForEachService_WhenEvaluated_ThenOk(string serviceId)
    {
        var result = await Engine().EvaluateAsync(serviceId, ValidRequest(serviceId), CancellationToken.None);

        Assert.Null(result.Error);
        Assert.NotNull(result.Response);
        Assert.Empty(CdsResponseValidator.Validate(result.Response));
    }

    [Fact]
    public async Task GivenAnUnknownService_WhenEvaluated_Then404ListingTheServices()
    {
        var result = await Engine().EvaluateAsync("cart-nope", ValidRequest(CdsServiceCatalog.ToxicityId), CancellationToken.None);

        Assert.Null(result.Response);
        Assert.Equal(404, result.Error!.StatusCode);
        var diagnostics = Assert.Single(result.Error.Outcome.Issue!).Diagnostics;
        Assert.Contains("'cart-nope'", diagnostics, StringComparison.Ordinal);
        Assert.Contains("cart-toxicity, cart-eligibility, cart-order-check", diagnostics, StringComparison.Ordinal);
    }

    private static readonly Dictionary<string, Action<CdsHookRequest>> Breaks = new()
    {
        ["hook missing"] = r => r.Hook = null,
        ["wrong hook"] = r => r.Hook = "order-sign",
        ["hookInstance missing"] = r => r.HookInstance = "",
        ["hookInstance not a UUID"] = r => r.HookInstance = "call-42",
        ["context missing"] = r => r.Context = null,
        ["patientId missing"] = r => r.Context!.PatientId = null,
        ["draftOrders missing"] = r => r.Context!.DraftOrders = null,
        ["draftOrders not a Bundle"] = r => r.Context!.DraftOrders = new MedicationRequest { Id = "mr1", Status = "draft" },
        ["selections missing"] = r => r.Context!.Selections = null,
        ["selections empty"] = r => r.Context!.Selections = [],
        ["fhirServer ftp"] = r => r.FhirServer = "ftp://x",
        ["fhirServer relative"] = r => r.FhirServer = "fhir/r4",
        ["access_token missing"] = r => r.FhirAuthorization = new FhirAuthorization { TokenType = "Bearer" },
        ["token_type MAC"] = r => r.FhirAuthorization = new FhirAuthorization { AccessToken = "t", TokenType = "MAC" },
    };

    [Theory]
    [InlineData(CdsServiceCatalog.ToxicityId, "hook missing", "'hook' is required.", "hook")]
    [InlineData(CdsServiceCatalog.ToxicityId, "wrong hook", "Service 'cart-toxicity' answers the 'patient-view' hook, not 'order-sign'.", "hook")]
    [InlineData(CdsServiceCatalog.ToxicityId, "hookInstance missing", "'hookInstance' is required", "hookInstance")]
    [InlineData(CdsServiceCatalog.ToxicityId, "hookInstance not a UUID", "'hookInstance' must be a UUID.", "hookInstance")]
    [InlineData(CdsServiceCatalog.ToxicityId, "context missing", "'context' is required.", "context")]
    [InlineData(CdsServiceCatalog.ToxicityId, "patientId missing", "'context.patientId' is required.", "context.patientId")]
    [InlineData(CdsServiceCatalog.OrderCheckId, "draftOrders missing", "'context.draftOrders' (a Bundle) is required for order-sign.", "context.draftOrders")]
    [InlineData(CdsServiceCatalog.EligibilityId, "draftOrders missing", "'context.draftOrders' (a Bundle) is required for order-select.", "context.draftOrders")]
    [InlineData(CdsServiceCatalog.OrderCheckId, "draftOrders not a Bundle", "'context.draftOrders' must be a Bundle, not a MedicationRequest.", "context.draftOrders")]
    [InlineData(CdsServiceCatalog.EligibilityId, "selections missing", "'context.selections'", "context.selections")]
    [InlineData(CdsServiceCatalog.EligibilityId, "selections empty", "'context.selections'", "context.selections")]
    [InlineData(CdsServiceCatalog.ToxicityId, "fhirServer ftp", "'fhirServer' must be an absolute http(s) URL.", "fhirServer")]
    [InlineData(CdsServiceCatalog.ToxicityId, "fhirServer relative", "'fhirServer' must be an absolute http(s) URL.", "fhirServer")]
    [InlineData(CdsServiceCatalog.ToxicityId, "access_token missing", "'fhirAuthorization.access_token' is required", "fhirAuthorization.access_token")]
    [InlineData(CdsServiceCatalog.ToxicityId, "token_type MAC", "'fhirAuthorization.token_type' must be 'Bearer'.", "fhirAuthorization.token_type")]
    public async Task GivenARequestBreakingOneCheck_WhenEvaluated_Then400WithDiagnosticsAndExpression(string serviceId, string broken, string diagnostics, string expression)
    {
        var request = ValidRequest(serviceId);
        Breaks[broken](request);

        var result = await Engine().EvaluateAsync(serviceId, request, CancellationToken.None);

        Assert.Null(result.Response);
        Assert.Equal(400, result.Error!.StatusCode);
        var issue = Assert.Single(result.Error.Outcome.Issue!);
        Assert.Equal("error", issue.Severity);
        Assert.Contains(diagnostics, issue.Diagnostics, StringComparison.Ordinal);
        Assert.Equal([expression], issue.Expression);
    }

    [Fact]
    public async Task GivenTheOrderSelectChecksOnPatientView_WhenEvaluated_ThenNotRequired()
    {
        var request = ValidRequest(CdsServiceCatalog.ToxicityId);
        request.Context!.DraftOrders = null;
        request.Context.Selections = null;

        var result = await Engine().EvaluateAsync(CdsServiceCatalog.ToxicityId, request, CancellationToken.None);

        Assert.Null(result.Error);
    }

    [Fact]
    public async Task GivenAGrade3Patient_WhenEvaluated_ThenACriticalCrsCardThatSaysWhy()
    {
        var result = await Engine().EvaluateAsync(CdsServiceCatalog.ToxicityId, ValidRequest(CdsServiceCatalog.ToxicityId), CancellationToken.None);

        Assert.Null(result.Error);
        // No ICE/CAPD on record on day 3: the monitoring advice says an assessment is due.
        Assert.Equal(["crs-grade", "neuro-assessment-overdue", "post-infusion-logistics"], result.Response!.Cards.Select(c => c.Source.Topic!.Code));
        var card = result.Response.Cards[0];
        Assert.Equal("CRS grade 3 (ASTCT), day 3: norepinephrine + fever 39.5 °C", card.Summary);
        Assert.Equal(CardIndicator.Critical, card.Indicator);
        // The ASTCT grade, then the same window by the older scales (issue 20 §6).
        Assert.Equal([CrsCardComposer.FindingCode, "crs-grade-lee2014", "crs-grade-penn", "crs-grade-ctcae5", "crs-management"], card.Extension!.Findings!.Select(f => f.Code));
        var finding = card.Extension.Findings![0];
        Assert.Equal(3m, finding.Value.Number);
        Assert.Equal("astct-2019@1.0.0", finding.RuleSet);
        Assert.Equal(["MedicationAdministration/norepi-1", "Observation/temp-1"], finding.Evidence!.Order());
        Assert.Contains("Observation/temp-bad: body temperature 38 kg on 2013-05-19 11:00Z ignored: unit 'kg' is not one of Cel, [degF]", card.Detail, StringComparison.Ordinal);
        Assert.Empty(CdsResponseValidator.Validate(result.Response));
    }

    [Fact]
    public async Task GivenNoPrefetchAndAFhirServer_WhenEvaluated_ThenEveryKeyIsReadFromTheServerAndTheCardIsTheSame()
    {
        var request = ValidRequest(CdsServiceCatalog.ToxicityId);
        var prefetched = request.Prefetch!;
        var service = new CdsServiceCatalog().Find(CdsServiceCatalog.ToxicityId)!;
        // A key the service reads by several queries (observations: whole history, then recent from a date) gets
        // its prefetched Bundle for each of them; the resolver keeps each resource once.
        var routes = service.Prefetch
            .SelectMany(k => (k.ServerQueries?.Select(q => q.Template) ?? [k.Template]).Select(t => (Url: t.Replace("{{context.patientId}}", FhirData.PatientId, StringComparison.Ordinal), k.Key)))
            .ToList();
        var fake = new FakeFhirQueryClient(url => routes.FirstOrDefault(r => url == r.Url || url.StartsWith(r.Url + "&date=ge", StringComparison.Ordinal)) is { Url: not null } route
            ? FhirQueryResult.Ok(prefetched[route.Key]!)
            : FhirQueryResult.Failed($"404 not found: {url}"));
        request.Prefetch = null;
        request.FhirServer = "https://ehr.example.org/fhir/";
        request.FhirAuthorization = new FhirAuthorization { AccessToken = "tok", TokenType = "bearer" };

        var result = await Engine(fake).EvaluateAsync(CdsServiceCatalog.ToxicityId, request, CancellationToken.None);

        Assert.Null(result.Error);
        Assert.Equal(routes.Count, fake.Calls.Count);
        Assert.Single(fake.Urls, u => u.Contains("&date=ge", StringComparison.Ordinal));
        Assert.All(fake.Calls, c => Assert.Equal("tok", c.Server.BearerToken));
        var card = Assert.Single(result.Response!.Cards, c => c.Source.Topic?.Code == "crs-grade");
        Assert.StartsWith("CRS grade 3 (ASTCT), day 3: norepinephrine + fever 39.5 °C", card.Summary, StringComparison.Ordinal);
        Assert.Contains("read from the FHIR server", card.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GivenNoPrefetchAndNoFhirServer_WhenEvaluated_Then412PerMissingKey()
    {
        var request = ValidRequest(CdsServiceCatalog.ToxicityId);
        request.Prefetch = null;

        var result = await Engine().EvaluateAsync(CdsServiceCatalog.ToxicityId, request, CancellationToken.None);

        Assert.Equal(412, result.Error!.StatusCode);
        Assert.Equal(
            ["prefetch.medicationAdministrations", "prefetch.observations", "prefetch.patient", "prefetch.procedures"],
            result.Error.Outcome.Issue!.Select(i => Assert.Single(i.Expression!)).Order());
    }

    [Fact]
    public async Task GivenNoTemperatureInTheWindow_WhenEvaluated_ThenNotGradableInfoCard()
    {
        // Day 100 after infusion: past every day 0–28 monitoring card, so the CRS card stands alone.
        var bundle = new Bundle { Type = "collection", Entry = [new BundleEntry { Resource = FhirData.Patient() }, new BundleEntry { Resource = FhirData.CarTInfusion("cart-1", hoursAgo: 100 * 24) }] };
        var service = new CdsServiceCatalog().Find(CdsServiceCatalog.ToxicityId)!;

        var result = await Engine().EvaluateAsync(service.Id, PatientBundleRequest.Build(service, bundle), CancellationToken.None);

        var card = Assert.Single(result.Response!.Cards);
        Assert.Equal("CRS not gradable (ASTCT), day 100: no temperature in the last 24 h", card.Summary);
        Assert.Equal(CardIndicator.Info, card.Indicator);
        Assert.Equal("not-gradable", card.Extension!.Findings![0].Value.Text);
    }

    // ---- cart-toxicity on a chart without CAR-T therapy (issue 17 item 3) ----

    /// <summary>A febrile child on norepinephrine (CRS grade 3 if this were a CAR-T chart), with the
    /// given CAR-T records.</summary>
    private static Bundle FebrileChart(params Resource[] cart) => new()
    {
        Type = "collection",
        Entry = new Resource[]
        {
            FhirData.Patient("2005-01-01"),
            FhirData.Temperature("temp-1", 39.5m, hoursAgo: 2),
            FhirData.Administration("norepi-1", "7512", "in-progress", startedHoursAgo: 3),
        }.Concat(cart).Select(r => new BundleEntry { Resource = r }).ToList(),
    };

    public static TheoryData<string, Resource[], string> ChartsWithoutAnInfusion => new()
    {
        { "no CAR-T record at all", [], "no CAR-T infusion on record" },
        { "an infusion dated tomorrow (scheduled, not given)", [FhirData.CarTInfusion("cart-1", hoursAgo: -24)], "dated after the evaluation time" },
        { "an infusion entered in error", [FhirData.CarTInfusion("cart-1", status: "entered-in-error")], "no CAR-T infusion on record" },
    };

    [Theory]
    [MemberData(nameof(ChartsWithoutAnInfusion))]
    public async Task GivenAChartWithoutACarTInfusion_WhenToxicityIsEvaluated_ThenNoCardsAndTheReasonIsForTheAudit(string caseName, Resource[] cart, string reason)
    {
        // Arrange
        var service = new CdsServiceCatalog().Find(CdsServiceCatalog.ToxicityId)!;

        // Act
        var result = await Engine().EvaluateAsync(service.Id, PatientBundleRequest.Build(service, FebrileChart(cart)), CancellationToken.None);

        // Assert
        Assert.Null(result.Error);
        Assert.True(result.Response!.Cards.Count == 0, caseName);
        Assert.Contains(reason, result.SilenceReason, StringComparison.Ordinal);
    }

    public static TheoryData<string, Resource[]> ChartsWithAnInfusion => new()
    {
        { "an infusion 3 days ago", [FhirData.CarTInfusion("cart-1", hoursAgo: 72)] },
        { "an infusion exactly now", [FhirData.CarTInfusion("cart-1", hoursAgo: 0)] },
        { "an infusion record left out (in progress)", [FhirData.CarTInfusion("cart-1", status: "in-progress")] },
    };

    [Theory]
    [MemberData(nameof(ChartsWithAnInfusion))]
    public async Task GivenACarTChart_WhenToxicityIsEvaluated_ThenTheCrsCardComes(string caseName, Resource[] cart)
    {
        // Arrange
        var service = new CdsServiceCatalog().Find(CdsServiceCatalog.ToxicityId)!;

        // Act
        var result = await Engine().EvaluateAsync(service.Id, PatientBundleRequest.Build(service, FebrileChart(cart)), CancellationToken.None);

        // Assert
        Assert.Null(result.SilenceReason);
        Assert.True(result.Response!.Cards.Any(c => c.Extension?.Findings?.Any(f => f.Code == "crs-grade") == true), caseName);
    }

    // ---- an infusion record that cannot be used must not silence cart-toxicity ----

    private static Procedure WithoutSubject(Procedure p)
    {
        p.Subject = null;
        return p;
    }

    public static TheoryData<string, Resource[], string[]> InfusionRecordWarnings => new()
    {
        { "only an infusion record without a subject", [WithoutSubject(FhirData.CarTInfusion("cart-1"))], ["Procedure/cart-1"] },
        { "only an infusion record that breaks its profile (in progress)", [FhirData.CarTInfusion("cart-1", status: "in-progress")], ["Procedure/cart-1"] },
        { "one left out and the other dated tomorrow", [WithoutSubject(FhirData.CarTInfusion("cart-1")), FhirData.CarTInfusion("cart-2", hoursAgo: -24)], ["Procedure/cart-1"] },
        { "one left out and a usable infusion exactly now", [WithoutSubject(FhirData.CarTInfusion("cart-1")), FhirData.CarTInfusion("cart-2", hoursAgo: 0)], [] },
        { "one left out and a usable infusion 3 days ago", [WithoutSubject(FhirData.CarTInfusion("cart-1")), FhirData.CarTInfusion("cart-2", hoursAgo: 72)], [] },
        { "a usable infusion only", [FhirData.CarTInfusion("cart-2", hoursAgo: 72)], [] },
    };

    [Theory]
    [MemberData(nameof(InfusionRecordWarnings))]
    public async Task GivenInfusionRecords_WhenToxicityIsEvaluated_ThenAWarningLeadsExactlyWhenNoUsableInfusionAndOneWasLeftOut(string caseName, Resource[] cart, string[] named)
    {
        // Arrange
        var service = new CdsServiceCatalog().Find(CdsServiceCatalog.ToxicityId)!;

        // Act
        var result = await Engine().EvaluateAsync(service.Id, PatientBundleRequest.Build(service, FebrileChart(cart)), CancellationToken.None);

        // Assert
        Assert.Null(result.SilenceReason);
        var cards = result.Response!.Cards;
        var warnings = cards.Where(c => c.Extension?.Findings?.Any(f => f.Code == InfusionRecordCardComposer.FindingCode) == true).ToList();
        if (named.Length == 0)
        {
            Assert.True(warnings.Count == 0, caseName);
            return;
        }
        var warning = Assert.Single(warnings);
        // Cards come by urgency (critical first): the warning leads every card that is not critical
        // (this chart's CRS 3 card is), ahead of the grade cards of its level and below.
        Assert.Same(cards.First(c => c.Indicator != CardIndicator.Critical), warning);
        Assert.Equal(CardIndicator.Warning, warning.Indicator);
        Assert.Equal(named, warning.Extension!.Findings![0].Evidence);
        Assert.Contains(cards, c => c.Extension?.Findings?.Any(f => f.Code == "crs-grade") == true);
    }
}
