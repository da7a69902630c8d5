using System.Net;
using System.Text;
using CarTCds.Service.Tests.TestSupport;

namespace CarTCds.Service.Tests;

/// <summary>Requests an EHR (or anything else) may send wrongly: each gets its own status and an
/// OperationOutcome saying what was wrong and where; never a 500.</summary>
[Collection(CarTCdsServiceCollection.Name)]
public sealed class BadRequestTests(CarTCdsWebApplicationFactory factory)
{
    private readonly HttpClient _client = factory.CreateClient();

    private const string Context = """{"userId":"Practitioner/prac-1","patientId":"pat-1"}""";

    // ---- body: content type, size, JSON syntax ------------------------------------------

    [Fact]
    public async Task GivenTruncatedJson_WhenToxicityIsCalled_Then400Structure()
    {
        // Arrange
        var full = HookJson.Toxicity();
        var truncated = full[..(full.Length / 2)];

        // Act
        var response = await _client.PostJsonAsync(HookJson.ToxicityPath, truncated);

        // Assert
        await response.AssertOperationOutcomeAsync(HttpStatusCode.BadRequest, "structure", null, "The request body is not valid CDS Hooks JSON", "(line ");
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/xml")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData("text/json")]
    [InlineData("application/jsonp")]
    public async Task GivenANonJsonContentType_WhenToxicityIsCalled_Then415(string contentType)
    {
        // Act
        var response = await _client.PostJsonAsync(HookJson.ToxicityPath, HookJson.Toxicity(), contentType);

        // Assert
        await response.AssertOperationOutcomeAsync(HttpStatusCode.UnsupportedMediaType, "not-supported", null,
            "Content-Type must be application/json", $"(was '{contentType}')");
    }

    [Fact]
    public async Task GivenNoContentType_WhenToxicityIsCalled_Then415()
    {
        // Act
        var response = await _client.PostBytesAsync(HookJson.ToxicityPath, Encoding.UTF8.GetBytes(HookJson.Toxicity()), contentType: null);

        // Assert
        await response.AssertOperationOutcomeAsync(HttpStatusCode.UnsupportedMediaType, "not-supported", null, "(was '(none)')");
    }

    [Fact]
    public async Task GivenAnEmptyBody_WhenToxicityIsCalled_Then400()
    {
        // Act
        var response = await _client.PostBytesAsync(HookJson.ToxicityPath, []);

        // Assert
        await response.AssertOperationOutcomeAsync(HttpStatusCode.BadRequest, "structure", null, "The request body is empty");
    }

    [Fact]
    public async Task GivenAJsonNullBody_WhenToxicityIsCalled_Then400()
    {
        // Act
        var response = await _client.PostJsonAsync(HookJson.ToxicityPath, "null");

        // Assert
        await response.AssertOperationOutcomeAsync(HttpStatusCode.BadRequest, "structure", null, "JSON null");
    }

    [Fact]
    public async Task GivenAJsonArrayBody_WhenToxicityIsCalled_Then400()
    {
        // Act
        var response = await _client.PostJsonAsync(HookJson.ToxicityPath, $"[{HookJson.Toxicity()}]");

        // Assert
        await response.AssertOperationOutcomeAsync(HttpStatusCode.BadRequest, "structure", null, "not valid CDS Hooks JSON");
    }

    [Fact]
    public async Task GivenABodyOverTheLimitWithContentLength_WhenToxicityIsCalled_Then413TooCostly()
    {
        // Arrange: limit + 1 bytes of otherwise valid JSON (padding inside an extension).
        var body = Padded(CarTCdsWebApplicationFactory.MaxRequestBodyBytes + 1);

        // Act
        var response = await _client.PostBytesAsync(HookJson.ToxicityPath, body);

        // Assert
        await response.AssertOperationOutcomeAsync(HttpStatusCode.RequestEntityTooLarge, "too-costly", null,
            $"larger than the limit of {CarTCdsWebApplicationFactory.MaxRequestBodyBytes} bytes");
    }

    [Fact]
    public async Task GivenABodyOverTheLimitSentChunked_WhenToxicityIsCalled_Then413TooCostly()
    {
        // Arrange: no Content-Length, so the limit is found while reading.
        var body = Padded(CarTCdsWebApplicationFactory.MaxRequestBodyBytes + 1);
        using var content = new StreamContent(new NonSeekableStream(body));
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");

        // Act
        var response = await _client.PostAsync(new Uri(HookJson.ToxicityPath, UriKind.Relative), content);

        // Assert
        Assert.Null(content.Headers.ContentLength);
        await response.AssertOperationOutcomeAsync(HttpStatusCode.RequestEntityTooLarge, "too-costly", null, "larger than the limit");
    }

    [Fact]
    public async Task GivenABodyExactlyAtTheLimit_WhenToxicityIsCalled_Then200()
    {
        // Arrange
        var body = Padded(CarTCdsWebApplicationFactory.MaxRequestBodyBytes);

        // Act
        var response = await _client.PostBytesAsync(HookJson.ToxicityPath, body);

        // Assert
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task GivenAUtf8ByteOrderMark_WhenToxicityIsCalled_ThenTheMarkIsIgnoredAndCardsReturned()
    {
        // Arrange: RFC 8259 §8.1: senders MUST NOT add a BOM, but a parser MAY ignore it, and
        // some EHR stacks send one. Ignoring it loses nothing.
        byte[] body = [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(HookJson.Toxicity())];

        // Act
        var response = await _client.PostBytesAsync(HookJson.ToxicityPath, body);

        // Assert
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("CRS grade 4", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    // ---- the CDS Hooks request fields ----------------------------------------------------

    public static TheoryData<string, string, string, string, string> InvalidRequests => new()
    {
        {
            "missing hook",
            $$"""{"hookInstance":"{{HookJson.HookInstance}}","context":{{Context}},"prefetch":{{HookJson.ToxicityPrefetch()}}}""",
            "required", "hook", "'hook' is required"
        },
        {
            "empty hook",
            $$"""{"hook":"","hookInstance":"{{HookJson.HookInstance}}","context":{{Context}},"prefetch":{{HookJson.ToxicityPrefetch()}}}""",
            "required", "hook", "'hook' is required"
        },
        {
            "missing hookInstance",
            $$"""{"hook":"patient-view","context":{{Context}},"prefetch":{{HookJson.ToxicityPrefetch()}}}""",
            "required", "hookInstance", "'hookInstance' is required"
        },
        {
            "hookInstance not a UUID",
            $$"""{"hook":"patient-view","hookInstance":"call-42","context":{{Context}},"prefetch":{{HookJson.ToxicityPrefetch()}}}""",
            "value", "hookInstance", "'hookInstance' must be a UUID"
        },
        {
            "missing context",
            $$"""{"hook":"patient-view","hookInstance":"{{HookJson.HookInstance}}","prefetch":{{HookJson.ToxicityPrefetch()}}}""",
            "required", "context", "'context' is required"
        },
        {
            "missing context.patientId",
            $$"""{"hook":"patient-view","hookInstance":"{{HookJson.HookInstance}}","context":{"userId":"Practitioner/prac-1"},"prefetch":{{HookJson.ToxicityPrefetch()}}}""",
            "required", "context.patientId", "'context.patientId' is required"
        },
        {
            "hook of another service",
            $$"""{"hook":"order-sign","hookInstance":"{{HookJson.HookInstance}}","context":{{Context}},"prefetch":{{HookJson.ToxicityPrefetch()}}}""",
            "not-supported", "hook", "answers the 'patient-view' hook, not 'order-sign'"
        },
        {
            "fhirServer not a URL",
            HookJson.Toxicity(extraMembers: """, "fhirServer": "ehr.example.org/fhir" """),
            "value", "fhirServer", "'fhirServer' must be an absolute http(s) URL"
        },
        {
            "fhirServer not http(s)",
            HookJson.Toxicity(extraMembers: """, "fhirServer": "ftp://ehr.example.org/fhir" """),
            "value", "fhirServer", "'fhirServer' must be an absolute http(s) URL"
        },
        {
            "fhirAuthorization token_type MAC",
            HookJson.Toxicity(extraMembers: """, "fhirServer": "https://ehr.example.org/fhir", "fhirAuthorization": {"access_token":"abc","token_type":"MAC","expires_in":300,"scope":"patient/*.read","subject":"cartcds"}"""),
            "value", "fhirAuthorization.token_type", "must be 'Bearer'"
        },
        {
            "fhirAuthorization without access_token",
            HookJson.Toxicity(extraMembers: """, "fhirServer": "https://ehr.example.org/fhir", "fhirAuthorization": {"token_type":"Bearer","expires_in":300,"scope":"patient/*.read","subject":"cartcds"}"""),
            "required", "fhirAuthorization.access_token", "'fhirAuthorization.access_token' is required"
        },
        {
            "Observation under the patient key",
            HookJson.Toxicity(HookJson.ToxicityPrefetch("patient", HookJson.Temperature)),
            "invalid", "prefetch.patient", "Prefetch 'patient' must be a Patient but is a Observation"
        },
        {
            "unknown resource type under the patient key",
            HookJson.Toxicity(HookJson.ToxicityPrefetch("patient", """{"resourceType":"Practitioner","id":"pat-1"}""")),
            "invalid", "prefetch.patient", "must be a Patient but is a Practitioner"
        },
        {
            "Patient under a search key",
            HookJson.Toxicity(HookJson.ToxicityPrefetch("observations", HookJson.Patient)),
            "invalid", "prefetch.observations", "Prefetch 'observations' must be a searchset Bundle of Observation but is a Patient"
        },
        {
            "transaction Bundle under a search key",
            HookJson.Toxicity(HookJson.ToxicityPrefetch("observations", """{"resourceType":"Bundle","type":"transaction","entry":[]}""")),
            "invalid", "prefetch.observations.type", "must be a Bundle of type searchset"
        },
        {
            "Patient of another id",
            HookJson.Toxicity(HookJson.ToxicityPrefetch("patient", HookJson.OtherPatient)),
            "invalid", "prefetch.patient", "is Patient/pat-2 but context.patientId is pat-1: refusing to mix patients"
        },
        {
            "observation of another patient",
            HookJson.Toxicity(HookJson.ToxicityPrefetch("observations", HookJson.Searchset(HookJson.ForeignTemperature))),
            "invalid", "prefetch.observations.entry[0]", "belongs to another patient (Patient/pat-2)"
        },
        {
            "observation of another patient by absolute reference, second entry",
            HookJson.Toxicity(HookJson.ToxicityPrefetch("observations", HookJson.Searchset(HookJson.Temperature,
                HookJson.ForeignTemperature.Replace("\"Patient/pat-2\"", "\"https://ehr.example.org/fhir/Patient/pat-2\"", StringComparison.Ordinal)))),
            "invalid", "prefetch.observations.entry[1]", "refusing to mix patients"
        },
    };

    [Theory]
    [MemberData(nameof(InvalidRequests))]
    public async Task GivenAnInvalidHookRequest_WhenToxicityIsCalled_Then400NamingTheField(string name, string body, string code, string expression, string diagnostics)
    {
        // Act
        var response = await _client.PostJsonAsync(HookJson.ToxicityPath, body);

        // Assert
        Assert.False(string.IsNullOrEmpty(name));
        await response.AssertOperationOutcomeAsync(HttpStatusCode.BadRequest, code, expression, diagnostics);
    }

    [Fact]
    public async Task GivenAHookOfAnotherService_WhenToxicityIsCalled_Then400MentioningBothHooks()
    {
        // Arrange
        var body = HookJson.Toxicity().Replace("\"patient-view\"", "\"order-sign\"", StringComparison.Ordinal);

        // Act
        var response = await _client.PostJsonAsync(HookJson.ToxicityPath, body);

        // Assert
        await response.AssertOperationOutcomeAsync(HttpStatusCode.BadRequest, "not-supported", "hook", "cart-toxicity", "patient-view", "order-sign");
    }

    [Fact]
    public async Task GivenAnUnknownService_WhenCalled_Then404ListingTheKnownServices()
    {
        // Act
        var response = await _client.PostJsonAsync("/cds-services/cart-nope", HookJson.Toxicity());

        // Assert
        await response.AssertOperationOutcomeAsync(HttpStatusCode.NotFound, "not-found", null,
            "Unknown CDS service 'cart-nope'", "cart-toxicity, cart-eligibility, cart-order-check");
    }

    [Fact]
    public async Task GivenAnUnknownServiceAndAGarbageBody_WhenCalled_ThenStill404()
    {
        // Act
        var response = await _client.PostJsonAsync("/cds-services/cart-nope", "{not json", "text/plain");

        // Assert
        await response.AssertOperationOutcomeAsync(HttpStatusCode.NotFound, "not-found", null, "Unknown CDS service 'cart-nope'");
    }

    [Fact]
    public async Task GivenHookAsANumber_WhenToxicityIsCalled_Then400StructureNamingTheField()
    {
        // Arrange
        var body = HookJson.Toxicity().Replace("\"hook\": \"patient-view\"", "\"hook\": 42", StringComparison.Ordinal);
        Assert.Contains("\"hook\": 42", body, StringComparison.Ordinal);

        // Act
        var response = await _client.PostJsonAsync(HookJson.ToxicityPath, body);

        // Assert: expression is FHIRPath-style like every other issue ("hook", "context.patientId").
        await response.AssertOperationOutcomeAsync(HttpStatusCode.BadRequest, "structure", "hook", "not valid CDS Hooks JSON", "hook");
    }

    [Fact]
    public async Task GivenContextPatientIdAsAnObject_WhenToxicityIsCalled_Then400StructureNamingTheField()
    {
        // Arrange
        var body = HookJson.Toxicity(context: """{"userId":"Practitioner/prac-1","patientId":{"reference":"Patient/pat-1"}}""");

        // Act
        var response = await _client.PostJsonAsync(HookJson.ToxicityPath, body);

        // Assert
        await response.AssertOperationOutcomeAsync(HttpStatusCode.BadRequest, "structure", "context.patientId", "not valid CDS Hooks JSON", "patientId");
    }

    [Theory]
    [InlineData("top level", """{"hook":"patient-view","hook":"patient-view","hookInstance":"d1577c69-dfbe-44ad-ba6d-3e05e953b2ea","context":{"patientId":"pat-1"},"prefetch":{}}""")]
    [InlineData("in context", """{"hook":"patient-view","hookInstance":"d1577c69-dfbe-44ad-ba6d-3e05e953b2ea","context":{"patientId":"pat-1","patientId":"pat-2"},"prefetch":{}}""")]
    [InlineData("prefetch key", """{"hook":"patient-view","hookInstance":"d1577c69-dfbe-44ad-ba6d-3e05e953b2ea","context":{"patientId":"pat-1"},"prefetch":{"patient":null,"patient":{"resourceType":"Patient","id":"pat-1"}}}""")]
    [InlineData("inside a resource", """{"hook":"patient-view","hookInstance":"d1577c69-dfbe-44ad-ba6d-3e05e953b2ea","context":{"patientId":"pat-1"},"prefetch":{"patient":{"resourceType":"Patient","id":"pat-1","id":"pat-2"}}}""")]
    public async Task GivenADuplicateProperty_WhenToxicityIsCalled_Then400Structure(string where, string body)
    {
        // Act
        var response = await _client.PostJsonAsync(HookJson.ToxicityPath, body);

        // Assert
        Assert.False(string.IsNullOrEmpty(where));
        await response.AssertOperationOutcomeAsync(HttpStatusCode.BadRequest, "structure", null, "not valid CDS Hooks JSON");
    }

    // ---- order hooks ---------------------------------------------------------------------

    [Fact]
    public async Task GivenOrderSignWithoutDraftOrders_WhenOrderCheckIsCalled_Then400()
    {
        // Arrange
        var body = $$"""
            {"hook":"order-sign","hookInstance":"{{HookJson.HookInstance}}","context":{{Context}},"prefetch":{{HookJson.OrderPrefetch(false)}}}
            """;

        // Act
        var response = await _client.PostJsonAsync(HookJson.OrderCheckPath, body);

        // Assert
        await response.AssertOperationOutcomeAsync(HttpStatusCode.BadRequest, "required", "context.draftOrders", "'context.draftOrders' (a Bundle) is required for order-sign");
    }

    [Fact]
    public async Task GivenDraftOrdersThatAreNotABundle_WhenOrderCheckIsCalled_Then400()
    {
        // Arrange
        var body = $$"""
            {"hook":"order-sign","hookInstance":"{{HookJson.HookInstance}}",
             "context":{"userId":"Practitioner/prac-1","patientId":"pat-1","draftOrders":{"resourceType":"MedicationRequest","id":"mr-1","status":"draft"} },
             "prefetch":{{HookJson.OrderPrefetch(false)}}}
            """;

        // Act
        var response = await _client.PostJsonAsync(HookJson.OrderCheckPath, body);

        // Assert
        await response.AssertOperationOutcomeAsync(HttpStatusCode.BadRequest, "invalid", "context.draftOrders", "must be a Bundle, not a MedicationRequest");
    }

    [Fact]
    public async Task GivenADraftOrderForAnotherPatient_WhenOrderCheckIsCalled_Then400RefusingToMixPatients()
    {
        // Arrange: context.patientId is pat-1, the draft order is written for pat-2.
        var drafts = HookJson.DraftOrders.Replace("\"Patient/pat-1\"", "\"Patient/pat-2\"", StringComparison.Ordinal);
        var body = $$"""
            {"hook":"order-sign","hookInstance":"{{HookJson.HookInstance}}",
             "context":{"userId":"Practitioner/prac-1","patientId":"pat-1","draftOrders":{{drafts}}},
             "prefetch":{{HookJson.OrderPrefetch(false)}}}
            """;

        // Act
        var response = await _client.PostJsonAsync(HookJson.OrderCheckPath, body);

        // Assert
        await response.AssertOperationOutcomeAsync(HttpStatusCode.BadRequest, "invalid", "context.draftOrders.entry[0]", "Patient/pat-2", "refusing to mix patients");
    }

    [Theory]
    [InlineData("missing", "")]
    [InlineData("empty", ",\"selections\":[]")]
    public async Task GivenOrderSelectWithoutSelections_WhenEligibilityIsCalled_Then400(string how, string selections)
    {
        // Arrange
        var body = $$"""
            {"hook":"order-select","hookInstance":"{{HookJson.HookInstance}}",
             "context":{"userId":"Practitioner/prac-1","patientId":"pat-1","draftOrders":{{HookJson.DraftOrders}}{{selections}}},
             "prefetch":{{HookJson.OrderPrefetch(true)}}}
            """;

        // Act
        var response = await _client.PostJsonAsync(HookJson.EligibilityPath, body);

        // Assert
        Assert.False(string.IsNullOrEmpty(how));
        await response.AssertOperationOutcomeAsync(HttpStatusCode.BadRequest, "required", "context.selections", "'context.selections'", "order-select");
    }

    // ---- helpers -------------------------------------------------------------------------

    /// <summary>A valid toxicity request padded (in a top-level extension) to exactly <paramref name="size"/> bytes.</summary>
    private static byte[] Padded(long size)
    {
        var template = HookJson.Toxicity(extraMembers: """, "extension": {"com.example.padding": "#"}""");
        var baseLength = Encoding.UTF8.GetByteCount(template) - 1;
        var padding = new string('x', checked((int)(size - baseLength)));
        var body = Encoding.UTF8.GetBytes(template.Replace("\"#\"", "\"" + padding + "\"", StringComparison.Ordinal));
        Assert.Equal(size, body.LongLength);
        return body;
    }

    /// <summary>A stream without a length, so HttpClient sends no Content-Length.</summary>
    private sealed class NonSeekableStream(byte[] data) : Stream
    {
        private readonly MemoryStream _inner = new(data);
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, count);
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
