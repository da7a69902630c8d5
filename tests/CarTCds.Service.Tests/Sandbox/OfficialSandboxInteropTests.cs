using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CarTCds.Fhir.Model;
using CarTCds.Fhir.Serialization;
using CarTCds.Hooks.Cards;
using CarTCds.Hooks.Catalog;
using CarTCds.Hooks.Contract;
using CarTCds.Hooks.Evaluation;
using CarTCds.Hooks.Sandbox;
using CarTCds.Service.Sandbox;
using CarTCds.Service.Security;
using CarTCds.Service.Tests.Security;
using CarTCds.Service.Tests.TestSupport;
using Microsoft.AspNetCore.Hosting;

namespace CarTCds.Service.Tests.Sandbox;

/// <summary>The service, unchanged, as a CDS service of the official CDS Hooks Sandbox
/// (https://sandbox.cds-hooks.org): a browser app that sends a CORS preflight before every call,
/// signs each call with an ES384 JWT (its jwt-generator: header alg/typ/kid/jku; claims iss, aud =
/// the URL called, iat, exp = iat + 300, jti), resolves the prefetch itself and posts it with its
/// fhirServer, and sends R4 draft MedicationRequests for order-sign. The sandbox's key is stood in
/// for by a test key under its kid (<see cref="SecureWebApplicationFactory.Sandbox"/>). No request
/// routing: each preflight is a real OPTIONS request answered by the real CORS middleware.</summary>
[Collection(SecureServiceCollection.Name)]
public sealed class OfficialSandboxInteropTests(SecureWebApplicationFactory factory)
{
    private const string Origin = CdsHooksSecurity.SandboxOrigin;
    private const string PatientId = "cart-p1-post-sct-relapse";

    private string SandboxJwt(string path) => factory.SandboxToken(path);

    // What the Sandbox's browser does for one call: the preflight, then the call itself.
    private static async Task<HttpResponseMessage> PreflightThenSendAsync(HttpClient client, HttpMethod method, string path, string token, string? json = null)
    {
        using var preflight = new HttpRequestMessage(HttpMethod.Options, new Uri(path, UriKind.Relative));
        preflight.Headers.Add("Origin", Origin);
        preflight.Headers.Add("Access-Control-Request-Method", method.Method);
        preflight.Headers.Add("Access-Control-Request-Headers", json is null ? "authorization" : "authorization,content-type");
        var allowed = await client.SendAsync(preflight);
        Assert.True(allowed.StatusCode is HttpStatusCode.NoContent or HttpStatusCode.OK, $"preflight of {path} answered {(int)allowed.StatusCode}");
        Assert.Equal(Origin, string.Join(",", allowed.Headers.GetValues("Access-Control-Allow-Origin")));
        Assert.Contains("authorization", string.Join(",", allowed.Headers.GetValues("Access-Control-Allow-Headers")).ToLowerInvariant(), StringComparison.Ordinal);

        var call = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        call.Headers.Add("Origin", Origin);
        call.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (json is not null) call.Content = new StringContent(json, Encoding.UTF8, "application/json");
        var response = await client.SendAsync(call);
        Assert.Equal(Origin, string.Join(",", response.Headers.GetValues("Access-Control-Allow-Origin")));
        return response;
    }

    // The Sandbox resolves the prefetch from its FHIR server; here the server's content is the
    // seed patient p1 moved by whole days so that day 5 of its story is the host's fixed day
    // (2013-05-19, 12:00Z): at noon on day 5, fever, norepinephrine and a face mask → CRS grade 3.
    private static string RequestJson(string serviceId, Bundle? draftOrders)
    {
        var bundle = JsonNode.Parse(File.ReadAllText(Path.Combine(SandboxApiHost.ExamplesFolder, PatientId + ".json")))!.AsObject();
        var offset = TimeSpan.FromDays(7);  // 2013-05-12 (day 5) → 2013-05-19
        var shifted = RecordTimeShift.Shift(bundle, CarTCdsWebApplicationFactory.FixedInstant - offset, offset);
        var service = new CdsServiceCatalog().Find(serviceId)!;
        var request = PatientBundleRequest.Build(service, (Bundle)FhirJson.Parse(shifted.ToJsonString()), draftOrders, "Practitioner/COREPRACTITIONER1");
        // The Sandbox always names its FHIR server; nothing listens there, so a card proves the prefetch sufficed.
        request.FhirServer = HookJson.ClosedFhirServer;
        return JsonSerializer.Serialize(request, CdsJson.Request);
    }

    private static void AssertValidCards(string body, int atLeast)
    {
        var response = JsonSerializer.Deserialize(body, CdsJson.Response)!;
        Assert.True(response.Cards.Count >= atLeast, $"{response.Cards.Count} cards: {body}");
        Assert.Empty(CdsResponseValidator.Validate(response));
    }

    [Fact]
    public async Task GivenTheOfficialSandboxOrigin_WhenItDiscoversAndCallsPatientViewAndOrderSign_ThenEveryPreflightPassesAndTheCardsAreValid()
    {
        using var host = factory.WithWebHostBuilder(b => b.UseSetting("CarTCds:Cors:AllowedOrigins:1", Origin));
        var client = host.CreateClient();
        const string toxicity = "/cds-services/cart-toxicity";
        const string orderCheck = "/cds-services/cart-order-check";
        // An R4 draft MedicationRequest as the Sandbox's order-sign (its Rx View) writes one.
        var draft = (Bundle)FhirJson.Parse($$$"""
            {"resourceType":"Bundle","type":"collection","entry":[{"resource":{
              "resourceType":"MedicationRequest","id":"request-123","status":"draft","intent":"order",
              "medicationCodeableConcept":{"text":"tocilizumab 400 MG","coding":[{"system":"http://www.nlm.nih.gov/research/umls/rxnorm","code":"612865","display":"tocilizumab"}]},
              "subject":{"reference":"Patient/{{{PatientId}}}"},
              "dosageInstruction":[{"text":"400 mg IV once","timing":{"repeat":{"frequency":1,"period":1,"periodUnit":"d"}},
                "doseAndRate":[{"doseQuantity":{"value":400,"unit":"mg","system":"http://unitsofmeasure.org","code":"mg"}}]}]}}]}
            """);

        var discovery = await PreflightThenSendAsync(client, HttpMethod.Get, "/cds-services", SandboxJwt("/cds-services"));
        var patientView = await PreflightThenSendAsync(client, HttpMethod.Post, toxicity, SandboxJwt(toxicity), RequestJson("cart-toxicity", null));
        var orderSign = await PreflightThenSendAsync(client, HttpMethod.Post, orderCheck, SandboxJwt(orderCheck), RequestJson("cart-order-check", draft));

        Assert.Equal(HttpStatusCode.OK, discovery.StatusCode);
        Assert.Equal(HttpStatusCode.OK, patientView.StatusCode);
        Assert.Equal(HttpStatusCode.OK, orderSign.StatusCode);
        var cards = await patientView.Content.ReadAsStringAsync();
        AssertValidCards(cards, atLeast: 2);
        var crs = JsonSerializer.Deserialize(cards, CdsJson.Response)!.Cards[0];
        Assert.Equal("critical", crs.Indicator);
        Assert.StartsWith("CRS grade 3 (ASTCT), day 5", crs.Summary, StringComparison.Ordinal);
        var orderCards = await orderSign.Content.ReadAsStringAsync();
        AssertValidCards(orderCards, atLeast: 1);
        var summaries = string.Join(" | ", JsonSerializer.Deserialize(orderCards, CdsJson.Response)!.Cards.Select(c => c.Summary));
        Assert.Contains("400 mg: checked", summaries, StringComparison.Ordinal);
        // The key came from the shipped-style JwksFile: the jku was allowed but never fetched.
        Assert.Equal(0, factory.Jwks.CountFor(SecureWebApplicationFactory.SandboxJku));
    }

    [Fact]
    public async Task GivenAuthenticationOn_WhenTheSandboxApiIsCalledWithoutAndWithAClientToken_ThenOnlyTheTokenPassesAndThePageItselfIsPublic()
    {
        using var host = factory.WithWebHostBuilder(b => b.UseSetting("CarTCds:Sandbox:Enabled", "true"));
        var client = host.CreateClient();
        const string path = "/sandbox/api/patients";

        var page = await client.GetAsync(new Uri("/sandbox/", UriKind.Relative));
        var without = await client.GetAsync(new Uri(path, UriKind.Relative));
        using var signed = new HttpRequestMessage(HttpMethod.Get, new Uri(path, UriKind.Relative));
        signed.Headers.Authorization = new AuthenticationHeaderValue("Bearer", factory.Ehr.Token(SecureWebApplicationFactory.Aud(path), factory.Clock.GetUtcNow()));
        var with = await client.SendAsync(signed);

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, without.StatusCode);
        Assert.Equal(HttpStatusCode.OK, with.StatusCode);
        Assert.Contains(PatientId, await with.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
