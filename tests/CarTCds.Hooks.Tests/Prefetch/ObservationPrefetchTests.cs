using CarTCds.Fhir;
using CarTCds.Fhir.Model;
using CarTCds.Fhir.Validation;
using CarTCds.Hooks.Catalog;
using CarTCds.Hooks.Contract;
using CarTCds.Hooks.Facts;
using CarTCds.Hooks.Prefetch;
using CarTCds.Hooks.Tests.TestSupport;

namespace CarTCds.Hooks.Tests.Prefetch;

/// <summary>The Observation prefetch asks for the codes the rules read (from profiles/), not for
/// every Observation of the chart; the service's own reads bound the recent ones by date.</summary>
public sealed class ObservationPrefetchTests
{
    private const string CarTCdsSystem = DataContract.CarTCds;

    private static HashSet<string> CodesOf(string template) =>
        template.Split('&').Single(p => p.StartsWith("code=", StringComparison.Ordinal))["code=".Length..].Split(',').ToHashSet(StringComparer.Ordinal);

    [Fact]
    public void GivenTheProfiles_WhenTheObservationTemplateIsBuilt_ThenItAsksForEveryProfiledCodeThatARuleReadsAndNoOther()
    {
        var expected = ProfileValidator.Default.SelectingCodes("Observation")
            .Where(c => ClinicalFactsMapper.ReachOf(c.System, c.Code) is not null)
            .Select(c => $"{c.System}|{c.Code}").ToHashSet(StringComparer.Ordinal);

        var codes = CodesOf(CdsServiceCatalog.Observations.Template);

        Assert.Equal(expected, codes);
        Assert.Contains($"{FhirSystems.Loinc}|8310-5", codes);
        Assert.Contains($"{CarTCdsSystem}|ice-score", codes);
        Assert.DoesNotContain($"{FhirSystems.Loinc}|59408-5", codes); // SpO2 is profiled, but no rule reads it
        Assert.StartsWith("Observation?patient=Patient/{{context.patientId}}&code=", CdsServiceCatalog.Observations.Template, StringComparison.Ordinal);
        Assert.EndsWith("&_count=1000", CdsServiceCatalog.Observations.Template, StringComparison.Ordinal);
    }

    /// <summary>Every code the facts mapper reads an Observation by (its KindOf and lab table) is in the
    /// one list behind the prefetch query and the request reader's relevance: a code missing there would
    /// be skipped unread by the hook reader and never asked for, while the mapper would have graded it.</summary>
    [Theory]
    [InlineData("http://loinc.org", "8310-5")]   // body temperature
    [InlineData("http://loinc.org", "8480-6")]   // systolic BP
    [InlineData("http://loinc.org", "85354-9")]  // BP panel (systolic in a component)
    [InlineData("http://loinc.org", "3151-8")]   // oxygen flow
    [InlineData("http://loinc.org", "29463-7")]  // body weight
    [InlineData("http://loinc.org", "89243-0")]  // Karnofsky
    [InlineData("http://loinc.org", "2276-4")]   // ferritin
    [InlineData("http://loinc.org", "1988-5")]   // CRP
    [InlineData("http://loinc.org", "26881-3")]  // IL-6
    [InlineData("http://loinc.org", "3255-7")]   // fibrinogen
    [InlineData("http://loinc.org", "1920-8")]   // AST
    [InlineData("http://loinc.org", "1742-6")]   // ALT
    [InlineData("http://loinc.org", "1975-2")]   // bilirubin
    [InlineData("http://loinc.org", "2160-0")]   // creatinine
    [InlineData("http://loinc.org", "2532-0")]   // LDH
    [InlineData("http://loinc.org", "14804-9")]  // LDH (lactate to pyruvate reaction)
    [InlineData("http://loinc.org", "2465-3")]   // IgG
    [InlineData("http://loinc.org", "8116-6")]   // CD19 count
    [InlineData("http://loinc.org", "8117-4")]   // CD19 %
    [InlineData("http://loinc.org", "777-3")]    // platelets
    [InlineData("http://loinc.org", "751-8")]    // neutrophils
    [InlineData(CarTCdsSystem, "hypotension")]
    [InlineData(CarTCdsSystem, "oxygen-delivery")]
    [InlineData(CarTCdsSystem, "ice-score")]
    [InlineData(CarTCdsSystem, "capd-score")]
    [InlineData(CarTCdsSystem, "consciousness")]
    [InlineData(CarTCdsSystem, "seizure")]
    [InlineData(CarTCdsSystem, "motor-weakness")]
    [InlineData(CarTCdsSystem, "cerebral-edema")]
    [InlineData(CarTCdsSystem, "disease-status")]
    [InlineData(CarTCdsSystem, "cd19-expression")]
    [InlineData(CarTCdsSystem, "marrow-blasts")]
    [InlineData(CarTCdsSystem, "cns-status")]
    [InlineData(CarTCdsSystem, "lansky")]
    public void GivenACodeTheMapperReads_WhenTheCodesReadAreListed_ThenItIsAmongThemSoNeitherThePrefetchNorTheReaderDropsIt(string system, string code)
    {
        // Arrange
        Assert.NotNull(ClinicalFactsMapper.ReachOf(system, code));

        // Act
        var read = ClinicalFactsMapper.ObservationCodesRead(ProfileValidator.Default);

        // Assert
        Assert.Contains(read, c => c.System == system && c.Code == code);
        Assert.Contains($"{system}|{code}", CodesOf(CdsServiceCatalog.Observations.Template));
    }

    [Fact]
    public void GivenTheServersOwnQueries_WhenCompared_ThenTheyPartitionTheTemplatesCodesIntoHistoryAndRecent()
    {
        var queries = CdsServiceCatalog.Observations.ServerQueries!;
        var history = CodesOf(Assert.Single(queries, q => !q.Recent).Template);
        var recent = CodesOf(Assert.Single(queries, q => q.Recent).Template);

        Assert.Empty(history.Intersect(recent));
        Assert.Equal(CodesOf(CdsServiceCatalog.Observations.Template), history.Union(recent).ToHashSet(StringComparer.Ordinal));
    }

    /// <summary>The hook reader skips every Observation whose codes are not in <see cref="ClinicalFactsMapper.ObservationCodesRead"/>
    /// (issue 21), while the mapper reads by <see cref="ClinicalFactsMapper.ReachOf"/>: no code the mapper
    /// reads may be missing from that list. Probed with every code the repository names (the data
    /// contract's constants and every code in profiles/, examples included) in both contract systems.</summary>
    [Fact]
    public void GivenEveryCodeTheRepositoryNames_WhenTheMapperReadsIt_ThenItIsInTheListTheHookReaderKeeps()
    {
        // Arrange
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "CarTCds.sln"))) dir = dir.Parent;
        var codes = typeof(DataContract).GetFields().Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!).ToHashSet(StringComparer.Ordinal);
        foreach (var file in Directory.GetFiles(Path.Combine(dir!.FullName, "profiles"), "*.json", SearchOption.AllDirectories))
        {
            foreach (System.Text.RegularExpressions.Match m in System.Text.RegularExpressions.Regex.Matches(File.ReadAllText(file), "\"code\"\\s*:\\s*\"([^\"]+)\""))
            {
                codes.Add(m.Groups[1].Value);
            }
        }
        var kept = ClinicalFactsMapper.ObservationCodesRead(ProfileValidator.Default).Select(c => $"{c.System}|{c.Code}").ToHashSet(StringComparer.Ordinal);

        // Act
        var read = codes.SelectMany(c => new[] { (System: FhirSystems.Loinc, Code: c), (System: CarTCdsSystem, Code: c) })
            .Where(c => ClinicalFactsMapper.ReachOf(c.System, c.Code) is not null)
            .Select(c => $"{c.System}|{c.Code}").ToList();

        // Assert
        Assert.True(read.Count >= 30, $"only {read.Count} codes probed are read by the mapper");
        Assert.All(read, c => Assert.Contains(c, kept));
    }

    [Theory]
    [InlineData("http://loinc.org", "29463-7", ObservationReach.WholeHistory)]   // body weight: the latest, whatever its age
    [InlineData(DataContract.CarTCds, "disease-status", ObservationReach.WholeHistory)]
    [InlineData(DataContract.CarTCds, "marrow-blasts", ObservationReach.WholeHistory)]
    [InlineData(DataContract.CarTCds, "seizure", ObservationReach.WholeHistory)]  // a seizure before infusion: levetiracetam advice
    [InlineData("http://loinc.org", "89243-0", ObservationReach.WholeHistory)]
    [InlineData("http://loinc.org", "8310-5", ObservationReach.Recent)]
    [InlineData("http://loinc.org", "85354-9", ObservationReach.Recent)]
    [InlineData(DataContract.CarTCds, "ice-score", ObservationReach.Recent)]
    [InlineData("http://loinc.org", "2276-4", ObservationReach.Recent)]          // ferritin
    [InlineData("http://loinc.org", "2465-3", ObservationReach.Recent)]          // IgG: since the first infusion
    public void GivenAContractCode_WhenItsReachIsAsked_ThenWholeHistoryFactsAreNotBoundedByDate(string system, string code, ObservationReach reach)
    {
        Assert.Equal(reach, ClinicalFactsMapper.ReachOf(system, code));
    }

    [Theory]
    [InlineData("http://loinc.org", "59408-5")]
    [InlineData("http://loinc.org", "8302-2")]
    [InlineData("http://snomed.info/sct", "8310-5")]
    public void GivenACodeNoRuleReads_WhenItsReachIsAsked_ThenNull(string system, string code)
    {
        Assert.Null(ClinicalFactsMapper.ReachOf(system, code));
    }

    [Fact]
    public async Task GivenNoObservationPrefetch_WhenResolvedWithALookBack_ThenHistoryIsReadWholeAndRecentFromTheBoundAfterTheOtherKeys()
    {
        var context = new HookContext { PatientId = FhirData.PatientId };
        var history = PrefetchTemplate.Render(CdsServiceCatalog.Observations.ServerQueries!.Single(q => !q.Recent).Template, context)!;
        var recent = PrefetchTemplate.Render(CdsServiceCatalog.Observations.ServerQueries!.Single(q => q.Recent).Template, context)!;
        var procedures = PrefetchTemplate.Render(CdsServiceCatalog.Procedures.Template, context)!;
        var bound = new DateTimeOffset(2013, 4, 7, 0, 0, 0, TimeSpan.Zero);
        var fake = new FakeFhirQueryClient(new Dictionary<string, Resource>
        {
            ["Patient/p1"] = FhirData.Patient(),
            [procedures] = FhirData.Searchset(),
            [history] = FhirData.Searchset(FhirData.Temperature("old", 37m)),
            [recent + "&date=ge2013-04-07T00:00:00Z"] = FhirData.Searchset(FhirData.Temperature("new", 39m)),
        });
        var service = new CdsServiceDefinition("t", "patient-view", "T", "T", "1.0.0", "1.0", [CdsServiceCatalog.Patient, CdsServiceCatalog.Procedures, CdsServiceCatalog.Observations]);
        var request = new CdsHookRequest { Hook = "patient-view", HookInstance = Guid.NewGuid().ToString(), FhirServer = "https://ehr.example.org/fhir", Context = context };
        IReadOnlyList<Resource>? seen = null;

        var (record, error) = await new PrefetchResolver(fake).ResolveAsync(service, request, context, FhirData.PatientId, CancellationToken.None,
            read => { seen = read; return bound; }).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Null(error);
        Assert.Equal(recent + "&date=ge2013-04-07T00:00:00Z", fake.Urls[^1]);
        Assert.Contains(history, fake.Urls);
        Assert.Contains(seen!, r => r is Patient);
        Assert.Equal(["Observation/new", "Observation/old"], record!.Resources.OfType<Observation>().Select(o => o.TypedId).Order(StringComparer.Ordinal));
        var resolution = Assert.Single(record.Resolutions, r => r.Key == "observations");
        Assert.True(resolution.FetchedFromServer);
        Assert.Contains("from 2013-04-07T00:00:00Z on", resolution.Note, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GivenTheRecentQueryFails_WhenResolved_ThenTheRequiredKeyIs412NotAHalfRecord()
    {
        var context = new HookContext { PatientId = FhirData.PatientId };
        var history = PrefetchTemplate.Render(CdsServiceCatalog.Observations.ServerQueries!.Single(q => !q.Recent).Template, context)!;
        var fake = new FakeFhirQueryClient(new Dictionary<string, Resource> { ["Patient/p1"] = FhirData.Patient(), [history] = FhirData.Searchset() });
        var service = new CdsServiceDefinition("t", "patient-view", "T", "T", "1.0.0", "1.0", [CdsServiceCatalog.Patient, CdsServiceCatalog.Observations]);
        var request = new CdsHookRequest { Hook = "patient-view", HookInstance = Guid.NewGuid().ToString(), FhirServer = "https://ehr.example.org/fhir", Context = context };

        var (record, error) = await new PrefetchResolver(fake).ResolveAsync(service, request, context, FhirData.PatientId, CancellationToken.None,
            _ => DateTimeOffset.UnixEpoch).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Null(record);
        Assert.Equal(412, error!.StatusCode);
        Assert.Contains("prefetch.observations", error.Outcome.Issue![0].Expression!);
    }

    [Fact]
    public async Task GivenNoLookBack_WhenResolved_ThenTheTemplateIsReadUnbounded()
    {
        var context = new HookContext { PatientId = FhirData.PatientId };
        var template = PrefetchTemplate.Render(CdsServiceCatalog.Observations.Template, context)!;
        var fake = new FakeFhirQueryClient(new Dictionary<string, Resource> { ["Patient/p1"] = FhirData.Patient(), [template] = FhirData.Searchset(FhirData.Temperature("o", 37m)) });
        var service = new CdsServiceDefinition("t", "patient-view", "T", "T", "1.0.0", "1.0", [CdsServiceCatalog.Patient, CdsServiceCatalog.Observations]);
        var request = new CdsHookRequest { Hook = "patient-view", HookInstance = Guid.NewGuid().ToString(), FhirServer = "https://ehr.example.org/fhir", Context = context };

        var (record, error) = await new PrefetchResolver(fake).ResolveAsync(service, request, context, FhirData.PatientId, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Null(error);
        Assert.Contains(template, fake.Urls);
        Assert.DoesNotContain(fake.Urls, u => u.Contains("date=", StringComparison.Ordinal));
        Assert.Single(record!.Resources.OfType<Observation>());
    }
}
