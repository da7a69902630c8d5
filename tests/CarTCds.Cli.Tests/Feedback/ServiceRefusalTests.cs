using System.Net;
using System.Net.Http.Headers;
using CarTCds.Cli.Auth;

namespace CarTCds.Cli.Tests.Feedback;

/// <summary>What the CLI prints for a refused call: the service's OperationOutcome and its
/// WWW-Authenticate challenge, not a bare status.</summary>
public sealed class ServiceRefusalTests
{
    private const string Expired = """{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"login","diagnostics":"The token expired at 2013-05-19T12:00:00Z (exp)."}]}""";

    public static TheoryData<string, HttpStatusCode, string, string?, string> Refusals => new()
    {
        { "diagnostics repeated by error_description", HttpStatusCode.Unauthorized, Expired,
            "error=\"invalid_token\", error_description=\"The token expired at 2013-05-19T12:00:00Z (exp).\"",
            "401: The token expired at 2013-05-19T12:00:00Z (exp). (WWW-Authenticate: invalid_token)" },
        { "error_description saying more than the body", HttpStatusCode.Unauthorized, Expired,
            "error=\"invalid_token\", error_description=\"aud must be https://cds.example.org/cds-services/cart-toxicity\"",
            "401: The token expired at 2013-05-19T12:00:00Z (exp). (WWW-Authenticate: invalid_token: aud must be https://cds.example.org/cds-services/cart-toxicity)" },
        { "no credentials sent: a bare challenge", HttpStatusCode.Unauthorized,
            """{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"login","diagnostics":"Not authenticated."}]}""", null,
            "401: Not authenticated." },
        { "details text when there are no diagnostics", HttpStatusCode.Forbidden,
            """{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"forbidden","details":{"text":"Admin issuer needed."}}]}""",
            "error=\"insufficient_scope\"", "403: Admin issuer needed. (WWW-Authenticate: insufficient_scope)" },
        { "a proxy's page, not FHIR", HttpStatusCode.Forbidden, "<html>\n<h1>Forbidden</h1></html>", null, "403: <html> <h1>Forbidden</h1></html>" },
        { "an empty body and a header only", HttpStatusCode.Unauthorized, "", "error=\"invalid_token\", error_description=\"jti replayed\"",
            "401 (WWW-Authenticate: invalid_token: jti replayed)" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public void GivenARefusal_WhenDescribed_ThenTheServicesWordsArePrinted(string caseName, HttpStatusCode status, string body, string? bearer, string expected)
    {
        // Arrange
        using var response = new HttpResponseMessage(status);
        if (bearer is not null) response.Headers.WwwAuthenticate.Add(new AuthenticationHeaderValue("Bearer", bearer));
        else if (status == HttpStatusCode.Unauthorized) response.Headers.WwwAuthenticate.Add(new AuthenticationHeaderValue("Bearer"));

        // Act
        var said = ServiceRefusal.Describe(response, body);

        // Assert
        Assert.True(expected == said, $"{caseName}: {said}");
    }

    [Fact]
    public void GivenALongNonFhirBody_WhenDescribed_ThenItIsCutAt300Characters()
    {
        // Arrange
        using var response = new HttpResponseMessage(HttpStatusCode.Unauthorized);

        // Act
        var said = ServiceRefusal.Describe(response, new string('x', 301));

        // Assert
        Assert.Equal("401: " + new string('x', 300) + "…", said);
    }
}
