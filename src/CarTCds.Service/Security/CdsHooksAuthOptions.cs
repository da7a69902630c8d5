namespace CarTCds.Service.Security;

/// <summary>Configuration section <c>CarTCds:Auth</c>: who may call the CDS services
/// (CDS Hooks 2.0 "Trusting CDS Clients"). See deploy/config/appsettings.auth.sample.json.</summary>
public sealed class CdsHooksAuthOptions
{
    public const string Section = "CarTCds:Auth";

    /// <summary><c>true</c> turns authentication off; <c>false</c> turns it on whatever the
    /// environment; unset: off in Development and Testing (with a warning at start-up), on
    /// everywhere else. Outside Development/Testing the service refuses to start with no issuer
    /// configured unless this is explicitly <c>true</c>.</summary>
    public bool? Disabled { get; set; }

    /// <summary>The base URL the EHR calls when the service sits behind a proxy, e.g.
    /// <c>https://cds.example.org/cartcds</c>: a token's <c>aud</c> must equal this base plus the
    /// request path. Unset: the URL as this process sees it (scheme, Host header, path).</summary>
    public string? PublicBaseUrl { get; set; }

    /// <summary>Leeway for <c>exp</c> and <c>iat</c> (clocks differ). Default 60 s; at most 5 min.</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Longest token lifetime accepted, <c>exp − iat</c>; a longer-lived token is refused
    /// (401), so a leaked token cannot be replayed for years. Default 10 min: the 5 min that client
    /// JWTs are held to in SMART Backend Services ("exp … no more than five minutes in the future",
    /// https://hl7.org/fhir/smart-app-launch/backend-services.html) and that the official CDS Hooks
    /// Sandbox uses (exp = iat + 300 s), plus 5 min of margin. CDS Hooks 2.0 itself sets no limit;
    /// its implementation best practices expect tokens of at most an hour. Between 1 min and 1 day.</summary>
    public TimeSpan MaxTokenLifetime { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How long a <c>jti</c> is remembered (at least until the token expires). Default 1 h.</summary>
    public TimeSpan JtiLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How long a key set fetched from a <c>jku</c> URL is used before it is fetched again. Default 1 h.</summary>
    public TimeSpan JwksCacheDuration { get; set; } = TimeSpan.FromHours(1);

    /// <summary>A token whose <c>kid</c> is not in the cached set fetches the <c>jku</c> set again,
    /// at most once per this interval per URL (unknown kids cannot make us hammer the issuer). Default 30 s.</summary>
    public TimeSpan JwksMinRefreshInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Time allowed for one <c>jku</c> fetch. Default 5 s.</summary>
    public TimeSpan JwksFetchTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The issuer allowlist. A token whose <c>iss</c> is not here is refused.</summary>
    public List<TrustedIssuerOptions> Issuers { get; set; } = [];
}

/// <summary>One trusted CDS client (<c>CarTCds:Auth:Issuers:n</c>) and where its public keys come from.</summary>
public sealed class TrustedIssuerOptions
{
    /// <summary>The exact <c>iss</c> the client puts in its tokens, e.g. <c>https://sandbox.cds-hooks.org</c>.</summary>
    public string? Issuer { get; set; }

    /// <summary>A JWKS file holding the issuer's public keys (relative paths are resolved against
    /// the content root). Private keys (<c>d</c>, <c>p</c>, …) and symmetric keys are refused.</summary>
    public string? JwksFile { get; set; }

    /// <summary>The issuer's public keys inline: a JWKS as a JSON string (handy in an environment
    /// variable) or as a JSON object in appsettings.</summary>
    public string? Jwks { get; set; }

    /// <summary>Whether the key set at a token's <c>jku</c> URL may be fetched (only URLs in
    /// <see cref="JkuAllowlist"/>). A token whose <c>kid</c> is in <see cref="JwksFile"/>/<see cref="Jwks"/>
    /// is checked with that key whatever its <c>jku</c> says, and nothing is fetched (the official
    /// Sandbox always sends a <c>jku</c>); a <c>jku</c> is fetched only for a <c>kid</c> the
    /// configured keys lack, and only when this is <c>true</c> and the URL is listed. Default <c>false</c>.</summary>
    public bool AllowJku { get; set; }

    /// <summary>Exact <c>jku</c> URLs that may be fetched for this issuer (https; http only on loopback).</summary>
    public List<string> JkuAllowlist { get; set; } = [];

    /// <summary>Whether tokens of this issuer may read the administration endpoints
    /// (<c>/admin/…</c>, e.g. the feedback summary). Default <c>false</c>: an EHR calls the hooks
    /// only. Give it to an operations client with its own key (<c>cartcds keys create</c>); the
    /// official Sandbox issuer cannot have it (its private key is public).</summary>
    public bool Admin { get; set; }
}

/// <summary>Configuration section <c>CarTCds:Cors</c>.</summary>
public sealed class CdsHooksCorsOptions
{
    public const string Section = "CarTCds:Cors";

    /// <summary>Origins whose browsers may call the service (e.g. <c>https://ehr.example.org</c>),
    /// or <c>*</c> for any. In Development, localhost origins and https://sandbox.cds-hooks.org are
    /// added. No credentials (cookies) are ever allowed: CDS clients send a bearer token.</summary>
    public List<string> AllowedOrigins { get; set; } = [];
}
