using System.Net;
using CarTCds.Service.Tests.TestSupport;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CarTCds.Service.Tests.Security;

/// <summary>Everything the service logs, at every level, while it answers good and bad hook calls,
/// reads a FHIR server that fails, and takes feedback: no patient id and no FHIR access token.</summary>
public sealed class NoPhiInLogsTests
{
    private const string PatientId = "pat-zq93kx";
    private const string AccessToken = "tok-7Hq2PLx9-fhir-access";

    [Fact]
    public async Task GivenHookCallsWithAPatientIdAndAnAccessToken_WhenTheServiceLogsAtTraceLevel_ThenNeitherAppearsInAnyLogLine()
    {
        var logs = new CapturingLoggerProvider();
        using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseEnvironment("Testing");
            b.UseTempSqlite();
            b.UseSetting("CarTCds:Now", CarTCdsWebApplicationFactory.FixedNow);
            b.UseSetting("Logging:LogLevel:Default", "Trace");
            b.UseSetting("Logging:LogLevel:Microsoft", "Trace");
            b.ConfigureTestServices(s => s.AddSingleton<ILoggerProvider>(logs));
        });
        using var client = factory.CreateClient();
        var patient = HookJson.Patient.Replace("pat-1", PatientId, StringComparison.Ordinal);
        var observations = HookJson.Observations.Replace("Patient/pat-1", $"Patient/{PatientId}", StringComparison.Ordinal);
        var context = $$"""{"userId":"Practitioner/prac-1","patientId":"{{PatientId}}"}""";
        var auth = $$""", "fhirServer": "{{HookJson.ClosedFhirServer}}", "fhirAuthorization": {"access_token":"{{AccessToken}}","token_type":"Bearer","expires_in":300,"scope":"patient/*.read","subject":"cartcds"}""";

        var full = HookJson.Prefetch(("patient", patient), ("observations", observations), ("medicationAdministrations", "null"), ("procedures", "null"), ("conditions", "null"));
        var withoutObservations = HookJson.Prefetch(("patient", patient), ("medicationAdministrations", "null"), ("procedures", "null"));
        var ok = await client.PostJsonAsync(HookJson.ToxicityPath, HookJson.Toxicity(full, auth, context));
        var fetchFails = await client.PostJsonAsync(HookJson.ToxicityPath, HookJson.Toxicity(withoutObservations, auth, context));
        var bad = await client.PostJsonAsync(HookJson.ToxicityPath, HookJson.Toxicity(full, auth, context)[..200]);
        var feedback = await client.PostJsonAsync("/cds-services/cart-toxicity/feedback",
            """{"feedback":[{"card":"c-1","outcome":"overridden","overrideReason":{"userComment":"seen"},"outcomeTimestamp":"2013-05-19T12:00:00Z"}]}""");

        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal(HttpStatusCode.PreconditionFailed, fetchFails.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal(HttpStatusCode.OK, feedback.StatusCode);
        Assert.NotEmpty(logs.Entries);
        Assert.DoesNotContain(logs.Entries, e => e.AllText.Contains(PatientId, StringComparison.Ordinal));
        Assert.DoesNotContain(logs.Entries, e => e.AllText.Contains(AccessToken, StringComparison.Ordinal));
    }
}
