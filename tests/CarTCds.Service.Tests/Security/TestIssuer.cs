using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace CarTCds.Service.Tests.Security;

/// <summary>A CDS client issuer made up for the tests: its keys are generated here (EC P-384 for
/// ES384, RSA 2048 for RS384) and it writes compact JWS by hand, so a test can send anything a
/// client might: alg none, HS256, a wrong key, missing members.</summary>
public sealed class TestIssuer : IDisposable
{
    /// <summary>Every token minted in this test run: the log test looks for each of them.</summary>
    public static ConcurrentBag<string> Minted { get; } = [];

    public TestIssuer(string issuer, string ecKid = "es384-1", string rsaKid = "rs384-1")
    {
        Issuer = issuer;
        EcKid = ecKid;
        RsaKid = rsaKid;
    }

    public string Issuer { get; }
    public string EcKid { get; }
    public string RsaKid { get; }
    public ECDsa Ec { get; } = ECDsa.Create(ECCurve.NamedCurves.nistP384);
    public RSA Rsa { get; } = RSA.Create(2048);

    /// <summary>The public JWKS of this issuer (both keys, or only the EC one).</summary>
    public string Jwks(bool withRsa = true)
    {
        var keys = new JsonArray { EcJwk(Ec, EcKid) };
        if (withRsa)
        {
            var p = Rsa.ExportParameters(false);
            keys.Add(new JsonObject { ["kty"] = "RSA", ["use"] = "sig", ["alg"] = "RS384", ["kid"] = RsaKid, ["n"] = B64(p.Modulus!), ["e"] = B64(p.Exponent!) });
        }
        return new JsonObject { ["keys"] = keys }.ToJsonString();
    }

    public static JsonObject EcJwk(ECDsa ec, string kid)
    {
        var p = ec.ExportParameters(false);
        return new JsonObject { ["kty"] = "EC", ["use"] = "sig", ["crv"] = "P-384", ["alg"] = "ES384", ["kid"] = kid, ["x"] = B64(p.Q.X!), ["y"] = B64(p.Q.Y!) };
    }

    /// <summary>The header and claims of a valid token for <paramref name="aud"/> at <paramref name="now"/>.</summary>
    public (JsonObject Header, JsonObject Payload) Claims(string aud, DateTimeOffset now, string alg = "ES384")
    {
        var header = new JsonObject { ["alg"] = alg, ["typ"] = "JWT", ["kid"] = alg == "RS384" ? RsaKid : EcKid };
        var payload = new JsonObject
        {
            ["iss"] = Issuer,
            ["aud"] = aud,
            ["exp"] = now.ToUnixTimeSeconds() + 300,
            ["iat"] = now.ToUnixTimeSeconds(),
            ["jti"] = Guid.NewGuid().ToString(),
            ["tenant"] = "tenant-1",
        };
        return (header, payload);
    }

    /// <summary>A valid token (new jti each call).</summary>
    public string Token(string aud, DateTimeOffset now, string alg = "ES384")
    {
        var (header, payload) = Claims(aud, now, alg);
        return Sign(header, payload);
    }

    /// <summary>Signs as the header's alg says: ES384 with <paramref name="ec"/> (default: this
    /// issuer's key), RS384 with this issuer's RSA key, HS256 with <paramref name="hmacSecret"/>,
    /// none (or anything else) with an empty signature.</summary>
    public string Sign(JsonObject header, JsonObject payload, ECDsa? ec = null, byte[]? hmacSecret = null)
    {
        var input = B64(Encoding.UTF8.GetBytes(header.ToJsonString())) + "." + B64(Encoding.UTF8.GetBytes(payload.ToJsonString()));
        var data = Encoding.ASCII.GetBytes(input);
        var signature = (string?)header["alg"] switch
        {
            "ES384" => (ec ?? Ec).SignData(data, HashAlgorithmName.SHA384),
            "RS384" => Rsa.SignData(data, HashAlgorithmName.SHA384, RSASignaturePadding.Pkcs1),
            "HS256" => HMACSHA256.HashData(hmacSecret ?? Encoding.UTF8.GetBytes(Jwks()), data),
            _ => [],
        };
        var token = input + "." + B64(signature);
        Minted.Add(token);
        return token;
    }

    public static string B64(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static string Pretty(string json) => JsonSerializer.Serialize(JsonDocument.Parse(json).RootElement);

    public void Dispose()
    {
        Ec.Dispose();
        Rsa.Dispose();
    }
}
