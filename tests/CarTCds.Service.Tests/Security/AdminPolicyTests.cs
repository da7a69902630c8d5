using System.Net;
using System.Text.Json;
using CarTCds.Service.Security;
using CarTCds.Service.Tests.TestSupport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;

namespace CarTCds.Service.Tests.Security;

/// <summary>The administration endpoints need an issuer configured with <c>Admin: true</c>; an EHR's
/// token that opens the hooks does not open them.</summary>
[Collection(SecureServiceCollection.Name)]
public sealed class AdminPolicyTests(SecureWebApplicationFactory factory)
{
    private const string Summary = "/admin/feedback/summary";
    private readonly HttpClient _client = factory.CreateClient();

    private async Task<HttpResponseMessage> GetAsync(string path, TestIssuer? issuer)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(path, UriKind.Relative));
        if (issuer is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + issuer.Token(SecureWebApplicationFactory.Aud(path), factory.Clock.GetUtcNow()));
        }
        return await _client.SendAsync(request);
    }

    [Fact]
    public async Task GivenAnAdminIssuersToken_WhenReadingTheFeedbackSummary_Then200WithTheReport()
    {
        using var response = await GetAsync(Summary, factory.Ops);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var report = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(JsonValueKind.Array, report.RootElement.GetProperty("cardTypes").ValueKind);
    }

    [Fact]
    public async Task GivenAnEhrIssuersValidToken_WhenReadingTheFeedbackSummary_Then403SayingAnAdminIssuerIsNeeded()
    {
        using var hooks = await GetAsync("/cds-services", factory.Ehr);
        using var admin = await GetAsync(Summary, factory.Ehr);

        Assert.Equal(HttpStatusCode.OK, hooks.StatusCode);
        await admin.AssertOperationOutcomeAsync(HttpStatusCode.Forbidden, "forbidden", null,
            "needs a token from an administration issuer (CarTCds:Auth:Issuers:n:Admin = true)", "issuer 'https://ehr.test' is not one");
        Assert.StartsWith("Bearer error=\"insufficient_scope\", error_description=\"/admin/feedback/summary needs a token", admin.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GivenNoToken_WhenReadingTheFeedbackSummary_Then401()
    {
        using var response = await GetAsync(Summary, issuer: null);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public void GivenTheOfficialSandboxIssuerMarkedAdmin_WhenLoaded_ThenTheServiceRefusesToStart()
    {
        using var sandbox = new TestIssuer(CdsHooksSecuritySettings.OfficialSandboxIssuer);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["CarTCds:Auth:Issuers:0:Issuer"] = sandbox.Issuer,
            ["CarTCds:Auth:Issuers:0:Jwks"] = sandbox.Jwks(),
            ["CarTCds:Auth:Issuers:0:Admin"] = "true",
        }).Build();

        var ex = Assert.Throws<InvalidOperationException>(() => CdsHooksSecuritySettings.Load(configuration, new ProductionEnvironment()));

        Assert.Contains("CarTCds:Auth:Issuers:0:Admin", ex.Message, StringComparison.Ordinal);
    }

    private sealed class ProductionEnvironment : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = "Production";
        public string ApplicationName { get; set; } = "CarTCds.Service";
        public string ContentRootPath { get; set; } = AppContext.BaseDirectory;
        public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();
    }
}
