using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;

namespace CarTCds.Service.Tests.Security;

/// <summary>A refused token gives one log line with iss, tenant, jti and the reason; no log line
/// ever holds a token (or its signature).</summary>
[Collection(SecureServiceCollection.Name)]
public sealed class SecurityLoggingTests(SecureWebApplicationFactory factory)
{
    private const string Discovery = "/cds-services";

    [Fact]
    public async Task GivenAcceptedAndRefusedTokens_WhenTheServiceLogs_ThenNoLineHoldsAToken_AndEachRefusalIsOneLineWithIssTenantJti()
    {
        // Arrange
        var client = factory.CreateClient();
        var now = factory.Clock.GetUtcNow();
        var aud = SecureWebApplicationFactory.Aud(Discovery);
        var expiredJti = "expired-" + Guid.NewGuid();
        var (header, payload) = factory.Ehr.Claims(aud, now);
        payload["jti"] = expiredJti;
        payload["tenant"] = "tenant-logged";
        payload["exp"] = now.ToUnixTimeSeconds() - 3600;
        var expired = factory.Ehr.Sign(header, payload);
        var (noneHeader, nonePayload) = factory.Ehr.Claims(aud, now);
        noneHeader["alg"] = "none";
        var none = factory.Ehr.Sign(noneHeader, nonePayload);
        var valid = factory.Ehr.Token(aud, now);

        // Act
        foreach (var token in new[] { valid, valid, expired, none, "garbage.token.value" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(Discovery, UriKind.Relative));
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            await client.SendAsync(request);
        }

        // Assert: nothing logged so far in the suite holds any token minted so far, whole or its signature.
        var logs = factory.Logs.Entries.ToList();
        Assert.NotEmpty(logs);
        foreach (var token in TestIssuer.Minted.Append("garbage.token.value"))
        {
            var signature = token.Split('.')[^1];
            foreach (var entry in logs)
            {
                Assert.DoesNotContain(token, entry.AllText, StringComparison.Ordinal);
                if (signature.Length > 16) Assert.DoesNotContain(signature, entry.AllText, StringComparison.Ordinal);
            }
        }

        // One line for the expired token, with what it said about itself and why it was refused.
        var refusal = Assert.Single(logs, e => e.Message.Contains(expiredJti, StringComparison.Ordinal));
        Assert.Equal(LogLevel.Warning, refusal.Level);
        Assert.Contains("expired", refusal.Message, StringComparison.Ordinal);
        Assert.Contains("iss=https://ehr.test", refusal.Message, StringComparison.Ordinal);
        Assert.Contains("tenant=tenant-logged", refusal.Message, StringComparison.Ordinal);
        Assert.Contains(logs, e => e.Message.Contains("was already used", StringComparison.Ordinal));
        Assert.Contains(logs, e => e.Message.Contains("alg 'none' is not accepted", StringComparison.Ordinal));
        Assert.Contains(logs, e => e.Message.Contains("is not a signed JWT", StringComparison.Ordinal));
    }

    [Fact]
    public void GivenAuthenticationOn_WhenTheServiceStarted_ThenItSaidWhichIssuersItTrusts()
    {
        _ = factory.Server; // started

        Assert.Contains(factory.Logs.Entries, e => e.Message.Contains("authentication is on: 4 trusted issuer(s)", StringComparison.Ordinal)
            && e.Message.Contains("https://ops.test (admin)", StringComparison.Ordinal) && !e.Message.Contains("https://ehr.test (admin)", StringComparison.Ordinal));
        Assert.DoesNotContain(factory.Logs.Entries, e => e.Message.Contains("authentication is OFF", StringComparison.Ordinal));
    }
}
