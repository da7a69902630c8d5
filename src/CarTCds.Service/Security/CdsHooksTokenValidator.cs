using System.Globalization;
using System.Security.Claims;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using CarTCds.Service.Telemetry;

namespace CarTCds.Service.Security;

/// <summary>Why a token was refused, with what the token said about itself (unverified) for the
/// log line. Never holds the token. <paramref name="Reason"/> is written for the integrator: it goes
/// into the 401's OperationOutcome and <c>WWW-Authenticate</c> error_description and into the log,
/// so it names what to change (the expected <c>aud</c>, the time limits, the setting) and never a
/// key, a signature or the token; caller values in it are capped (<see cref="CallerText"/>).
/// <paramref name="Unavailable"/>: not refused but not checkable (the <c>jti</c> store is down) —
/// answered 503, not 401. <paramref name="NoCredentials"/>: no bearer token at all (RFC 6750 §3.1:
/// the challenge then carries no error code).</summary>
public sealed record TokenFailure(string Reason, string? Issuer = null, string? Tenant = null, string? Jti = null, string? Kid = null,
    bool Unavailable = false, bool NoCredentials = false);

/// <summary>The outcome of <see cref="CdsHooksTokenValidator.ValidateAsync"/>.</summary>
public sealed record TokenValidation(ClaimsPrincipal? Principal, TokenFailure? Failure)
{
    public bool Succeeded => Principal is not null;
}

/// <summary>Checks a CDS Hooks 2.0 client JWT (https://cds-hooks.hl7.org/2.0/#trusting-cds-clients):
/// header <c>alg</c> ES384 or RS384 (never <c>none</c> or HS*), <c>kid</c> required, <c>typ</c>
/// JWT if present, no <c>crit</c>; <c>iss</c> on the allowlist; the signing key by <c>kid</c> from
/// the issuer's configured key set, whatever the <c>jku</c> header says (the official Sandbox always
/// sends one), else from the <c>jku</c> URL only if the issuer allowlists it; the signature;
/// <c>aud</c> = the URL called; <c>exp</c> and <c>iat</c> within the clock skew; lifetime
/// <c>exp − iat</c> at most <see cref="CdsHooksAuthOptions.MaxTokenLifetime"/>; <c>jti</c> not seen before.</summary>
public sealed class CdsHooksTokenValidator(
    CdsHooksSecuritySettings settings,
    IssuerKeyResolver keys,
    IJtiReplayStore replay,
    [FromKeyedServices(CdsHooksSecurity.ClockKey)] TimeProvider clock)
{
    /// <summary>Tokens longer than this are refused unread (a CDS Hooks JWT is about 1 KB).</summary>
    public const int MaxTokenLength = 16 * 1024;

    private static readonly JsonWebTokenHandler Handler = new() { MaximumTokenSizeInBytes = MaxTokenLength };

    /// <param name="token">The compact JWS from the Authorization header.</param>
    /// <param name="urlCalled">The absolute URL the client called (the expected <c>aud</c>).</param>
    /// <param name="cancellationToken">The request's.</param>
    public async Task<TokenValidation> ValidateAsync(string token, string urlCalled, CancellationToken cancellationToken)
    {
        if (token.Length > MaxTokenLength) return Fail($"The bearer token is longer than {MaxTokenLength} characters; a CDS Hooks JWT is about 1 KB.");

        if (!TryRead(token, out var header, out var payload))
        {
            return Fail("The bearer token is not a signed JWT: expected header.payload.signature, each part base64url, header and payload JSON objects without duplicate members.");
        }
        using (header)
        using (payload)
        {
            return await ValidateClaimsAsync(token, header!.RootElement, payload!.RootElement, urlCalled, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<TokenValidation> ValidateClaimsAsync(string token, JsonElement header, JsonElement payload, string urlCalled, CancellationToken cancellationToken)
    {
        var iss = Str(payload, "iss");
        var tenant = Str(payload, "tenant");
        var jti = Str(payload, "jti");
        var kid = Str(header, "kid");
        TokenValidation Refuse(string reason) => new(null, new TokenFailure(reason, iss, tenant, jti, kid));

        var alg = Str(header, "alg");
        if (alg is not (JwksParser.Es384 or JwksParser.Rs384)) return Refuse($"alg '{Cap(alg)}' is not accepted: sign with ES384 or RS384 (CDS Hooks 2.0; never none or HMAC).");
        if (string.IsNullOrEmpty(kid)) return Refuse("The token header has no kid: name the signing key of your JWK set.");
        if (header.TryGetProperty("crit", out _)) return Refuse("The token header has crit: no critical extension is supported here; leave it out.");
        var typ = Str(header, "typ");
        if (typ is not null && !string.Equals(typ, "JWT", StringComparison.OrdinalIgnoreCase)) return Refuse($"typ '{Cap(typ)}' is not JWT.");

        if (string.IsNullOrEmpty(iss)) return Refuse("The token has no iss: put your issuer URL in it.");
        if (!settings.Issuers.TryGetValue(iss, out var issuer))
        {
            return Refuse($"iss '{Cap(iss)}' is not a trusted issuer of this service: its operator must add it (CarTCds:Auth:Issuers) with its public keys.");
        }

        // A kid in the configured key set decides: the jku is then never fetched, whatever it says
        // (the official Sandbox always sends one). A jku is fetched only for a kid the configured
        // keys lack, and only when the issuer allowlists that exact URL.
        var jku = Str(header, "jku");
        var candidates = await keys.FindAsync(issuer, kid, alg, jku, cancellationToken).ConfigureAwait(false);
        if (candidates.Count == 0) return Refuse(NoKeyReason(issuer, kid, alg, jku));

        var parameters = new TokenValidationParameters
        {
            IssuerSigningKeys = candidates.Select(k => k.Key),
            TryAllIssuerSigningKeys = false,
            ValidAlgorithms = [alg],
            RequireSignedTokens = true,
            ValidateIssuerSigningKey = false,
            ValidateIssuer = false, // checked above against the allowlist (exact match)
            ValidateAudience = false, // checked below: exact URL
            ValidateLifetime = false, // checked below with our clock and skew
            RequireExpirationTime = false,
            ValidateTokenReplay = false, // checked below: IJtiReplayStore
        };
        var result = await Handler.ValidateTokenAsync(token, parameters).ConfigureAwait(false);
        if (!result.IsValid)
        {
            return Refuse($"The signature does not verify with the {alg} key kid '{Cap(kid)}' of issuer '{Cap(iss)}': sign with the private key of that kid.");
        }

        if (!AudienceMatches(payload, urlCalled))
        {
            return Refuse($"aud must be the URL called, '{Cap(urlCalled)}'; the token has {AudienceForMessage(payload)}.");
        }

        var now = clock.GetUtcNow();
        var skew = settings.Options.ClockSkew;
        var maxLifetime = settings.Options.MaxTokenLifetime;
        if (!TryTime(payload, "exp", out var exp)) return Refuse("The token has no valid exp (seconds since 1970-01-01T00:00:00Z).");
        if (!TryTime(payload, "iat", out var iat)) return Refuse("The token has no valid iat (seconds since 1970-01-01T00:00:00Z).");
        if (exp < iat) return Refuse($"exp ({Instant(exp)}) is before iat ({Instant(iat)}).");
        if (exp - iat > maxLifetime)
        {
            return Refuse($"The token lives {(exp - iat).TotalSeconds:0} s (exp - iat); this service accepts at most {maxLifetime.TotalSeconds:0} s " +
                "(CarTCds:Auth:MaxTokenLifetime). Issue a new short-lived token per call (the official Sandbox uses 300 s).");
        }
        if (Later(exp, skew) <= now)
        {
            return Refuse($"The token expired at {Instant(exp)} (exp); the service's time is {Instant(now)}, clock skew allowed {skew.TotalSeconds:0} s. Sign a new token for each call, and check your clock.");
        }
        if (iat - skew > now)
        {
            return Refuse($"The token was issued in the future: iat {Instant(iat)}, the service's time {Instant(now)}, clock skew allowed {skew.TotalSeconds:0} s. Check your clock.");
        }
        if (TryTime(payload, "nbf", out var nbf) && nbf - skew > now) return Refuse($"The token is not valid before {Instant(nbf)} (nbf); the service's time is {Instant(now)}.");

        if (string.IsNullOrEmpty(jti)) return Refuse("The token has no jti: give every token a unique id (a UUID).");
        var keepUntil = Max(now + settings.Options.JtiLifetime, Later(exp, skew));
        try
        {
            if (!await replay.TryMarkUsedAsync(iss, jti, keepUntil, cancellationToken).ConfigureAwait(false))
            {
                return Refuse($"jti '{Cap(jti)}' was already used: a token is good for one call; sign a new one with a fresh jti for every call.");
            }
        }
        catch (JtiStoreUnavailableException ex)
        {
            return new(null, new TokenFailure(ex.Message, iss, tenant, jti, kid, Unavailable: true));
        }

        var identity = new ClaimsIdentity(CdsHooksSecurity.SchemeName, "iss", null);
        identity.AddClaim(new Claim("iss", iss));
        identity.AddClaim(new Claim("jti", jti));
        if (tenant is not null) identity.AddClaim(new Claim("tenant", tenant));
        if (issuer.Admin) identity.AddClaim(new Claim(CdsHooksSecurity.RoleClaim, CdsHooksSecurity.AdminRole));
        if (Str(payload, "sub") is { } sub) identity.AddClaim(new Claim("sub", sub));
        return new TokenValidation(new ClaimsPrincipal(identity), null);
    }

    /// <summary>Why no key was found, naming the setting that would make one found.</summary>
    private static string NoKeyReason(TrustedIssuer issuer, string kid, string alg, string? jku)
    {
        var configured = $"No {alg} key with kid '{Cap(kid)}' in the key set configured for issuer '{Cap(issuer.Issuer)}' (CarTCds:Auth:Issuers: JwksFile or Jwks)";
        if (jku is null) return configured + ", and the token names no jku.";
        if (!issuer.AcceptsJku(jku))
        {
            return configured + $", and its jku '{Cap(jku)}' is not on the issuer's allowlist (AllowJku, JkuAllowlist), so it was not fetched.";
        }
        return configured + $", nor in the key set fetched from its jku '{Cap(jku)}'.";
    }

    private static string AudienceForMessage(JsonElement payload)
    {
        if (!payload.TryGetProperty("aud", out var aud)) return "no aud";
        var values = (aud.ValueKind == JsonValueKind.Array ? aud.EnumerateArray().ToList() : [aud])
            .Where(v => v.ValueKind == JsonValueKind.String).Select(v => $"'{Cap(v.GetString())}'").Take(3).ToList();
        return values.Count == 0 ? "no aud string" : "aud " + string.Join(", ", values);
    }

    private static string Cap(string? value) => CallerText.Cap(value);

    private static string Instant(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary><paramref name="t"/> + <paramref name="by"/>, saturating at <see cref="DateTimeOffset.MaxValue"/>:
    /// an <c>exp</c> near 9999-12-31 is a valid number and must give a 401, not an overflow.</summary>
    private static DateTimeOffset Later(DateTimeOffset t, TimeSpan by) => DateTimeOffset.MaxValue - t <= by ? DateTimeOffset.MaxValue : t + by;

    private static TokenValidation Fail(string reason) => new(null, new TokenFailure(reason));

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    /// <summary>Splits a compact JWS and parses its header and payload as JSON objects
    /// (duplicate members refused: what we check must be what was signed, read one way).</summary>
    private static bool TryRead(string token, out JsonDocument? header, out JsonDocument? payload)
    {
        header = payload = null;
        var parts = token.Split('.');
        if (parts.Length != 3 || parts[0].Length == 0 || parts[1].Length == 0) return false;
        header = ParseObject(parts[0]);
        payload = header is null ? null : ParseObject(parts[1]);
        if (payload is not null) return true;
        header?.Dispose();
        header = null;
        return false;
    }

    private static readonly JsonDocumentOptions StrictJson = new() { MaxDepth = 16, AllowDuplicateProperties = false };

    private static JsonDocument? ParseObject(string base64Url)
    {
        try
        {
            var doc = JsonDocument.Parse(Base64UrlEncoder.DecodeBytes(base64Url), StrictJson);
            if (doc.RootElement.ValueKind == JsonValueKind.Object) return doc;
            doc.Dispose();
            return null;
        }
        catch (Exception ex) when (ex is FormatException or JsonException or ArgumentException)
        {
            return null;
        }
    }

    private static bool AudienceMatches(JsonElement payload, string urlCalled)
    {
        if (!Uri.TryCreate(urlCalled, UriKind.Absolute, out var called) || !payload.TryGetProperty("aud", out var aud)) return false;
        IEnumerable<JsonElement> values = aud.ValueKind == JsonValueKind.Array ? aud.EnumerateArray() : [aud];
        foreach (var value in values)
        {
            if (value.ValueKind != JsonValueKind.String) continue;
            var text = value.GetString()!;
            if (string.Equals(text, urlCalled, StringComparison.Ordinal)) return true;
            // Same URL written differently (host case, default port): compare normalized.
            if (Uri.TryCreate(text, UriKind.Absolute, out var a)
                && Uri.Compare(a, called, UriComponents.HttpRequestUrl, UriFormat.UriEscaped, StringComparison.Ordinal) == 0)
            {
                return true;
            }
        }
        return false;
    }

    private static bool TryTime(JsonElement payload, string claim, out DateTimeOffset value)
    {
        value = default;
        if (!payload.TryGetProperty(claim, out var element) || element.ValueKind != JsonValueKind.Number) return false;
        if (!element.TryGetDouble(out var seconds) || double.IsNaN(seconds) || seconds < 0 || seconds > 253402300799) return false;
        value = DateTimeOffset.FromUnixTimeSeconds((long)seconds);
        return true;
    }

    private static string? Str(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}
