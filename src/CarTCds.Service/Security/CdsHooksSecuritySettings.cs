using System.Text.Json.Nodes;

namespace CarTCds.Service.Security;

/// <summary>A trusted issuer, loaded and checked at start-up.</summary>
public sealed class TrustedIssuer
{
    public required string Issuer { get; init; }

    /// <summary>Keys from <c>JwksFile</c> and/or inline <c>Jwks</c>.</summary>
    public required IReadOnlyList<CdsSigningKey> StaticKeys { get; init; }

    public required bool AllowJku { get; init; }

    public required IReadOnlySet<string> JkuAllowlist { get; init; }

    /// <summary>Tokens of this issuer may read <c>/admin/…</c>.</summary>
    public bool Admin { get; init; }

    /// <summary>Whether the key set at this <c>jku</c> may be fetched for this issuer (exact, ordinal match).</summary>
    public bool AcceptsJku(string jku) => AllowJku && JkuAllowlist.Contains(jku);
}

/// <summary>The security configuration as checked at start-up: whether authentication is on and
/// why, the issuer allowlist with its keys, and the warnings to log once the host is built.</summary>
public sealed class CdsHooksSecuritySettings
{
    public const string OfficialSandboxIssuer = "https://sandbox.cds-hooks.org";

    public required bool Enabled { get; init; }

    public required CdsHooksAuthOptions Options { get; init; }

    public required Uri? PublicBaseUrl { get; init; }

    public required IReadOnlyDictionary<string, TrustedIssuer> Issuers { get; init; }

    public required IReadOnlyList<string> StartupWarnings { get; init; }

    /// <summary>Reads <c>CarTCds:Auth</c>; throws <see cref="InvalidOperationException"/> (the
    /// service does not start) on any error, naming the setting.</summary>
    public static CdsHooksSecuritySettings Load(IConfiguration configuration, IHostEnvironment environment)
    {
        var section = configuration.GetSection(CdsHooksAuthOptions.Section);
        var options = section.Get<CdsHooksAuthOptions>() ?? new CdsHooksAuthOptions();
        // Issuers are read by hand: the binder drops an issuer whose Jwks is written as an object.
        var issuerSections = section.GetSection("Issuers").GetChildren()
            .OrderBy(s => int.TryParse(s.Key, out var n) ? n : int.MaxValue).ToList();
        options.Issuers = issuerSections.Select(s => new TrustedIssuerOptions
        {
            Issuer = s["Issuer"],
            JwksFile = s["JwksFile"],
            Jwks = InlineJwksFromSection(s.GetSection("Jwks")),
            AllowJku = s.GetValue<bool>("AllowJku"),
            JkuAllowlist = s.GetSection("JkuAllowlist").Get<List<string>>() ?? [],
            Admin = s.GetValue<bool>("Admin"),
        }).ToList();
        var lenientEnvironment = environment.IsDevelopment() || environment.IsEnvironment("Testing");
        var enabled = options.Disabled switch { true => false, false => true, null => !lenientEnvironment };
        var warnings = new List<string>();

        if (!enabled)
        {
            warnings.Add(options.Disabled == true
                ? $"CarTCds:Auth:Disabled=true: CDS Hooks JWT authentication is OFF (environment {environment.EnvironmentName}). Any caller can use discovery, hooks and feedback."
                : $"CDS Hooks JWT authentication is OFF: environment {environment.EnvironmentName} runs without it by default. Set CarTCds:Auth:Disabled=false and configure CarTCds:Auth:Issuers to turn it on.");
        }

        Check(options.ClockSkew >= TimeSpan.Zero && options.ClockSkew <= TimeSpan.FromMinutes(5), "ClockSkew", "must be between 00:00:00 and 00:05:00");
        Check(options.MaxTokenLifetime >= TimeSpan.FromMinutes(1) && options.MaxTokenLifetime <= TimeSpan.FromDays(1), "MaxTokenLifetime", "must be between 00:01:00 and 1.00:00:00");
        Check(options.JtiLifetime >= TimeSpan.FromMinutes(1) && options.JtiLifetime <= TimeSpan.FromDays(1), "JtiLifetime", "must be between 00:01:00 and 1.00:00:00");
        Check(options.JwksCacheDuration > TimeSpan.Zero && options.JwksCacheDuration <= TimeSpan.FromDays(1), "JwksCacheDuration", "must be between 0 and 1 day");
        Check(options.JwksMinRefreshInterval >= TimeSpan.Zero && options.JwksMinRefreshInterval <= options.JwksCacheDuration, "JwksMinRefreshInterval", "must be between 0 and JwksCacheDuration");
        Check(options.JwksFetchTimeout > TimeSpan.Zero && options.JwksFetchTimeout <= TimeSpan.FromSeconds(30), "JwksFetchTimeout", "must be between 0 and 00:00:30");

        Uri? publicBase = null;
        if (!string.IsNullOrWhiteSpace(options.PublicBaseUrl))
        {
            Check(Uri.TryCreate(options.PublicBaseUrl, UriKind.Absolute, out publicBase)
                  && publicBase.Scheme is "https" or "http" && string.IsNullOrEmpty(publicBase.Query) && string.IsNullOrEmpty(publicBase.Fragment),
                "PublicBaseUrl", $"'{options.PublicBaseUrl}' must be an absolute http(s) URL without query or fragment");
        }

        var issuers = new Dictionary<string, TrustedIssuer>(StringComparer.Ordinal);
        for (var i = 0; i < options.Issuers.Count; i++)
        {
            var o = options.Issuers[i];
            var where = $"Issuers:{i}";
            Check(!string.IsNullOrWhiteSpace(o.Issuer), where + ":Issuer", "is required");
            var iss = o.Issuer!;
            Check(!issuers.ContainsKey(iss), where + ":Issuer", $"'{iss}' is listed twice");

            var keys = new List<CdsSigningKey>();
            if (!string.IsNullOrWhiteSpace(o.JwksFile))
            {
                var path = Path.IsPathRooted(o.JwksFile) ? o.JwksFile : Path.Combine(environment.ContentRootPath, o.JwksFile);
                Check(File.Exists(path), where + ":JwksFile", $"'{path}' does not exist");
                keys.AddRange(ParseStrict(File.ReadAllText(path), where + ":JwksFile"));
            }
            if (!string.IsNullOrWhiteSpace(o.Jwks)) keys.AddRange(ParseStrict(o.Jwks, where + ":Jwks"));

            var allowlist = new HashSet<string>(StringComparer.Ordinal);
            foreach (var url in o.JkuAllowlist.Where(u => !string.IsNullOrWhiteSpace(u)))
            {
                Check(o.AllowJku, where + ":JkuAllowlist", "is set but AllowJku is false");
                Check(Uri.TryCreate(url, UriKind.Absolute, out var u) && (u.Scheme == "https" || (u.Scheme == "http" && u.IsLoopback)) && string.IsNullOrEmpty(u.Fragment),
                    where + ":JkuAllowlist", $"'{url}' must be an absolute https URL (http only on loopback)");
                allowlist.Add(url);
            }
            Check(!o.AllowJku || allowlist.Count > 0, where + ":JkuAllowlist", "must list the accepted jku URLs when AllowJku is true");
            Check(keys.Count > 0 || allowlist.Count > 0, where, $"issuer '{iss}' has no keys: set JwksFile, Jwks, or AllowJku with a JkuAllowlist");

            var kids = keys.GroupBy(k => k.Kid, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
            Check(kids.Count == 0, where, $"kid '{string.Join("', '", kids)}' appears more than once");

            Check(!(o.Admin && iss == OfficialSandboxIssuer), where + ":Admin", $"cannot be true for {OfficialSandboxIssuer}: its private key is published, anyone could read the administration endpoints");
            issuers[iss] = new TrustedIssuer { Issuer = iss, StaticKeys = keys, AllowJku = o.AllowJku, JkuAllowlist = allowlist, Admin = o.Admin };
            if (iss == OfficialSandboxIssuer && !lenientEnvironment)
            {
                warnings.Add($"Issuer {OfficialSandboxIssuer} is trusted. The official CDS Hooks Sandbox publishes its private key in its public repository: anyone can sign tokens as this issuer. Trust it for demonstrations only, never with real patient data.");
            }
        }

        if (enabled && issuers.Count == 0)
        {
            throw new InvalidOperationException(
                $"CDS Hooks JWT authentication is on (environment {environment.EnvironmentName}) but {CdsHooksAuthOptions.Section}:Issuers lists no issuer, so no client could call the service. " +
                $"Configure the issuers, or set {CdsHooksAuthOptions.Section}:Disabled=true to run without authentication; the service will not start.");
        }

        return new CdsHooksSecuritySettings { Enabled = enabled, Options = options, PublicBaseUrl = publicBase, Issuers = issuers, StartupWarnings = warnings };
    }

    private static IReadOnlyList<CdsSigningKey> ParseStrict(string json, string where)
    {
        try
        {
            return JwksParser.Parse(json, strict: true);
        }
        catch (Exception ex) when (ex is FormatException or System.Text.Json.JsonException)
        {
            throw Invalid(where, ex.Message);
        }
    }

    /// <summary>A JWKS written as a JSON object in appsettings arrives as a configuration tree;
    /// turns it back into JSON (every JWK member is a string, arrays have numeric keys).</summary>
    private static string? InlineJwksFromSection(IConfigurationSection section)
    {
        if (section.Value is { } text) return text;
        return section.GetChildren().Any() ? ToNode(section)?.ToJsonString() : null;
    }

    private static JsonNode? ToNode(IConfigurationSection section)
    {
        var children = section.GetChildren().ToList();
        if (children.Count == 0) return section.Value is null ? null : JsonValue.Create(section.Value);
        if (children.All(c => int.TryParse(c.Key, out _)))
        {
            var array = new JsonArray();
            foreach (var c in children.OrderBy(c => int.Parse(c.Key, System.Globalization.CultureInfo.InvariantCulture))) array.Add(ToNode(c));
            return array;
        }
        var obj = new JsonObject();
        foreach (var c in children) obj[c.Key] = ToNode(c);
        return obj;
    }

    private static void Check(bool ok, string setting, string message)
    {
        if (!ok) throw Invalid(setting, message);
    }

    private static InvalidOperationException Invalid(string setting, string message) =>
        new($"{CdsHooksAuthOptions.Section}:{setting} {message}; the service will not start.");
}
