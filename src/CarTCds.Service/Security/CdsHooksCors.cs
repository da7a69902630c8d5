using Microsoft.AspNetCore.Cors.Infrastructure;

namespace CarTCds.Service.Security;

/// <summary>CORS for browser CDS clients (the official Sandbox sends a real preflight before every
/// call, with <c>Access-Control-Request-Headers: authorization,content-type</c>).</summary>
public static class CdsHooksCors
{
    private static readonly string[] Methods = ["GET", "POST", "OPTIONS"];
    private static readonly string[] Headers = ["authorization", "content-type"];

    /// <summary>The configured origins, checked (scheme://host[:port], no path), plus in
    /// Development the official Sandbox. Throws when an origin is not an origin.</summary>
    public static IReadOnlyList<string> Origins(CdsHooksCorsOptions options, IHostEnvironment environment)
    {
        var origins = new List<string>();
        foreach (var origin in options.AllowedOrigins.Where(o => !string.IsNullOrWhiteSpace(o)))
        {
            if (origin == "*")
            {
                origins.Add(origin);
                continue;
            }
            if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")
                || uri.AbsolutePath != "/" || origin.TrimEnd('/').Length != uri.GetLeftPart(UriPartial.Authority).Length)
            {
                throw new InvalidOperationException($"{CdsHooksCorsOptions.Section}:AllowedOrigins '{origin}' is not an origin (scheme://host[:port], nothing after); the service will not start.");
            }
            origins.Add(uri.GetLeftPart(UriPartial.Authority));
        }
        if (environment.IsDevelopment()) origins.Add(CdsHooksSecurity.SandboxOrigin);
        return origins.Distinct(StringComparer.OrdinalIgnoreCase).ToList();
    }

    /// <summary>Allows <paramref name="origins"/> (and in Development any localhost origin) to
    /// GET/POST with authorization and content-type headers; never credentials.</summary>
    public static void Configure(CorsPolicyBuilder policy, IReadOnlyList<string> origins, bool allowLocalhost)
    {
        if (origins.Contains("*")) policy.AllowAnyOrigin();
        else
        {
            var set = new HashSet<string>(origins, StringComparer.OrdinalIgnoreCase);
            policy.SetIsOriginAllowed(origin => set.Contains(origin) || (allowLocalhost && IsLocalhost(origin)));
        }
        policy.WithMethods(Methods).WithHeaders(Headers).SetPreflightMaxAge(TimeSpan.FromMinutes(10));
    }

    private static bool IsLocalhost(string origin) =>
        Uri.TryCreate(origin, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
        && (uri.IsLoopback || uri.Host.Equals("localhost", StringComparison.OrdinalIgnoreCase));
}
