namespace CarTCds.Service.Tests.TestSupport;

/// <summary>Request bodies as an EHR writes them: raw JSON text, not our serializer's output.
/// The clinical picture: patient pat-1 at the fixed evaluation time 2013-05-19T12:00Z, day 107 after
/// a CAR-T infusion (2013-02-01; long enough ago that no day 0–28 monitoring card joins the CRS card), febrile (39.5 °C at 08:00) and on BiPAP (09:00) → ASTCT CRS grade 4.</summary>
public static class HookJson
{
    /// <summary>A FHIR base on loopback where nothing listens (port 9, discard): reads fail fast
    /// with "connection refused", and no test traffic leaves the machine.</summary>
    public const string ClosedFhirServer = "http://127.0.0.1:9/fhir";

    public const string PatientId = "pat-1";
    public const string HookInstance = "d1577c69-dfbe-44ad-ba6d-3e05e953b2ea";
    public const string ToxicityPath = "/cds-services/cart-toxicity";
    public const string EligibilityPath = "/cds-services/cart-eligibility";
    public const string OrderCheckPath = "/cds-services/cart-order-check";
    public const string AccessToken = "eyJhbGciOiJSUzI1NiJ9.secret-fhir-access-token.c2lnbmF0dXJl";

    public const string Patient = """
        {"resourceType":"Patient","id":"pat-1","gender":"female","birthDate":"2001-03-04"}
        """;

    public const string OtherPatient = """
        {"resourceType":"Patient","id":"pat-2","gender":"male","birthDate":"1999-01-01"}
        """;

    public const string Temperature = """
        {"resourceType":"Observation","id":"temp-1","status":"final",
         "category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/observation-category","code":"vital-signs"}]}],
         "code":{"coding":[{"system":"http://loinc.org","code":"8310-5","display":"Body temperature"}]},
         "subject":{"reference":"Patient/pat-1"},
         "effectiveDateTime":"2013-05-19T08:00:00Z",
         "valueQuantity":{"value":39.5,"unit":"°C","system":"http://unitsofmeasure.org","code":"Cel"}}
        """;

    public const string Bipap = """
        {"resourceType":"Observation","id":"o2-1","status":"final",
         "code":{"coding":[{"system":"http://cartcds.org/fhir/CodeSystem/cartcds","code":"oxygen-delivery","display":"Oxygen delivery"}]},
         "subject":{"reference":"Patient/pat-1"},
         "effectiveDateTime":"2013-05-19T09:00:00Z",
         "valueCodeableConcept":{"coding":[{"system":"http://cartcds.org/fhir/CodeSystem/cartcds","code":"bipap","display":"BiPAP"}]}}
        """;

    /// <summary>The CAR-T infusion (day 0, 2013-02-01): without one on record cart-toxicity answers no cards.</summary>
    public const string Infusion = """
        {"resourceType":"Procedure","id":"cart-1","status":"completed",
         "code":{"coding":[{"system":"http://cartcds.org/fhir/CodeSystem/cartcds","code":"car-t-infusion","display":"CAR-T cell infusion"}]},
         "subject":{"reference":"Patient/pat-1"},
         "performedDateTime":"2013-02-01T10:00:00Z"}
        """;

    /// <summary>A temperature of another patient (Patient/pat-2).</summary>
    public const string ForeignTemperature = """
        {"resourceType":"Observation","id":"temp-9","status":"final",
         "code":{"coding":[{"system":"http://loinc.org","code":"8310-5"}]},
         "subject":{"reference":"Patient/pat-2"},
         "effectiveDateTime":"2013-05-19T08:00:00Z",
         "valueQuantity":{"value":38.2,"unit":"°C","system":"http://unitsofmeasure.org","code":"Cel"}}
        """;

    /// <summary>What an EHR puts under a key whose query failed.</summary>
    public const string FetchFailed = """
        {"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"timeout","diagnostics":"upstream timeout"}]}
        """;

    public const string EmptySearchset = """
        {"resourceType":"Bundle","type":"searchset","total":0}
        """;

    public static string Searchset(params string[] resources)
    {
        var entries = string.Join(",", resources.Select(r => "{\"resource\":" + r + ",\"search\":{\"mode\":\"match\"}}"));
        return "{\"resourceType\":\"Bundle\",\"type\":\"searchset\",\"total\":" + resources.Length + ",\"entry\":[" + entries + "]}";
    }

    public static string Observations => Searchset(Temperature, Bipap);

    /// <summary>A prefetch object from (key, raw JSON value) pairs; a key left out is absent.</summary>
    public static string Prefetch(params (string Key, string Json)[] members) =>
        "{" + string.Join(",", members.Select(m => $"\"{m.Key}\":{m.Json}")) + "}";

    /// <summary>cart-toxicity's five keys: patient, observations and the infusion filled, the rest null ("no data").</summary>
    public static (string Key, string Json)[] ToxicityPrefetchMembers() =>
    [
        ("patient", Patient),
        ("observations", Observations),
        ("medicationAdministrations", "null"),
        ("procedures", Searchset(Infusion)),
        ("conditions", "null"),
    ];

    public static string ToxicityPrefetch(string? replaceKey = null, string? withJson = null, string? omitKey = null) =>
        Prefetch(ToxicityPrefetchMembers()
            .Where(m => m.Key != omitKey)
            .Select(m => m.Key == replaceKey ? (m.Key, withJson!) : m)
            .ToArray());

    /// <summary>A patient-view call to cart-toxicity. <paramref name="extraMembers"/> is raw JSON
    /// (",\"fhirServer\":…") appended to the top-level object.</summary>
    public static string Toxicity(string? prefetch = null, string extraMembers = "", string context = """{"userId":"Practitioner/prac-1","patientId":"pat-1"}""") => $$"""
        {
          "hook": "patient-view",
          "hookInstance": "{{HookInstance}}",
          "context": {{context}},
          "prefetch": {{prefetch ?? ToxicityPrefetch()}}{{extraMembers}}
        }
        """;

    public const string DraftOrders = """
        {"resourceType":"Bundle","type":"collection","entry":[{"resource":
          {"resourceType":"MedicationRequest","id":"mr-kymriah","status":"draft","intent":"order",
           "medicationCodeableConcept":{"coding":[{"system":"http://hl7.org/fhir/sid/ndc","code":"0078-0846","display":"tisagenlecleucel (Kymriah)"}],"text":"tisagenlecleucel"},
           "subject":{"reference":"Patient/pat-1"},
           "authoredOn":"2013-05-19"}}]}
        """;

    /// <summary>Every prefetch key of cart-eligibility / cart-order-check, patient filled, the rest empty searchsets.</summary>
    public static string OrderPrefetch(bool withMedicationStatements) => Prefetch(
    [
        ("patient", Patient),
        ("conditions", EmptySearchset),
        ("observations", EmptySearchset),
        ("procedures", EmptySearchset),
        ("medicationAdministrations", EmptySearchset),
        .. withMedicationStatements ? [("medicationStatements", EmptySearchset)] : Array.Empty<(string, string)>(),
    ]);
}
