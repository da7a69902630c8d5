using System.Text.Json;
using CarTCds.Fhir.Model;
using CarTCds.Hooks.Catalog;
using CarTCds.Hooks.Contract;
using CarTCds.Hooks.Evaluation;
using CarTCds.Hooks.Prefetch;
using CarTCds.Hooks.Tests.TestSupport;

namespace CarTCds.Hooks.Tests.Prefetch;

public sealed class PrefetchResolverTests
{
    private const string Server = "https://ehr.example.org/fhir";
    private const string Token = "tok-SECRET-4f1c9a";

    private static readonly CdsServiceDefinition Service = new(
        "test-service", "patient-view", "Test", "Test service", "1.0.0", "1.0",
        [CdsServiceCatalog.Patient, CdsServiceCatalog.Observations]);

    private static CdsHookRequest Request(Dictionary<string, Resource?> prefetch, string? fhirServer = null, string? token = null) => new()
    {
        Hook = "patient-view",
        HookInstance = Guid.NewGuid().ToString(),
        FhirServer = fhirServer,
        FhirAuthorization = token is null ? null : new FhirAuthorization { AccessToken = token, TokenType = "Bearer" },
        Context = new HookContext { PatientId = FhirData.PatientId, UserId = "Practitioner/abc" },
        Prefetch = prefetch,
    };

    private static async Task<(PatientRecord? Record, HookError? Error)> Resolve(FakeFhirQueryClient fake, CdsHookRequest request, CdsServiceDefinition? service = null, int? maxPages = null)
    {
        var resolver = maxPages is { } m ? new PrefetchResolver(fake) { MaxPages = m } : new PrefetchResolver(fake);
        // A hang is a failure, not a stuck test run.
        return await resolver.ResolveAsync(service ?? Service, request, request.Context!, request.Context!.PatientId!, CancellationToken.None)
            .WaitAsync(TimeSpan.FromSeconds(10));
    }

    private static Observation Obs(string id) => FhirData.Temperature(id, 37m);

    /// <summary>The catalogue's Observation template for Patient/p1 (the codes of the data contract).</summary>
    private static readonly string ObservationsQuery = PrefetchTemplate.Render(CdsServiceCatalog.Observations.Template, new HookContext { PatientId = FhirData.PatientId })!;

    private static PrefetchResolution Resolution(PatientRecord record, string key) => Assert.Single(record.Resolutions, r => r.Key == key);

    [Fact]
    public async Task GivenAnAbsentKeyAndAFhirServer_WhenResolved_ThenFetchedWithThePatientIdAndTheBearerToken()
    {
        var fake = new FakeFhirQueryClient(new Dictionary<string, Resource> { ["Patient/p1"] = FhirData.Patient() });
        var request = Request(new() { ["observations"] = FhirData.Searchset(Obs("o1")) }, Server, Token);

        var (record, error) = await Resolve(fake, request);

        Assert.Null(error);
        var call = Assert.Single(fake.Calls);
        Assert.Equal("Patient/p1", call.Url);
        Assert.Equal(Token, call.Server.BearerToken);
        Assert.Equal(new Uri(Server + "/"), call.Server.BaseUrl);
        var res = Resolution(record!, "patient");
        Assert.Equal(PrefetchState.Absent, res.State);
        Assert.True(res.FetchedFromServer);
        Assert.Equal("p1", record!.Patient?.Id);
        Assert.False(Resolution(record, "observations").FetchedFromServer);
    }

    [Fact]
    public async Task GivenAnAbsentSearchKeyAndAFhirServer_WhenResolved_ThenTheSearchQueryHasThePatientIdFilledIn()
    {
        var fake = new FakeFhirQueryClient(new Dictionary<string, Resource>
        {
            [ObservationsQuery] = FhirData.Searchset(Obs("o1"), Obs("o2")),
        });
        var request = Request(new() { ["patient"] = FhirData.Patient() }, Server, Token);

        var (record, error) = await Resolve(fake, request);

        Assert.Null(error);
        Assert.Equal([ObservationsQuery], fake.Urls);
        Assert.Equal(["Observation/o1", "Observation/o2"], record!.Resources.OfType<Observation>().Select(o => o.TypedId));
        Assert.True(Resolution(record, "observations").FetchedFromServer);
    }

    [Fact]
    public async Task GivenAnAbsentKeyAndNoFhirServer_WhenResolved_Then412NamingTheKey()
    {
        var fake = FakeFhirQueryClient.Unreachable();
        var request = Request(new() { ["observations"] = FhirData.Searchset(Obs("o1")) });

        var (record, error) = await Resolve(fake, request);

        Assert.Null(record);
        Assert.Equal(412, error!.StatusCode);
        var issue = Assert.Single(error.Outcome.Issue!);
        Assert.Equal(["prefetch.patient"], issue.Expression);
        Assert.Equal("incomplete", issue.Code);
        Assert.Contains("no fhirServer", issue.Diagnostics, StringComparison.Ordinal);
        Assert.Empty(fake.Calls);
    }

    [Fact]
    public async Task GivenANullKey_WhenResolved_ThenNotFetchedAndNoData()
    {
        var fake = FakeFhirQueryClient.Unreachable();
        var request = Request(new() { ["patient"] = FhirData.Patient(), ["observations"] = null }, Server, Token);

        var (record, error) = await Resolve(fake, request);

        Assert.Null(error);
        Assert.Empty(fake.Calls);
        var res = Resolution(record!, "observations");
        Assert.Equal(PrefetchState.Null, res.State);
        Assert.False(res.FetchedFromServer);
        Assert.Empty(record!.Resources.OfType<Observation>());
    }

    [Fact]
    public async Task GivenANullKeyAndNoFhirServer_WhenResolved_ThenNot412()
    {
        var (record, error) = await Resolve(FakeFhirQueryClient.Unreachable(), Request(new() { ["patient"] = FhirData.Patient(), ["observations"] = null }));

        Assert.Null(error);
        Assert.NotNull(record);
    }

    [Fact]
    public async Task GivenAnOperationOutcomeKeyAndAFhirServer_WhenResolved_ThenFetched()
    {
        var fake = new FakeFhirQueryClient(new Dictionary<string, Resource> { ["Patient/p1"] = FhirData.Patient() });
        var request = Request(new()
        {
            ["patient"] = OperationOutcome.Error("timeout", "upstream timed out"),
            ["observations"] = FhirData.Searchset(),
        }, Server, Token);

        var (record, error) = await Resolve(fake, request);

        Assert.Null(error);
        Assert.Equal(["Patient/p1"], fake.Urls);
        var res = Resolution(record!, "patient");
        Assert.Equal(PrefetchState.OperationOutcome, res.State);
        Assert.True(res.FetchedFromServer);
        Assert.Equal("p1", record!.Patient?.Id);
    }

    [Fact]
    public async Task GivenAnOperationOutcomeKeyAndNoFhirServer_WhenResolved_Then412()
    {
        var request = Request(new() { ["patient"] = OperationOutcome.Error("timeout", "upstream timed out"), ["observations"] = FhirData.Searchset() });

        var (_, error) = await Resolve(FakeFhirQueryClient.Unreachable(), request);

        Assert.Equal(412, error!.StatusCode);
        Assert.Equal(["prefetch.patient"], Assert.Single(error.Outcome.Issue!).Expression);
    }

    [Fact]
    public async Task GivenAPagedSearchsetAndAFhirServer_WhenResolved_ThenNextPagesAreFollowedAndMerged()
    {
        const string page2 = Server + "/Observation?_page=2";
        const string page3 = Server + "/Observation?_page=3";
        var fake = new FakeFhirQueryClient(new Dictionary<string, Resource>
        {
            [page2] = FhirData.Page(page3, Obs("o2")),
            [page3] = FhirData.Page(null, Obs("o3")),
        });
        var request = Request(new() { ["patient"] = FhirData.Patient(), ["observations"] = FhirData.Page(page2, Obs("o1")) }, Server, Token);

        var (record, error) = await Resolve(fake, request);

        Assert.Null(error);
        Assert.Equal([page2, page3], fake.Urls);
        Assert.Equal(["Observation/o1", "Observation/o2", "Observation/o3"], record!.Resources.OfType<Observation>().Select(o => o.TypedId));
        var res = Resolution(record, "observations");
        Assert.Equal(PrefetchState.Resource, res.State);
        Assert.Null(res.Note);
    }

    [Fact]
    public async Task GivenAPagedSearchsetAndNoFhirServer_WhenResolved_ThenFirstPageUsedWithANote()
    {
        var request = Request(new() { ["patient"] = FhirData.Patient(), ["observations"] = FhirData.Page(Server + "/Observation?_page=2", Obs("o1")) });

        var (record, error) = await Resolve(FakeFhirQueryClient.Unreachable(), request);

        Assert.Null(error);
        Assert.Single(record!.Resources.OfType<Observation>());
        Assert.Contains("first page", Resolution(record, "observations").Note, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GivenNextLinksThatLoop_WhenResolved_ThenStopsWithALoopNote()
    {
        const string page1 = Server + "/Observation?_page=1";
        const string page2 = Server + "/Observation?_page=2";
        var fake = new FakeFhirQueryClient(new Dictionary<string, Resource>
        {
            [page1] = FhirData.Page(page2, Obs("o1")),
            [page2] = FhirData.Page(page1, Obs("o2")),
        });
        var request = Request(new() { ["patient"] = FhirData.Patient(), ["observations"] = FhirData.Page(page2, Obs("o1")) }, Server, Token);

        var (record, error) = await Resolve(fake, request);

        Assert.Null(error);
        Assert.True(fake.Calls.Count <= 3, $"{fake.Calls.Count} calls");
        Assert.Contains("loop", Resolution(record!, "observations").Note, StringComparison.Ordinal);
        Assert.Equal(["Observation/o1", "Observation/o2"], record!.Resources.OfType<Observation>().Select(o => o.TypedId));
    }

    [Fact]
    public async Task GivenMorePagesThanMaxPages_WhenResolved_ThenStopsWithANote()
    {
        // An endless server: page n always links to page n + 1.
        var fake = new FakeFhirQueryClient(url =>
        {
            var n = int.Parse(url[(url.LastIndexOf('=') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
            return FhirQueryResult.Ok(FhirData.Page($"{Server}/Observation?_page={n + 1}", Obs($"o{n}")));
        });
        var request = Request(new() { ["patient"] = FhirData.Patient(), ["observations"] = FhirData.Page(Server + "/Observation?_page=2", Obs("o1")) }, Server, Token);

        var (record, error) = await Resolve(fake, request, maxPages: 3);

        Assert.Null(error);
        Assert.Equal(3, fake.Calls.Count);
        Assert.Equal("more than 3 pages; the rest was not read", Resolution(record!, "observations").Note);
        Assert.Equal(4, record!.Resources.OfType<Observation>().Count());
    }

    [Fact]
    public async Task GivenALaterPageThatFails_WhenResolved_ThenEarlierPagesUsedWithANote()
    {
        const string page2 = Server + "/Observation?_page=2";
        var fake = new FakeFhirQueryClient(url => FhirQueryResult.Failed("HTTP 500 from the server"));
        var request = Request(new() { ["patient"] = FhirData.Patient(), ["observations"] = FhirData.Page(page2, Obs("o1")) }, Server, Token);

        var (record, error) = await Resolve(fake, request);

        Assert.Null(error);
        Assert.Single(record!.Resources.OfType<Observation>());
        Assert.Contains("HTTP 500 from the server", Resolution(record, "observations").Note, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GivenAFailingFetch_WhenResolved_Then412CarriesTheFailureButNeverTheToken()
    {
        var fake = new FakeFhirQueryClient(url => FhirQueryResult.Failed("HTTP 503 Service Unavailable from ehr.example.org"));
        var request = Request(new() { ["observations"] = FhirData.Searchset() }, Server, Token);

        var (_, error) = await Resolve(fake, request);

        Assert.Equal(412, error!.StatusCode);
        var issue = Assert.Single(error.Outcome.Issue!);
        Assert.Contains("HTTP 503 Service Unavailable from ehr.example.org", issue.Diagnostics, StringComparison.Ordinal);
        Assert.Equal(["prefetch.patient"], issue.Expression);
        Assert.Equal(Token, Assert.Single(fake.Calls).Server.BearerToken);
        var json = JsonSerializer.Serialize<Resource>(error.Outcome, CdsJson.Resource);
        Assert.DoesNotContain(Token, json, StringComparison.Ordinal);
        Assert.DoesNotContain(Token, error.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("transaction")]
    [InlineData("batch")]
    [InlineData("document")]
    public async Task GivenABundleOfTheWrongTypeUnderASearchKey_WhenResolved_Then400AtItsType(string type)
    {
        var bundle = FhirData.Searchset(Obs("o1"));
        bundle.Type = type;
        var request = Request(new() { ["patient"] = FhirData.Patient(), ["observations"] = bundle }, Server, Token);

        var (record, error) = await Resolve(FakeFhirQueryClient.Unreachable(), request);

        Assert.Null(record);
        Assert.Equal(400, error!.StatusCode);
        var issue = Assert.Single(error.Outcome.Issue!);
        Assert.Equal(["prefetch.observations.type"], issue.Expression);
        Assert.Contains($"not '{type}'", issue.Diagnostics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GivenAResourceInsteadOfABundleUnderASearchKey_WhenResolved_Then400()
    {
        var request = Request(new() { ["patient"] = FhirData.Patient(), ["observations"] = Obs("o1") }, Server, Token);

        var (_, error) = await Resolve(FakeFhirQueryClient.Unreachable(), request);

        Assert.Equal(400, error!.StatusCode);
        Assert.Equal(["prefetch.observations"], Assert.Single(error.Outcome.Issue!).Expression);
    }

    [Fact]
    public async Task GivenTheWrongResourceTypeUnderAReadKey_WhenResolved_Then400()
    {
        var request = Request(new() { ["patient"] = FhirData.Searchset(FhirData.Patient()), ["observations"] = FhirData.Searchset() }, Server, Token);

        var (_, error) = await Resolve(FakeFhirQueryClient.Unreachable(), request);

        Assert.Equal(400, error!.StatusCode);
        var issue = Assert.Single(error.Outcome.Issue!);
        Assert.Equal(["prefetch.patient"], issue.Expression);
        Assert.Contains("must be a Patient but is a Bundle", issue.Diagnostics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GivenAnotherPatientsResource_WhenResolved_Then400AtTheEntry()
    {
        var other = Obs("o2");
        other.Subject = new Reference("Patient/p2");
        var request = Request(new() { ["patient"] = FhirData.Patient(), ["observations"] = FhirData.Searchset(Obs("o1"), other) }, Server, Token);

        var (_, error) = await Resolve(FakeFhirQueryClient.Unreachable(), request);

        Assert.Equal(400, error!.StatusCode);
        Assert.Equal(["prefetch.observations.entry[1]"], Assert.Single(error.Outcome.Issue!).Expression);
    }

    [Fact]
    public async Task GivenAnotherPatientUnderThePatientKey_WhenResolved_Then400()
    {
        var request = Request(new() { ["patient"] = FhirData.Patient(id: "p2"), ["observations"] = FhirData.Searchset() }, Server, Token);

        var (_, error) = await Resolve(FakeFhirQueryClient.Unreachable(), request);

        Assert.Equal(400, error!.StatusCode);
        Assert.Contains("refusing to mix patients", Assert.Single(error.Outcome.Issue!).Diagnostics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GivenTheSameResourceUnderTwoKeys_WhenResolved_ThenItAppearsOnce()
    {
        var vitals = new PrefetchKey("vitals", "Observation?patient=Patient/{{context.patientId}}&category=vital-signs", "Observation", true);
        var service = Service with { Prefetch = [CdsServiceCatalog.Patient, CdsServiceCatalog.Observations, vitals] };
        var request = Request(new()
        {
            ["patient"] = FhirData.Patient(),
            ["observations"] = FhirData.Searchset(Obs("o1"), Obs("o2")),
            ["vitals"] = FhirData.Searchset(Obs("o1"), Obs("o3")),
        });

        var (record, error) = await Resolve(FakeFhirQueryClient.Unreachable(), request, service);

        Assert.Null(error);
        Assert.Equal(["Observation/o1", "Observation/o2", "Observation/o3"], record!.Resources.OfType<Observation>().Select(o => o.TypedId).Order());
    }

    [Fact]
    public async Task GivenTheSameResourceTwiceInOneSearchset_WhenResolved_ThenTheFirstIsKeptOnce()
    {
        // Overlapping pages, or a careless EHR: one tocilizumab dose or fever must not count twice.
        var first = Obs("o1");
        var request = Request(new() { ["patient"] = FhirData.Patient(), ["observations"] = FhirData.Searchset(first, Obs("o2"), Obs("o1")) });

        var (record, error) = await Resolve(FakeFhirQueryClient.Unreachable(), request);

        Assert.Null(error);
        var observations = record!.Resources.OfType<Observation>().ToList();
        Assert.Equal(["Observation/o1", "Observation/o2"], observations.Select(o => o.TypedId));
        Assert.Same(first, observations[0]);
    }

    [Fact]
    public async Task GivenTheSameIdOnResourcesOfDifferentTypes_WhenResolved_ThenBothAreKept()
    {
        var condition = new Condition { Id = "o1", Subject = new Reference("Patient/" + FhirData.PatientId) };
        var request = Request(new() { ["patient"] = FhirData.Patient(), ["observations"] = FhirData.Searchset(Obs("o1"), condition) });

        var (record, error) = await Resolve(FakeFhirQueryClient.Unreachable(), request);

        Assert.Null(error);
        Assert.Contains(record!.Resources, r => r is Observation { Id: "o1" });
        Assert.Contains(record.Resources, r => ReferenceEquals(r, condition));
    }

    [Fact]
    public async Task GivenResourcesWithoutAnId_WhenResolved_ThenEachIsKept()
    {
        var a = Obs("a");
        var b = Obs("b");
        a.Id = null;
        b.Id = null;
        var request = Request(new() { ["patient"] = FhirData.Patient(), ["observations"] = FhirData.Searchset(a, b) });

        var (record, error) = await Resolve(FakeFhirQueryClient.Unreachable(), request);

        Assert.Null(error);
        Assert.Equal(2, record!.Resources.OfType<Observation>().Count());
    }

    [Fact]
    public async Task GivenTwoCallsInARow_WhenTheSecondHasTheFirstsResources_ThenTheSecondKeepsThemAll()
    {
        // The deduplication set is reused between calls on a thread; nothing of one call may remain in it.
        var firstCall = Request(new() { ["patient"] = FhirData.Patient(), ["observations"] = FhirData.Searchset(Obs("o1"), Obs("o2")) });
        var secondCall = Request(new() { ["patient"] = FhirData.Patient(), ["observations"] = FhirData.Searchset(Obs("o1"), Obs("o2")) });
        await Resolve(FakeFhirQueryClient.Unreachable(), firstCall);

        var (record, error) = await Resolve(FakeFhirQueryClient.Unreachable(), secondCall);

        Assert.Null(error);
        Assert.Equal(["Observation/o1", "Observation/o2"], record!.Resources.OfType<Observation>().Select(o => o.TypedId));
    }

    [Fact]
    public async Task GivenOutcomeEntriesInASearchset_WhenResolved_ThenTheyAreNotData()
    {
        var bundle = FhirData.Searchset(Obs("o1"));
        bundle.Entry!.Add(new BundleEntry { Resource = OperationOutcome.Error("informational", "too many results"), Search = new BundleEntrySearch { Mode = "outcome" } });
        var request = Request(new() { ["patient"] = FhirData.Patient(), ["observations"] = bundle });

        var (record, _) = await Resolve(FakeFhirQueryClient.Unreachable(), request);

        Assert.DoesNotContain(record!.Resources, r => r is OperationOutcome);
    }
}
