using System.Text;
using CarTCds.Service.Tests.TestSupport;

namespace CarTCds.Service.Tests;

/// <summary>Whatever arrives, the answer is a 4xx with an OperationOutcome: never a 500, never
/// a stack trace, never an empty body.</summary>
[Collection(CarTCdsServiceCollection.Name)]
public sealed class GarbageBodyTests(CarTCdsWebApplicationFactory factory)
{
    private readonly HttpClient _client = factory.CreateClient();

    private const string Head = """{"hook":"patient-view","hookInstance":"d1577c69-dfbe-44ad-ba6d-3e05e953b2ea","context":{"patientId":"pat-1"},"prefetch":""";

    private static readonly Dictionary<string, byte[]> HookBodies = new(StringComparer.Ordinal)
    {
        ["open brace"] = Utf8("{"),
        ["empty array"] = Utf8("[]"),
        ["string"] = Utf8("\"x\""),
        ["number"] = Utf8("42"),
        ["true"] = Utf8("true"),
        ["whitespace only"] = Utf8("   \r\n\t "),
        ["hook is an object"] = Utf8("""{"hook":{}}"""),
        ["hookInstance is an array"] = Utf8("""{"hookInstance":[1,2]}"""),
        ["prefetch is an array"] = Utf8("""{"prefetch":[]}"""),
        ["context is a string"] = Utf8("""{"context":"x"}"""),
        ["selections is a string"] = Utf8("""{"context":{"selections":"x"}}"""),
        ["draftOrders is an array"] = Utf8("""{"context":{"draftOrders":[]}}"""),
        ["fhirAuthorization is a string"] = Utf8("""{"fhirAuthorization":"Bearer abc"}"""),
        ["expires_in overflows"] = Utf8("""{"fhirAuthorization":{"access_token":"a","token_type":"Bearer","expires_in":1e400}}"""),
        ["prefetch value is a string"] = Utf8("""{"prefetch":{"patient":"Patient/pat-1"}}"""),
        ["prefetch resource without resourceType"] = Utf8("""{"prefetch":{"patient":{"id":"pat-1"}}}"""),
        ["resourceType is a number"] = Utf8("""{"prefetch":{"patient":{"resourceType":7}}}"""),
        ["birthDate is a number"] = Utf8(Head + """{"patient":{"resourceType":"Patient","id":"pat-1","birthDate":20010304}}}"""),
        ["quantity value overflows"] = Utf8(Head + """{"observations":{"resourceType":"Bundle","type":"searchset","entry":[{"resource":{"resourceType":"Observation","valueQuantity":{"value":1e400}}}]}}}"""),
        ["searchset entry is null"] = Utf8(Head + """{"patient":null,"observations":{"resourceType":"Bundle","type":"searchset","entry":[null]},"medicationAdministrations":null,"procedures":null,"conditions":null}}"""),
        ["searchset entry is a string"] = Utf8(Head + """{"observations":{"resourceType":"Bundle","type":"searchset","entry":["x"]}}}"""),
        ["coding holds null"] = Utf8(Head + """{"patient":null,"observations":{"resourceType":"Bundle","type":"searchset","entry":[{"resource":{"resourceType":"Observation","id":"o1","status":"final","code":{"coding":[null]},"effectiveDateTime":"2013-05-19T08:00:00Z"}}]},"medicationAdministrations":null,"procedures":null,"conditions":null}}"""),
        ["trailing garbage"] = Utf8("""{"hook":"patient-view"} x"""),
        ["two documents"] = Utf8("""{"hook":"patient-view"}{"hook":"patient-view"}"""),
        ["comment"] = Utf8("""/* hi */ {"hook":"patient-view"}"""),
        ["trailing comma"] = Utf8("""{"hook":"patient-view",}"""),
        ["single quotes"] = Utf8("""{'hook':'patient-view'}"""),
        ["NaN"] = Utf8("""{"fhirAuthorization":{"expires_in":NaN}}"""),
        ["lone surrogate escape"] = Utf8("""{"hook":"\uD800"}"""),
        ["200 nested arrays"] = Utf8(new string('[', 200) + new string(']', 200)),
        ["200 nested objects in context"] = Utf8("""{"context":""" + string.Concat(Enumerable.Repeat("""{"a":""", 200)) + "1" + new string('}', 200) + "}"),
        ["200 nested objects in an extension"] = Utf8("""{"extension":""" + string.Concat(Enumerable.Repeat("""{"a":""", 200)) + "1" + new string('}', 200) + "}"),
        ["200 nested objects in a resource"] = Utf8(Head + """{"patient":{"resourceType":"Patient","id":"pat-1","x":""" + string.Concat(Enumerable.Repeat("""{"a":""", 200)) + "1" + new string('}', 200) + "}}}"),
        ["invalid UTF-8 start byte"] = [0xFF, 0xFE, 0x7B, 0x7D],
        ["invalid UTF-8 in a string value"] = [.. Utf8("""{"hook":"patient"""), 0xC3, 0x28, .. Utf8("""view"}""")],
        ["invalid UTF-8 in a property name"] = [.. Utf8("""{"ho"""), 0xE2, 0x28, 0xA1, .. Utf8("""ok":"patient-view"}""")],
        ["invalid UTF-8 in context.patientId"] = [.. Utf8("""{"hook":"patient-view","hookInstance":"d1577c69-dfbe-44ad-ba6d-3e05e953b2ea","context":{"patientId":"pat"""), 0xF0, 0x28, 0x8C, 0x28, .. Utf8("""-1"},"prefetch":{"patient":null,"observations":null,"medicationAdministrations":null,"procedures":null,"conditions":null}}""")],
        ["NUL bytes"] = [0x00, 0x00, 0x00, 0x00],
        ["2 MB string value"] = Utf8("""{"hook":"patient-view","extension":{"x":""" + "\"" + new string('a', 2 * 1024 * 1024) + "\"}}"),
    };

    public static TheoryData<string> HookCases => new(HookBodies.Keys);

    [Theory]
    [MemberData(nameof(HookCases))]
    public async Task GivenAGarbageBody_WhenAHookServiceIsCalled_Then4xxWithAnOperationOutcome(string name)
    {
        // Arrange
        var body = HookBodies[name];

        // Act
        var response = await _client.PostBytesAsync(HookJson.ToxicityPath, body);

        // Assert
        await response.AssertClientErrorOutcomeAsync();
    }

    private static readonly Dictionary<string, string> DraftOrderBundles = new(StringComparer.Ordinal)
    {
        ["entry is null"] = """{"resourceType":"Bundle","type":"collection","entry":[null]}""",
        ["entry is a number"] = """{"resourceType":"Bundle","type":"collection","entry":[1]}""",
        ["medication coding holds null"] = """{"resourceType":"Bundle","type":"collection","entry":[{"resource":{"resourceType":"MedicationRequest","id":"mr-1","status":"draft","intent":"order","medicationCodeableConcept":{"coding":[null]},"subject":{"reference":"Patient/pat-1"}}}]}""",
        ["resource without resourceType"] = """{"resourceType":"Bundle","type":"collection","entry":[{"resource":{"id":"mr-1"}}]}""",
    };

    public static TheoryData<string> DraftOrderCases => new(DraftOrderBundles.Keys);

    [Theory]
    [MemberData(nameof(DraftOrderCases))]
    public async Task GivenGarbageDraftOrders_WhenEligibilityIsCalled_Then4xxWithAnOperationOutcome(string name)
    {
        // Arrange: a valid order-select call except for its draftOrders.
        var body = $$"""
            {"hook":"order-select","hookInstance":"{{HookJson.HookInstance}}",
             "context":{"userId":"Practitioner/prac-1","patientId":"pat-1","selections":["MedicationRequest/mr-1"],"draftOrders":{{DraftOrderBundles[name]}}},
             "prefetch":{{HookJson.OrderPrefetch(true)}}}
            """;

        // Act
        var response = await _client.PostJsonAsync(HookJson.EligibilityPath, body);

        // Assert
        await response.AssertClientErrorOutcomeAsync();
    }

    private static readonly Dictionary<string, string> FeedbackBodies = new(StringComparer.Ordinal)
    {
        ["open brace"] = "{",
        ["array"] = "[]",
        ["feedback is an object"] = """{"feedback":{}}""",
        ["feedback entry is null"] = """{"feedback":[null]}""",
        ["feedback entry is a string"] = """{"feedback":["x"]}""",
        ["accepted suggestion is null"] = """{"feedback":[{"card":"c1","outcome":"accepted","acceptedSuggestions":[null],"outcomeTimestamp":"2013-05-19T12:05:00Z"}]}""",
        ["outcome is a number"] = """{"feedback":[{"card":"c1","outcome":1,"outcomeTimestamp":"2013-05-19T12:05:00Z"}]}""",
        ["overrideReason is a string"] = """{"feedback":[{"card":"c1","outcome":"overridden","overrideReason":"because","outcomeTimestamp":"2013-05-19T12:05:00Z"}]}""",
        ["duplicate outcome"] = """{"feedback":[{"card":"c1","outcome":"accepted","outcome":"overridden","outcomeTimestamp":"2013-05-19T12:05:00Z"}]}""",
        ["200 nested arrays"] = new string('[', 200) + new string(']', 200),
    };

    public static TheoryData<string> FeedbackCases => new(FeedbackBodies.Keys);

    [Theory]
    [MemberData(nameof(FeedbackCases))]
    public async Task GivenAGarbageBody_WhenFeedbackIsPosted_Then4xxWithAnOperationOutcome(string name)
    {
        // Act
        var response = await _client.PostJsonAsync("/cds-services/cart-toxicity/feedback", FeedbackBodies[name]);

        // Assert
        await response.AssertClientErrorOutcomeAsync();
    }

    private static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);
}
