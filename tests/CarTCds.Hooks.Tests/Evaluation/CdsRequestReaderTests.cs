using System.Text;
using CarTCds.Fhir.Model;
using CarTCds.Hooks.Contract;
using CarTCds.Hooks.Evaluation;

namespace CarTCds.Hooks.Tests.Evaluation;

public sealed class CdsRequestReaderTests
{
    private static (CdsHookRequest? Request, HookError? Error) Read(string json) => CdsRequestReader.Read(Encoding.UTF8.GetBytes(json));

    /// <summary>The issue's one expression, written either as a JSON path (<c>$.context.patientId</c>)
    /// or FHIRPath-style (<c>context.patientId</c>); returned in the second form.</summary>
    private static string Where(HookError error)
    {
        var e = Assert.Single(Assert.Single(error.Outcome.Issue!).Expression!);
        return e.StartsWith("$.", StringComparison.Ordinal) ? e[2..] : e;
    }

    private const string Valid = """
        {"hook":"patient-view","hookInstance":"d1577c69-dfbe-44ad-ba6d-3e05e953b2ea",
         "context":{"userId":"Practitioner/abc","patientId":"p1"},
         "prefetch":{"patient":{"resourceType":"Patient","id":"p1","birthDate":"2005-01-01"},"observations":null},
         "extension":{"com.example.anything":{"x":[1,2]}}}
        """;

    [Fact]
    public void GivenAValidRequest_WhenRead_ThenEveryPrefetchStateIsKept()
    {
        var (request, error) = Read(Valid);

        Assert.Null(error);
        Assert.Equal("patient-view", request!.Hook);
        Assert.Equal("p1", request.Context!.PatientId);
        Assert.IsType<Patient>(request.Prefetch!["patient"]);
        Assert.True(request.Prefetch.ContainsKey("observations"));
        Assert.Null(request.Prefetch["observations"]);
        Assert.False(request.Prefetch.ContainsKey("procedures"));
        Assert.NotNull(request.Extension);
    }

    [Fact]
    public void GivenTruncatedJson_WhenRead_Then400StructureWithPosition()
    {
        var (request, error) = Read("""{"hook":"patient-view","context":{"patientId":"p1",""");

        Assert.Null(request);
        Assert.Equal(400, error!.StatusCode);
        var issue = Assert.Single(error.Outcome.Issue!);
        Assert.Equal("structure", issue.Code);
        Assert.StartsWith("The request body is not valid CDS Hooks JSON", issue.Diagnostics, StringComparison.Ordinal);
        Assert.Contains("(line 1, byte", issue.Diagnostics, StringComparison.Ordinal);
        Assert.StartsWith("context", Where(error), StringComparison.Ordinal);
    }

    [Fact]
    public void GivenADuplicateProperty_WhenRead_Then400AtThatProperty()
    {
        var (request, error) = Read("""{"hook":"patient-view","hook":"order-sign","context":{"patientId":"p1"}}""");

        Assert.Null(request);
        Assert.Equal(400, error!.StatusCode);
        Assert.Equal("hook", Where(error));
        Assert.Contains("hook", Assert.Single(error.Outcome.Issue!).Diagnostics, StringComparison.Ordinal);
    }

    /// <summary>The 400 must point where the fault is in the request: at least at the embedded
    /// resource (which prefetch key, or draftOrders), never at a root property the request lacks.</summary>
    [Theory]
    [InlineData("""{"hook":"patient-view","prefetch":{"patient":{"resourceType":"Patient","id":"p1","id":"p2"}}}""", "prefetch.patient", "id")]
    [InlineData("""{"hook":"patient-view","prefetch":{"patient":{"resourceType":"Patient","id":"p1","birthDate":5}}}""", "prefetch.patient", "birthDate")]
    [InlineData("""{"hook":"order-sign","context":{"patientId":"p1","draftOrders":{"resourceType":"Bundle","type":7}}}""", "context.draftOrders", "type")]
    public void GivenAFaultInsideAnEmbeddedResource_WhenRead_Then400AtThatResource(string json, string resourcePath, string member)
    {
        var (request, error) = Read(json);

        Assert.Null(request);
        Assert.Equal(400, error!.StatusCode);
        Assert.StartsWith(resourcePath, Where(error), StringComparison.Ordinal);
        Assert.Contains(member, Assert.Single(error.Outcome.Issue!).Diagnostics, StringComparison.Ordinal);
    }

    /// <summary>Resources are read in place and, on any fault, read again by the serializer from the
    /// same start (ResourceJsonConverter): the 400 must still name the exact member, however deep.</summary>
    [Theory]
    [InlineData("""{"hook":"patient-view","prefetch":{"observations":{"resourceType":"Bundle","entry":[{"resource":{"resourceType":"Observation","status":"final"}},{"resource":{"resourceType":"Observation","valueQuantity":{"value":"38.5"}}}]}}}""",
        "prefetch.observations.entry[1].resource.valueQuantity.value", "Decimal")]
    [InlineData("""{"hook":"patient-view","prefetch":{"observations":{"resourceType":"Bundle","entry":[{"resource":{"resourceType":"Observation","code":{"coding":[null]}}}]}}}""",
        "prefetch.observations.entry[0].resource.code.coding", "null")]
    [InlineData("""{"hook":"patient-view","prefetch":{"observations":{"resourceType":"Bundle","entry":[{"resource":{"resourceType":"Observation","status":"final","status":"amended"}}]}}}""",
        "prefetch.observations.entry[0].resource.status", "status")]
    [InlineData("""{"hook":"patient-view","prefetch":{"meds":{"resourceType":"Bundle","entry":[{"resource":{"resourceType":"MedicationRequest","contained":[{"resourceType":"Medication","code":{"text":3}}]}}]}}}""",
        "prefetch.meds.entry[0].resource.contained[0].code.text", "String")]
    public void GivenAFaultTwoResourcesDeep_WhenRead_Then400AtTheExactMember(string json, string path, string inMessage)
    {
        var (request, error) = Read(json);

        Assert.Null(request);
        Assert.Equal(400, error!.StatusCode);
        Assert.Equal(path, Where(error));
        Assert.Contains(inMessage, Assert.Single(error.Outcome.Issue!).Diagnostics, StringComparison.Ordinal);
    }

    [Fact]
    public void GivenAPrefetchValueThatIsAString_WhenRead_Then400AtThatKey()
    {
        var (request, error) = Read("""{"hook":"patient-view","context":{"patientId":"p1"},"prefetch":{"patient":"Patient/p1"}}""");

        Assert.Null(request);
        Assert.Equal(400, error!.StatusCode);
        Assert.Equal("prefetch.patient", Where(error));
        Assert.Contains("found a string", Assert.Single(error.Outcome.Issue!).Diagnostics, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"hook":42}""", "hook")]
    [InlineData("""{"hook":"patient-view","context":{"selections":"MedicationRequest/1"}}""", "context.selections")]
    [InlineData("""{"hook":"patient-view","prefetch":{"patient":{"id":"p1"}}}""", "prefetch.patient")]
    public void GivenAnIllTypedValue_WhenRead_Then400AtItsPath(string json, string path)
    {
        var (_, error) = Read(json);

        Assert.Equal(400, error!.StatusCode);
        Assert.Equal(path, Where(error));
    }

    [Theory]
    [InlineData("")]
    [InlineData("null")]
    public void GivenAnEmptyOrNullBody_WhenRead_Then400(string json)
    {
        var (request, error) = Read(json);

        Assert.Null(request);
        Assert.Equal(400, error!.StatusCode);
        Assert.Equal("structure", Assert.Single(error.Outcome.Issue!).Code);
    }

    [Fact]
    public void GivenAnInvalidValueCarryingASecret_WhenRead_ThenTheDiagnosticsDoNotEchoIt()
    {
        var (_, error) = Read("""{"hook":"patient-view","fhirAuthorization":{"access_token":["tok-SECRET"]}}""");

        Assert.Equal(400, error!.StatusCode);
        Assert.DoesNotContain("tok-SECRET", error.Outcome.Summary, StringComparison.Ordinal);
        Assert.DoesNotContain("System.", error.Outcome.Summary, StringComparison.Ordinal);
    }
}
