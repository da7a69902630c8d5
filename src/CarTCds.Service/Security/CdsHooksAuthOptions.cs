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

    /// <summary>Whether tokens of this issuer may carry a <c>jku</c> header. A token with a
    /// <c>jku</c> is refused unless this is <c>true</c> and the URL is in <see cref="JkuAllowlist"/>.
    /// Keys from <see cref="JwksFile"/>/<see cref="Jwks"/> are tried first; the URL is fetched only
    /// for a <c>kid</c> they do not hold.</summary>
    public bool AllowJku { get; set; }

    /// <summary>Exact <c>jku</c> URLs accepted for this issuer (https; http only on loopback).</summary>
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
