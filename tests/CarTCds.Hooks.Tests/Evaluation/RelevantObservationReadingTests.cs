using System.Text;
using System.Text.Json;
using CarTCds.Fhir.Model;
using CarTCds.Hooks.Catalog;
using CarTCds.Hooks.Contract;
using CarTCds.Hooks.Evaluation;
using CarTCds.Hooks.Prefetch;
using CarTCds.Hooks.Tests.TestSupport;

namespace CarTCds.Hooks.Tests.Evaluation;

/// <summary>The hook request reader reads only what the rules need (issue 21, tests/load/README.md "Read only
/// what the rules need"): a chart Observation whose code no rule reads is skipped unread, so a malformed
/// element in it no longer refuses the call (issue 17: "a malformed element that no rule reads never
/// rejects the call"); everything the skip cannot vouch for is read whole, with today's 400 and expression.
/// Every fault below is first shown to be one the whole read refuses.</summary>
public sealed class RelevantObservationReadingTests
{
    private static readonly DateTimeOffset Now = new(2013, 5, 19, 12, 0, 0, TimeSpan.Zero);

    private const string Patient = """{"resourceType":"Patient","id":"pat-1","birthDate":"2005-03-04"}""";

    private const string Infusion = """
        {"resourceType":"Procedure","id":"cart-1","status":"completed",
         "code":{"coding":[{"system":"http://cartcds.org/fhir/CodeSystem/cartcds","code":"car-t-infusion"}]},
         "subject":{"reference":"Patient/pat-1"},"performedDateTime":"2013-05-12T10:00:00Z"}
        """;

    private const string Fever = """
        {"resourceType":"Observation","id":"temp-1","status":"final",
         "code":{"coding":[{"system":"http://loinc.org","code":"8310-5"}]},
         "subject":{"reference":"Patient/pat-1"},"effectiveDateTime":"2013-05-19T08:00:00Z",
         "valueQuantity":{"value":39.5,"unit":"°C","system":"http://unitsofmeasure.org","code":"Cel"}}
        """;

    /// <summary>A heart rate (LOINC 8867-4: no rule reads it), well-formed, with <paramref name="members"/> appended.</summary>
    private static string HeartRate(string members = "", string id = "hr-1", string subject = """{"reference":"Patient/pat-1"}""") => $$"""
        {"resourceType":"Observation","id":"{{id}}","status":"final",
         "code":{"coding":[{"system":"http://loinc.org","code":"8867-4","display":"Heart rate"}]},
         "subject":{{subject}},"effectiveDateTime":"2013-05-19T08:00:00Z",
         "valueQuantity":{"value":128,"unit":"/min","system":"http://unitsofmeasure.org","code":"/min"}{{members}}}
        """;

    /// <summary>A temperature (relevant) with <paramref name="members"/> appended.</summary>
    private static string Temperature(string members) => $$"""
        {"resourceType":"Observation","id":"temp-2","status":"final",
         "code":{"coding":[{"system":"http://loinc.org","code":"8310-5"}]},
         "subject":{"reference":"Patient/pat-1"},"effectiveDateTime":"2013-05-19T06:00:00Z",
         "valueQuantity":{"value":38.1,"unit":"°C","system":"http://unitsofmeasure.org","code":"Cel"}{{members}}}
        """;

    private static string Searchset(params string[] resources) =>
        "{\"resourceType\":\"Bundle\",\"type\":\"searchset\",\"entry\":[" + string.Join(",", resources.Select(r => "{\"resource\":" + r + "}")) + "]}";

    /// <summary>cart-toxicity (patient-view) for pat-1, the fever first in the Observations, then <paramref name="observations"/>.</summary>
    private static string Request(params string[] observations) => $$"""
        {"hook":"patient-view","hookInstance":"d1577c69-dfbe-44ad-ba6d-3e05e953b2ea",
         "context":{"userId":"Practitioner/prac-1","patientId":"pat-1"},
         "prefetch":{"patient":{{Patient}},"observations":{{Searchset([Fever, .. observations])}},
           "medicationAdministrations":null,"procedures":{{Searchset(Infusion)}},"conditions":null}
        }
        """;

    private static (CdsHookRequest? Request, HookError? Error) Read(string json, bool readWhole) =>
        CdsRequestReader.Read(Encoding.UTF8.GetBytes(json), readWhole);

    private static string Where(HookError error) => Assert.Single(Assert.Single(error.Outcome.Issue!).Expression!);

    private static Task<string> CardsAsync(CdsHookRequest request) => ExampleCharts.CardsJsonAsync(CdsServiceCatalog.ToxicityId, request, Now);

    /// <summary>Faults the whole read refuses (a strict element, a duplicate the skip does not rely on,
    /// a null item) and the expression it names inside the Observation.</summary>
    public static TheoryData<string, string> MalformedElements() => new()
    {
        { "\"status\":7", "status" },
        { "\"effectiveDateTime\":20130519", "effectiveDateTime" },
        { "\"valueString\":{\"text\":\"fast\"}", "valueString" },
        { "\"valueInteger\":1.5", "valueInteger" },
        { "\"meta\":\"v1\"", "meta" },
        { "\"contained\":{\"resourceType\":\"Medication\"}", "contained" },
        { "\"component\":[null]", "component" },
        { "\"status\":\"amended\"", "status" },
        { "\"referenceRange\":[{\"high\":{\"value\":\"140\"}}]", "referenceRange[0].high.value" },
        { "\"contained\":[{\"resourceType\":\"Observation\",\"status\":7}]", "contained[0].status" },
    };

    [Theory]
    [MemberData(nameof(MalformedElements))]
    public void GivenAMalformedElementInAnIrrelevantObservation_WhenReadWhole_Then400AtItsExpression(string fault, string member)
    {
        // Arrange: the Observation is the second entry (the fever is the first).
        var json = Request(HeartRate("," + fault));

        // Act
        var (request, error) = Read(json, readWhole: true);

        // Assert: the row is a fault the whole read (the reader before issue 21) refuses.
        Assert.Null(request);
        Assert.Equal(400, error!.StatusCode);
        Assert.Equal($"prefetch.observations.entry[1].resource.{member}", Where(error));
    }

    [Theory]
    [MemberData(nameof(MalformedElements))]
    public async Task GivenAMalformedElementInAnIrrelevantObservation_WhenReadForTheHook_ThenItIsSkippedAndTheCardsAreThoseWithoutTheFault(string fault, string member)
    {
        // Arrange
        var withFault = Request(HeartRate("," + fault));
        var wellFormed = Request(HeartRate());

        // Act
        var (request, error) = Read(withFault, readWhole: false);

        // Assert
        Assert.Null(error);
        var skipped = Assert.IsType<SkippedResource>(((Bundle)request!.Prefetch!["observations"]!).Entry![1].Resource);
        Assert.Equal("Observation/hr-1", skipped.TypedId);
        Assert.Equal("Patient/pat-1", skipped.Subject!.ReferenceValue);
        Assert.False(string.IsNullOrEmpty(member));
        Assert.Equal(await CardsAsync(Read(wellFormed, readWhole: true).Request!), await CardsAsync(request));
    }

    [Theory]
    [MemberData(nameof(MalformedElements))]
    public void GivenTheSameFaultInARelevantObservation_WhenReadForTheHook_ThenTheSame400AndExpressionAsReadWhole(string fault, string member)
    {
        // Arrange
        var json = Request(Temperature("," + fault));

        // Act
        var (_, hookError) = Read(json, readWhole: false);
        var (_, wholeError) = Read(json, readWhole: true);

        // Assert
        Assert.Equal(400, hookError!.StatusCode);
        Assert.Equal($"prefetch.observations.entry[1].resource.{member}", Where(hookError));
        Assert.Equal(Assert.Single(wholeError!.Outcome.Issue!).Diagnostics, Assert.Single(hookError.Outcome.Issue!).Diagnostics);
    }

    /// <summary>What the skip cannot vouch for: invalid JSON, nesting past the depth limit, a second
    /// resourceType / id / code / subject / coding / system, a subject or code of another shape, no code.
    /// Each is read whole: the same 400, the same words, the same expression as before.</summary>
    [Theory]
    [InlineData("\"note\":[{\"text\":\"a\" \"b\"}]")]                       // invalid JSON inside
    [InlineData("\"note\":[{\"text\":\"\\x\"}]")]                            // invalid escape
    [InlineData("\"resourceType\":\"Observation\"")]
    [InlineData("\"id\":\"hr-2\"")]
    [InlineData("\"code\":{\"text\":\"Heart rate\"}")]
    [InlineData("\"subject\":{\"reference\":\"Patient/pat-1\"}")]
    public void GivenWhatTheSkipCannotVouchForInAnIrrelevantObservation_WhenReadForTheHook_ThenTheSame400AsReadWhole(string fault)
    {
        // Arrange
        var json = Request(HeartRate("," + fault));

        // Act
        var (_, hookError) = Read(json, readWhole: false);
        var (_, wholeError) = Read(json, readWhole: true);

        // Assert
        Assert.NotNull(wholeError);
        Assert.Equal(400, hookError!.StatusCode);
        var hook = Assert.Single(hookError.Outcome.Issue!);
        var whole = Assert.Single(wholeError.Outcome.Issue!);
        Assert.Equal(whole.Diagnostics, hook.Diagnostics);
        Assert.Equal(whole.Expression, hook.Expression);
        Assert.StartsWith("prefetch.observations", Where(hookError), StringComparison.Ordinal);
    }

    /// <summary>Observations whose relevance or shape the peek cannot decide are read whole; a whole read
    /// refuses the element named.</summary>
    [Theory]
    [InlineData("""{"resourceType":"Observation","id":"x","code":{"coding":[{"system":"http://loinc.org","system":"http://loinc.org","code":"8867-4"}]},"status":7}""", "code.coding[0].system")]
    [InlineData("""{"resourceType":"Observation","id":"x","code":{"coding":[{"system":"http://loinc.org","code":"8867-4"}],"coding":[]},"status":7}""", "code.coding")]
    [InlineData("""{"resourceType":"Observation","id":"x","code":{"coding":[null]},"status":7}""", "code.coding")]
    [InlineData("""{"resourceType":"Observation","id":7,"code":{"coding":[{"system":"http://loinc.org","code":"8867-4"}]}}""", "id")]
    [InlineData("""{"resourceType":"Observation","id":"x","code":{"coding":[{"system":"http://loinc.org","code":8867}]}}""", "code.coding[0].code")]
    [InlineData("""{"resourceType":"Observation","id":"x","subject":{"reference":7},"code":{"coding":[{"system":"http://loinc.org","code":"8867-4"}]}}""", "subject.reference")]
    [InlineData("""{"resourceType":"Observation","id":"x","status":7}""", "status")]
    [InlineData("""{"resourceType":"Observation","id":"x","code":{"coding":[]},"resourceType":"Observation"}""", "resourceType")]
    public void GivenAnObservationTheSkipCannotDecide_WhenReadForTheHook_Then400AtTheElementAsReadWhole(string observation, string member)
    {
        // Arrange
        var json = Request(observation);

        // Act
        var (_, hookError) = Read(json, readWhole: false);
        var (_, wholeError) = Read(json, readWhole: true);

        // Assert
        Assert.Equal(400, hookError!.StatusCode);
        Assert.Equal($"prefetch.observations.entry[1].resource.{member}", Where(hookError));
        Assert.Equal(Assert.Single(wholeError!.Outcome.Issue!).Diagnostics, Assert.Single(hookError.Outcome.Issue!).Diagnostics);
    }

    [Fact]
    public void GivenAnIrrelevantObservationNestedPastTheDepthLimit_WhenReadForTheHook_ThenTheSame400AsReadWhole()
    {
        // Arrange: an extension nested 70 deep (the limit is FhirJson.MaxDepth, 64, for the whole body).
        var deep = string.Concat(Enumerable.Repeat("{\"extension\":[", 35)) + "{}" + string.Concat(Enumerable.Repeat("]}", 35));
        var json = Request(HeartRate(",\"valueCodeableConcept\":" + deep));

        // Act
        var (_, hookError) = Read(json, readWhole: false);
        var (_, wholeError) = Read(json, readWhole: true);

        // Assert
        Assert.Equal(400, hookError!.StatusCode);
        Assert.Contains("depth", Assert.Single(hookError.Outcome.Issue!).Diagnostics, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(Assert.Single(wholeError!.Outcome.Issue!).Diagnostics, Assert.Single(hookError.Outcome.Issue!).Diagnostics);
        Assert.Equal(Where(wholeError), Where(hookError));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task GivenAnotherPatientsIrrelevantObservation_WhenEvaluated_ThenTheCallIsRefusedAsBefore(bool readWhole)
    {
        // Arrange
        var (request, readError) = Read(Request(HeartRate(id: "hr-9", subject: """{"reference":"Patient/pat-2","display":"Someone else"}""")), readWhole);
        Assert.Null(readError);
        var engine = CdsEngine.Create(new FixedTimeProvider(Now));

        // Act
        var result = await engine.EvaluateAsync(CdsServiceCatalog.ToxicityId, request!, CancellationToken.None);

        // Assert
        Assert.Equal(400, result.Error!.StatusCode);
        var issue = Assert.Single(result.Error.Outcome.Issue!);
        Assert.Equal("prefetch.observations.entry[1]", Assert.Single(issue.Expression!));
        Assert.Equal("Prefetch 'observations' entry Observation/hr-9 belongs to another patient (Patient/pat-2), not Patient/pat-1: refusing to mix patients.", issue.Diagnostics);
    }

    /// <summary>An irrelevant Observation not shown to be this patient's is named under "Left out", with
    /// the same reason, whether skipped or read whole.</summary>
    [Theory]
    [InlineData("""{"reference":"urn:uuid:5b3f"}""")]
    [InlineData("""{"display":"no reference"}""")]
    [InlineData("""{"reference":"Group/g1","type":"Group"}""")]
    [InlineData("""{"identifier":{"value":"MRN-1"}}""")]
    public async Task GivenAnUnlinkedIrrelevantObservation_WhenEvaluated_ThenTheCardsAreThoseOfTheWholeRead(string subject)
    {
        // Arrange
        var json = Request(HeartRate(id: "hr-3", subject: subject));

        // Act
        var skipping = await CardsAsync(Read(json, readWhole: false).Request!);
        var whole = await CardsAsync(Read(json, readWhole: true).Request!);

        // Assert
        Assert.Equal(whole, skipping);
        Assert.Contains("Observation/hr-3", skipping, StringComparison.Ordinal);
    }

    [Fact]
    public void GivenAnObservationWithoutSubject_WhenReadForTheHook_ThenSkippedWithoutSubject()
    {
        // Arrange
        var json = Request("""{"resourceType":"Observation","id":"hr-4","code":{"coding":[{"system":"http://loinc.org","code":"8867-4"}]},"valueQuantity":{"value":"fast"}}""");

        // Act
        var (request, error) = Read(json, readWhole: false);

        // Assert
        Assert.Null(error);
        var skipped = Assert.IsType<SkippedResource>(((Bundle)request!.Prefetch!["observations"]!).Entry![1].Resource);
        Assert.Null(skipped.Subject);
        Assert.Equal(PatientLink.Unlinked, PatientScope.Link(skipped, "pat-1", null));
    }

    /// <summary>Relevance is decided per coding, as the facts mapper decides it: any relevant coding makes
    /// the Observation relevant, whatever else it carries; a code outside the contract's systems, or a
    /// coding without system or code, is not relevant.</summary>
    [Theory]
    [InlineData("""[{"system":"http://loinc.org","code":"8310-5"}]""", true)]
    [InlineData("""[{"code":"8310-5","system":"http://loinc.org","display":"Body temperature"}]""", true)]
    [InlineData("""[{"system":"http://example.org/local","code":"T"},{"system":"http://loinc.org","code":"8310-5"}]""", true)]
    [InlineData("""[{"system":"http://cartcds.org/fhir/CodeSystem/cartcds","code":"ice-score"}]""", true)]
    [InlineData("""[{"system":"http://loinc.org","code":"2276-4"}]""", true)]               // ferritin (a lab)
    [InlineData("""[{"system":"http://loinc.org","code":"\u0038310-5"}]""", true)]           // escaped, same code
    [InlineData("""[{"system":"http://loinc.org","code":"8867-4"}]""", false)]              // heart rate
    [InlineData("""[{"system":"http://loinc.org","code":"59408-5"}]""", false)]             // SpO2: profiled, no rule reads it
    [InlineData("""[{"system":"http://snomed.info/sct","code":"8310-5"}]""", false)]
    [InlineData("""[{"system":"http://loinc.org","code":"8310-5 "}]""", false)]
    [InlineData("""[{"system":"http://loinc.org"}]""", false)]
    [InlineData("""[{"code":"8310-5"}]""", false)]
    [InlineData("""[]""", false)]
    public void GivenAnObservationsCoding_WhenReadForTheHook_ThenOnlyOneWithARelevantCodeIsMaterialised(string coding, bool relevant)
    {
        // Arrange
        var json = Request($$"""{"resourceType":"Observation","id":"o-1","subject":{"reference":"Patient/pat-1"},"code":{"coding":{{coding}} } }""");

        // Act
        var (request, error) = Read(json, readWhole: false);

        // Assert
        Assert.Null(error);
        var read = ((Bundle)request!.Prefetch!["observations"]!).Entry![1].Resource;
        Assert.Equal(relevant ? typeof(Observation) : typeof(SkippedResource), read!.GetType());
        Assert.Equal("Observation/o-1", read.TypedId);
    }

    /// <summary>Only the chart is skipped: an irrelevant Observation contained in another resource or among
    /// the draft orders is read whole, so a fault in it refuses the call as before.</summary>
    [Theory]
    [InlineData("""{"hook":"patient-view","context":{"patientId":"pat-1"},"prefetch":{"conditions":{"resourceType":"Bundle","type":"searchset","entry":[{"resource":{"resourceType":"Condition","id":"c1","contained":[{"resourceType":"Observation","code":{"coding":[{"system":"http://loinc.org","code":"8867-4"}]},"status":7}]}}]}}}""",
        "prefetch.conditions.entry[0].resource.contained[0].status")]
    [InlineData("""{"hook":"order-sign","context":{"patientId":"pat-1","draftOrders":{"resourceType":"Bundle","type":"collection","entry":[{"resource":{"resourceType":"Observation","code":{"coding":[{"system":"http://loinc.org","code":"8867-4"}]},"status":7}}]}}}""",
        "context.draftOrders.entry[0].resource.status")]
    [InlineData("""{"hook":"order-sign","context":{"patientId":"pat-1","draftOrders":{"resourceType":"Observation","code":{"coding":[{"system":"http://loinc.org","code":"8867-4"}]},"status":7}}}""",
        "context.draftOrders.status")]
    public void GivenAFaultyIrrelevantObservationOutsideTheChart_WhenReadForTheHook_Then400AsReadWhole(string json, string expression)
    {
        // Act
        var (_, hookError) = Read(json, readWhole: false);
        var (_, wholeError) = Read(json, readWhole: true);

        // Assert
        Assert.Equal(expression, Where(wholeError!));
        Assert.Equal(expression, Where(hookError!));
    }

    [Fact]
    public async Task GivenTheSameIrrelevantObservationUnderTwoKeys_WhenResolved_ThenItIsKeptOnce()
    {
        // Arrange
        var json = $$"""
            {"hook":"patient-view","hookInstance":"d1577c69-dfbe-44ad-ba6d-3e05e953b2ea","context":{"patientId":"pat-1"},
             "prefetch":{"patient":{{Patient}},"observations":{{Searchset(Fever, HeartRate())}},"medicationAdministrations":null,
               "procedures":{{Searchset(Infusion)}},"conditions":{{Searchset(HeartRate())}}}
            }
            """;
        var (request, error) = Read(json, readWhole: false);
        Assert.Null(error);
        var service = new CdsServiceCatalog().Find(CdsServiceCatalog.ToxicityId)!;

        // Act
        var (record, resolveError) = await new PrefetchResolver(FakeFhirQueryClient.Unreachable())
            .ResolveAsync(service, request!, request!.Context!, "pat-1", CancellationToken.None);

        // Assert
        Assert.Null(resolveError);
        Assert.Single(record!.Resources, r => r.TypedId == "Observation/hr-1");
        Assert.IsType<SkippedResource>(record.Resources.Single(r => r.TypedId == "Observation/hr-1"));
    }

    [Fact]
    public void GivenASkippedObservation_WhenTheRequestIsWrittenBack_ThenItRefusesRatherThanDropData()
    {
        // Arrange
        var (request, _) = Read(Request(HeartRate()), readWhole: false);

        // Act
        var ex = Assert.Throws<InvalidOperationException>(() => JsonSerializer.Serialize(request!, CdsJson.Request));

        // Assert
        Assert.Contains("Observation/hr-1", ex.Message, StringComparison.Ordinal);
    }
}
