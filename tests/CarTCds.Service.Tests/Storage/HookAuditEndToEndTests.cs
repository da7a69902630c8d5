using System.Net;
using System.Text.Json;
using CarTCds.Hooks.Evaluation;
using CarTCds.Service.Audit;
using CarTCds.Service.Feedback;
using CarTCds.Service.Tests.Security;
using CarTCds.Service.Tests.TestSupport;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CarTCds.Service.Tests.Storage;

/// <summary>The real Program, storage as it wires it (AddCarTCdsStorage, the hook route's audit):
/// each hook call leaves one audit row with the hashed patient id and the findings, its cards are
/// registered, feedback on them joins them, and nothing logged or stored names the patient.</summary>
public sealed class HookAuditEndToEndTests : IDisposable
{
    private const string Salt = "e2e-salt-0123456789abcdef";
    private readonly TempSqliteFile _file = new();
    private readonly CapturedLogs _logs = new();
    private readonly Factory _factory;

    public HookAuditEndToEndTests() => _factory = new Factory(_file.Path, _logs);

    public void Dispose()
    {
        _factory.Dispose();
        _file.Dispose();
    }

    private sealed class Factory(string path, CapturedLogs logs) : WebApplicationFactory<Program>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment("Testing");
            builder.UseSetting("CarTCds:Now", CarTCdsWebApplicationFactory.FixedNow);
            builder.UseSetting("CarTCds:Storage:Sqlite:Path", path);
            builder.UseSetting("CarTCds:Audit:PatientIdSalt", Salt);
            builder.ConfigureLogging(l => l.AddProvider(logs));
        }
    }

    private IAuditLog RequireWiredAudit()
    {
        var audit = _factory.Services.GetService<IAuditLog>();
        Assert.True(audit is not null, "IAuditLog is not registered: Program must call builder.AddCarTCdsStorage() (see the storage hand-over).");
        return audit!;
    }

    [Fact]
    public async Task GivenAPatientViewCall_WhenAnswered_ThenOneAuditRowHasTheHashedPatientIdFindingsAndRuleSet()
    {
        // Arrange
        var client = _factory.CreateClient();
        var audit = RequireWiredAudit();

        // Act
        var response = await client.PostJsonAsync(HookJson.ToxicityPath, HookJson.Toxicity());

        // Assert
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = await response.ReadJsonAsync();
        var cards = body.RootElement.GetProperty("cards").EnumerateArray().ToList();
        Assert.NotEmpty(cards);
        var rows = await audit.ListAsync(HookJson.HookInstance, 10, CancellationToken.None);
        var row = Assert.Single(rows);
        Assert.Equal(StorageContract.ExpectedHash(Salt, HookJson.PatientId), row.PatientHash);
        Assert.Equal(("cart-toxicity", "patient-view", 200, cards.Count), (row.ServiceId, row.Hook, row.StatusCode, row.CardCount));
        Assert.Equal(_factory.Services.GetRequiredService<CdsServiceEvaluator>().Rules.Label, row.RuleSet);
        Assert.True(row.LatencyMs >= 0);
        Assert.Equal(CarTCdsWebApplicationFactory.FixedInstant, row.OccurredAt);
        using var findings = JsonDocument.Parse(row.FindingsJson);
        var crs = Assert.Single(findings.RootElement.EnumerateArray(), f => f.GetProperty("code").GetString() == "crs-grade");
        Assert.Equal(4, crs.GetProperty("value").GetInt32()); // fever + BiPAP → ASTCT grade 4
        Assert.Null(row.Issuer); // authentication not on in this host
    }

    [Fact]
    public async Task GivenAnsweredCards_WhenTheEhrSendsFeedbackOnOne_ThenTheCardWasRegisteredAndTheFeedbackJoinsIt()
    {
        // Arrange
        var client = _factory.CreateClient();
        RequireWiredAudit();
        var hook = await client.PostJsonAsync(HookJson.ToxicityPath, HookJson.Toxicity());
        using var body = await hook.ReadJsonAsync();
        var card = body.RootElement.GetProperty("cards")[0];
        var uuid = card.GetProperty("uuid").GetString()!;

        // Act
        var feedback = await client.PostJsonAsync(HookJson.ToxicityPath + "/feedback", FeedbackJson.Body(FeedbackJson.Overridden(uuid, "already-managed")));

        // Assert
        Assert.Equal(HttpStatusCode.OK, feedback.StatusCode);
        var stored = Assert.Single(await _factory.Services.GetRequiredService<IFeedbackStore>().ListForCardAsync("cart-toxicity", uuid, CancellationToken.None));
        Assert.True(stored.CardKnownOnReceipt);
        Assert.Equal(card.GetProperty("source").GetProperty("topic").GetProperty("code").GetString(), stored.Card!.CardType);
        Assert.Equal(_factory.Services.GetRequiredService<CdsServiceEvaluator>().Rules.Label, stored.Card.RuleSet);
    }

    [Fact]
    public async Task GivenABodyThatIsNotJson_WhenCalled_ThenThe400IsAuditedWithoutPatient()
    {
        // Arrange
        var client = _factory.CreateClient();
        var audit = RequireWiredAudit();

        // Act
        var response = await client.PostJsonAsync(HookJson.ToxicityPath, "{\"hook\":");

        // Assert
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var row = Assert.Single(await audit.ListAsync(null, 10, CancellationToken.None));
        Assert.Equal(("cart-toxicity", 400, 0), (row.ServiceId, row.StatusCode, row.CardCount));
        Assert.Null(row.PatientHash);
    }

    [Fact]
    public async Task GivenHookCallsAndFeedback_WhenEverythingLoggedAndStoredIsRead_ThenThePatientIdAndTheAccessTokenAreNowhere()
    {
        // Arrange
        var client = _factory.CreateClient();
        RequireWiredAudit();
        var withToken = HookJson.Toxicity(extraMembers: $$""","fhirServer":"{{HookJson.ClosedFhirServer}}","fhirAuthorization":{"access_token":"{{HookJson.AccessToken}}","token_type":"Bearer","expires_in":300,"scope":"patient/*.read","subject":"cds-service"}""");

        // Act
        var response = await client.PostJsonAsync(HookJson.ToxicityPath, withToken);
        using var body = await response.ReadJsonAsync();
        var uuid = body.RootElement.GetProperty("cards")[0].GetProperty("uuid").GetString()!;
        await client.PostJsonAsync(HookJson.ToxicityPath + "/feedback", FeedbackJson.Body(FeedbackJson.Overridden(uuid, "data-error")));
        _factory.Dispose();
        SqliteConnection.ClearAllPools();

        // Assert
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var logged = _logs.All;
        Assert.Contains(HookJson.HookInstance, logged, StringComparison.Ordinal); // the audit line was written
        Assert.DoesNotContain(HookJson.PatientId, logged, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-fhir-access-token", logged, StringComparison.Ordinal);
        var stored = _file.RawBytes();
        Assert.Equal(-1, stored.AsSpan().IndexOf("pat-1"u8));
        Assert.Equal(-1, stored.AsSpan().IndexOf("secret-fhir-access-token"u8));
    }

    [Fact]
    public async Task GivenAnAuthenticatedHookCall_WhenAudited_ThenTheRowNamesTheTokensIssuerAndTenant()
    {
        // Arrange: authentication on (the security tests' host), storage in a file of this test.
        using var secure = new SecureWebApplicationFactory();
        using var file = new TempSqliteFile();
        using var host = secure.WithWebHostBuilder(b => b.UseSetting("CarTCds:Storage:Sqlite:Path", file.Path));
        var client = host.CreateClient();
        var audit = host.Services.GetService<IAuditLog>();
        Assert.True(audit is not null, "IAuditLog is not registered: Program must call builder.AddCarTCdsStorage() (see the storage hand-over).");
        using var request = new HttpRequestMessage(HttpMethod.Post, HookJson.ToxicityPath)
        {
            Content = new StringContent(HookJson.Toxicity(), System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new("Bearer", secure.Ehr.Token(SecureWebApplicationFactory.Aud(HookJson.ToxicityPath), secure.Clock.GetUtcNow()));

        // Act
        var response = await client.SendAsync(request);

        // Assert
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var row = Assert.Single(await audit!.ListAsync(HookJson.HookInstance, 10, CancellationToken.None));
        Assert.Equal((secure.Ehr.Issuer, "tenant-1"), (row.Issuer, row.Tenant));
    }
}
