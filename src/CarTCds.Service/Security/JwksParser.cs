using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.IdentityModel.Tokens;

namespace CarTCds.Service.Security;

/// <summary>A public verification key of a trusted issuer.</summary>
/// <param name="Kid">The JWK <c>kid</c>; tokens name it in their header.</param>
/// <param name="Algorithm">The one algorithm this key verifies: ES384 (EC P-384) or RS384 (RSA ≥ 2048 bits).</param>
/// <param name="Key">The public key, imported without any private part.</param>
public sealed record CdsSigningKey(string Kid, string Algorithm, SecurityKey Key);

/// <summary>Reads a JWKS into public verification keys, keeping only what CDS Hooks 2.0 accepts:
/// EC P-384 (ES384) and RSA of at least 2048 bits (RS384). Every key is imported public-only.</summary>
public static class JwksParser
{
    public const string Es384 = "ES384";
    public const string Rs384 = "RS384";
    private static readonly string[] PrivateMembers = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

    /// <summary>Parses <paramref name="json"/>. With <paramref name="strict"/> (configured key
    /// sets) a key that cannot be used is an error, and so is a private or symmetric key: a secret
    /// has no place in the service's configuration. Without it (sets fetched from a <c>jku</c>)
    /// unusable keys are skipped and private members ignored.</summary>
    /// <exception cref="FormatException">The set is not a JWKS, or (strict) holds a key we refuse.</exception>
    public static IReadOnlyList<CdsSigningKey> Parse(string json, bool strict)
    {
        using var doc = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 16 });
        if (doc.RootElement.ValueKind != JsonValueKind.Object || !doc.RootElement.TryGetProperty("keys", out var keys) || keys.ValueKind != JsonValueKind.Array)
        {
            throw new FormatException("not a JWKS: expected an object with a \"keys\" array");
        }

        var result = new List<CdsSigningKey>();
        var index = 0;
        foreach (var jwk in keys.EnumerateArray())
        {
            var (key, problem) = Read(jwk, strict);
            if (key is not null) result.Add(key);
            else if (strict) throw new FormatException($"keys[{index}]: {problem}");
            index++;
        }
        if (strict && result.Count == 0) throw new FormatException("the JWKS holds no key");
        return result;
    }

    private static (CdsSigningKey? Key, string? Problem) Read(JsonElement jwk, bool strict)
    {
        if (jwk.ValueKind != JsonValueKind.Object) return (null, "not a JSON object");
        var kty = Str(jwk, "kty");
        var kid = Str(jwk, "kid");
        var use = Str(jwk, "use");
        var alg = Str(jwk, "alg");

        if (strict && PrivateMembers.Any(m => jwk.TryGetProperty(m, out _)))
        {
            return (null, $"kid '{kid}' holds private or symmetric key material; configure the public key only");
        }
        if (string.IsNullOrEmpty(kid)) return (null, "no kid (CDS Hooks tokens must name their key)");
        if (use is not null && use != "sig") return (null, $"kid '{kid}': use '{use}' is not 'sig'");

        try
        {
            switch (kty)
            {
                case "EC":
                    if (Str(jwk, "crv") != "P-384") return (null, $"kid '{kid}': EC curve '{Str(jwk, "crv")}' (only P-384 / ES384 is accepted)");
                    if (alg is not null && alg != Es384) return (null, $"kid '{kid}': alg '{alg}' on a P-384 key");
                    var x = Base64UrlEncoder.DecodeBytes(Str(jwk, "x") ?? "");
                    var y = Base64UrlEncoder.DecodeBytes(Str(jwk, "y") ?? "");
                    if (x.Length != 48 || y.Length != 48) return (null, $"kid '{kid}': x and y must be 48 bytes each");
                    var ec = ECDsa.Create(new ECParameters { Curve = ECCurve.NamedCurves.nistP384, Q = new ECPoint { X = x, Y = y } });
                    return (new CdsSigningKey(kid, Es384, new ECDsaSecurityKey(ec) { KeyId = kid }), null);
                case "RSA":
                    if (alg is not null && alg != Rs384) return (null, $"kid '{kid}': alg '{alg}' on an RSA key (only RS384 is accepted)");
                    var n = Base64UrlEncoder.DecodeBytes(Str(jwk, "n") ?? "");
                    var e = Base64UrlEncoder.DecodeBytes(Str(jwk, "e") ?? "");
                    if (n.Length < 256 || e.Length == 0) return (null, $"kid '{kid}': RSA modulus under 2048 bits");
                    var rsa = RSA.Create(new RSAParameters { Modulus = n, Exponent = e });
                    return (new CdsSigningKey(kid, Rs384, new RsaSecurityKey(rsa) { KeyId = kid }), null);
                default:
                    return (null, $"kid '{kid}': kty '{kty}' (only EC P-384 and RSA are accepted; never symmetric keys)");
            }
        }
        catch (Exception ex) when (ex is CryptographicException or FormatException or ArgumentException)
        {
            return (null, $"kid '{kid}': not a valid public key ({ex.GetType().Name})");
        }
    }

    private static string? Str(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}
