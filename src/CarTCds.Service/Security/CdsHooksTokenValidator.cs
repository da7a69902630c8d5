using System.Globalization;
using System.Security.Claims;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace CarTCds.Service.Security;

/// <summary>Why a token was refused, with what the token said about itself (unverified) for the
/// log line. Never holds the token. <paramref name="Unavailable"/>: not refused but not checkable
/// (the <c>jti</c> store is down) — answered 503, not 401.</summary>
public sealed record TokenFailure(string Reason, string? Issuer = null, string? Tenant = null, string? Jti = null, string? Kid = null, bool Unavailable = false);

/// <summary>The outcome of <see cref="CdsHooksTokenValidator.ValidateAsync"/>.</summary>
public sealed record TokenValidation(ClaimsPrincipal? Principal, TokenFailure? Failure)
{
    public bool Succeeded => Principal is not null;
}

/// <summary>Checks a CDS Hooks 2.0 client JWT (https://cds-hooks.hl7.org/2.0/#trusting-cds-clients):
/// header <c>alg</c> ES384 or RS384 (never <c>none</c> or HS*), <c>kid</c> required, <c>typ</c>
/// JWT if present, no <c>crit</c>; <c>iss</c> on the allowlist; a <c>jku</c> only if that issuer
/// allows it and lists the URL; the signature against that issuer's key; <c>aud</c> = the URL
/// called; <c>exp</c> and <c>iat</c> within the clock skew; <c>jti</c> not seen before.</summary>
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
        if (token.Length > MaxTokenLength) return Fail("token too long");

        if (!TryRead(token, out var header, out var payload)) return Fail("malformed token");
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
        if (alg is not (JwksParser.Es384 or JwksParser.Rs384)) return Refuse($"alg '{ForLog(alg)}' not accepted (ES384 or RS384 only)");
        if (string.IsNullOrEmpty(kid)) return Refuse("missing kid");
        if (header.TryGetProperty("crit", out _)) return Refuse("crit header not supported");
        var typ = Str(header, "typ");
        if (typ is not null && !string.Equals(typ, "JWT", StringComparison.OrdinalIgnoreCase)) return Refuse($"typ '{ForLog(typ)}' is not JWT");

        if (string.IsNullOrEmpty(iss)) return Refuse("missing iss");
        if (!settings.Issuers.TryGetValue(iss, out var issuer)) return Refuse("issuer not on the allowlist");

        var jku = Str(header, "jku");
        if (jku is not null && !issuer.AcceptsJku(jku))
        {
            return Refuse(issuer.AllowJku ? $"jku '{ForLog(jku)}' not on the issuer's allowlist" : "jku not allowed for this issuer");
        }

        var candidates = await keys.FindAsync(issuer, kid, alg, jku, cancellationToken).ConfigureAwait(false);
        if (candidates.Count == 0) return Refuse($"no {alg} key with this kid for the issuer");

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
        if (!result.IsValid) return Refuse($"signature not valid ({result.Exception?.GetType().Name ?? "invalid"})");

        if (!AudienceMatches(payload, urlCalled)) return Refuse($"aud does not equal the URL called ({urlCalled})");

        var now = clock.GetUtcNow();
        var skew = settings.Options.ClockSkew;
        if (!TryTime(payload, "exp", out var exp)) return Refuse("missing or invalid exp");
        if (!TryTime(payload, "iat", out var iat)) return Refuse("missing or invalid iat");
        if (exp + skew <= now) return Refuse("expired");
        if (iat - skew > now) return Refuse("iat in the future");
        if (exp < iat) return Refuse("exp before iat");
        if (TryTime(payload, "nbf", out var nbf) && nbf - skew > now) return Refuse("not valid yet (nbf)");

        if (string.IsNullOrEmpty(jti)) return Refuse("missing jti");
        var keepUntil = Max(now + settings.Options.JtiLifetime, exp + skew);
        try
        {
            if (!await replay.TryMarkUsedAsync(iss, jti, keepUntil, cancellationToken).ConfigureAwait(false)) return Refuse("jti replayed");
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

    internal static string ForLog(string? value)
    {
        if (value is null) return "-";
        var cut = value.Length > 128 ? value[..128] + "…" : value;
        return string.Create(CultureInfo.InvariantCulture, $"{new string(cut.Select(c => char.IsControl(c) ? '?' : c).ToArray())}");
    }
}
