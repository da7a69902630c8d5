using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace CarTCds.Cli.Auth;

/// <summary>A CDS client's private signing key (a private JWK file, EC P-384 for ES384 or RSA for
/// RS384) and the issuer it signs for: mints the CDS Hooks 2.0 client JWT for one call
/// (https://cds-hooks.hl7.org/2.0/#trusting-cds-clients).</summary>
/// <remarks>Each token is good for one URL (<c>aud</c>), five minutes and one use (a fresh
/// <c>jti</c>): the service refuses a replay. Tokens are never printed.</remarks>
public sealed class ClientKey : IDisposable
{
    /// <summary>Lifetime of a minted token: 5 minutes (the spec's recommended maximum).</summary>
    public static readonly TimeSpan TokenLifetime = TimeSpan.FromMinutes(5);

    private readonly ECDsa? _ec;
    private readonly RSA? _rsa;

    private ClientKey(string issuer, string kid, ECDsa? ec, RSA? rsa)
    {
        Issuer = issuer;
        Kid = kid;
        _ec = ec;
        _rsa = rsa;
    }

    public string Issuer { get; }

    public string Kid { get; }

    public string Algorithm => _ec is not null ? "ES384" : "RS384";

    /// <summary>Reads a private JWK (<c>kty</c> EC with <c>crv</c> P-384, or RSA; <c>kid</c> and
    /// <c>d</c> required) — the file <c>cartcds keys create</c> writes.</summary>
    /// <exception cref="FormatException">The file is not such a key; the message says what is wrong.</exception>
    public static ClientKey Load(string issuer, string jwkJson)
    {
        if (string.IsNullOrWhiteSpace(issuer)) throw new FormatException("the issuer must not be empty");
        JsonObject jwk;
        try
        {
            jwk = JsonNode.Parse(jwkJson) as JsonObject ?? throw new FormatException("not a JSON object");
        }
        catch (JsonException ex)
        {
            throw new FormatException($"not JSON ({ex.Message})", ex);
        }
        string Member(string name) => jwk[name] is JsonValue v && v.TryGetValue<string>(out var s) && s.Length > 0
            ? s : throw new FormatException($"member '{name}' is missing (a private JWK is needed: cartcds keys create)");
        var kid = Member("kid");
        try
        {
            switch (Member("kty"))
            {
                case "EC":
                    if (Member("crv") != "P-384") throw new FormatException("an EC key must be on P-384 (ES384)");
                    var ec = ECDsa.Create(new ECParameters
                    {
                        Curve = ECCurve.NamedCurves.nistP384,
                        Q = new ECPoint { X = Base64Url.DecodeFromChars(Member("x")), Y = Base64Url.DecodeFromChars(Member("y")) },
                        D = Base64Url.DecodeFromChars(Member("d")),
                    });
                    return new ClientKey(issuer, kid, ec, null);
                case "RSA":
                    var rsa = RSA.Create(new RSAParameters
                    {
                        Modulus = Base64Url.DecodeFromChars(Member("n")),
                        Exponent = Base64Url.DecodeFromChars(Member("e")),
                        D = Base64Url.DecodeFromChars(Member("d")),
                        P = Base64Url.DecodeFromChars(Member("p")),
                        Q = Base64Url.DecodeFromChars(Member("q")),
                        DP = Base64Url.DecodeFromChars(Member("dp")),
                        DQ = Base64Url.DecodeFromChars(Member("dq")),
                        InverseQ = Base64Url.DecodeFromChars(Member("qi")),
                    });
                    if (rsa.KeySize < 2048) throw new FormatException("an RSA key must have at least 2048 bits");
                    return new ClientKey(issuer, kid, null, rsa);
                default:
                    throw new FormatException("kty must be EC (P-384) or RSA");
            }
        }
        catch (CryptographicException ex)
        {
            throw new FormatException($"the key is not valid ({ex.Message})", ex);
        }
    }

    /// <summary>A new key pair: the private JWK (to keep secret) and the public JWKS (to configure
    /// as the issuer's <c>JwksFile</c> on the service).</summary>
    public static (string PrivateJwk, string PublicJwks) Create(string kid, string algorithm)
    {
        JsonObject privateJwk, publicJwk;
        if (algorithm == "ES384")
        {
            using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP384);
            var p = ec.ExportParameters(includePrivateParameters: true);
            publicJwk = new JsonObject { ["kty"] = "EC", ["use"] = "sig", ["alg"] = "ES384", ["kid"] = kid, ["crv"] = "P-384", ["x"] = B64(p.Q.X!), ["y"] = B64(p.Q.Y!) };
            privateJwk = (JsonObject)publicJwk.DeepClone();
            privateJwk["d"] = B64(p.D!);
        }
        else if (algorithm == "RS384")
        {
            using var rsa = RSA.Create(3072);
            var p = rsa.ExportParameters(includePrivateParameters: true);
            publicJwk = new JsonObject { ["kty"] = "RSA", ["use"] = "sig", ["alg"] = "RS384", ["kid"] = kid, ["n"] = B64(p.Modulus!), ["e"] = B64(p.Exponent!) };
            privateJwk = (JsonObject)publicJwk.DeepClone();
            privateJwk["d"] = B64(p.D!);
            privateJwk["p"] = B64(p.P!);
            privateJwk["q"] = B64(p.Q!);
            privateJwk["dp"] = B64(p.DP!);
            privateJwk["dq"] = B64(p.DQ!);
            privateJwk["qi"] = B64(p.InverseQ!);
        }
        else
        {
            throw new ArgumentException("algorithm must be ES384 or RS384", nameof(algorithm));
        }
        var indented = new JsonSerializerOptions { WriteIndented = true };
        return (privateJwk.ToJsonString(indented), new JsonObject { ["keys"] = new JsonArray { publicJwk } }.ToJsonString(indented));
    }

    /// <summary>A signed token for one call to <paramref name="audience"/> (the exact URL called).</summary>
    public string Token(Uri audience, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(audience);
        var header = new JsonObject { ["alg"] = Algorithm, ["typ"] = "JWT", ["kid"] = Kid };
        var payload = new JsonObject
        {
            ["iss"] = Issuer,
            ["sub"] = "cartcds-cli",
            ["aud"] = audience.ToString(),
            ["exp"] = (now + TokenLifetime).ToUnixTimeSeconds(),
            ["iat"] = now.ToUnixTimeSeconds(),
            ["jti"] = Guid.NewGuid().ToString(),
        };
        var signingInput = B64(Encoding.UTF8.GetBytes(header.ToJsonString())) + "." + B64(Encoding.UTF8.GetBytes(payload.ToJsonString()));
        var data = Encoding.ASCII.GetBytes(signingInput);
        // JWS ES384 wants the raw r‖s signature (IEEE P1363), not DER.
        var signature = _ec is not null
            ? _ec.SignData(data, HashAlgorithmName.SHA384, DSASignatureFormat.IeeeP1363FixedFieldConcatenation)
            : _rsa!.SignData(data, HashAlgorithmName.SHA384, RSASignaturePadding.Pkcs1);
        return signingInput + "." + B64(signature);
    }

    private static string B64(byte[] bytes) => Base64Url.EncodeToString(bytes);

    public void Dispose()
    {
        _ec?.Dispose();
        _rsa?.Dispose();
    }
}
