using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.Extensions.Options;
using CarTCds.Service.Hosting;
using CarTCds.Service.Telemetry;

namespace CarTCds.Service.Security;

/// <summary>The <c>CdsHooks</c> authentication scheme: reads <c>Authorization: Bearer &lt;JWT&gt;</c>
/// and checks it with <see cref="CdsHooksTokenValidator"/>. A refused request gets a 401 whose
/// OperationOutcome says why in words an integrator can act on (expired, the expected <c>aud</c>,
/// unknown issuer, replayed <c>jti</c> …), the same reason in
/// <c>WWW-Authenticate: Bearer error="invalid_token", error_description="…"</c> (RFC 6750 §3), and
/// one Warning log line with the token's iss, tenant, jti, kid and that reason. Never the token,
/// a key or a signature. A token the admin policy refuses gets a 403 the same way.</summary>
/// <remarks>The CDS Hooks implementation best practices (cds-hooks/docs, best-practices.md) advise a
/// bare 401 so as not to guide an attacker; we decided otherwise (deploy/config/README.md "Refusals"): integrators could not tell
/// an expired token from a wrong <c>aud</c>, and none of the reasons given reveals a secret.</remarks>
public sealed class CdsHooksAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory loggerFactory,
    UrlEncoder encoder,
    CdsHooksTokenValidator validator,
    CdsHooksSecuritySettings settings)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, loggerFactory, encoder)
{
    private static readonly object FailureKey = new();
    private readonly ILogger _log = loggerFactory.CreateLogger("CarTCds.Service.Security.CdsHooksAuthentication");

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var values = Request.Headers.Authorization;
        if (values.Count == 0)
        {
            Context.Items[FailureKey] = new TokenFailure(
                "No bearer token: every CDS Hooks call needs Authorization: Bearer <JWT> signed by a trusted CDS client (CDS Hooks 2.0, Trusting CDS Clients).",
                NoCredentials: true);
            return AuthenticateResult.NoResult();
        }
        var header = values.Count == 1 ? values[0] : null;
        if (header is null || !header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) || header.Length <= 7)
        {
            Context.Items[FailureKey] = values.Count == 1
                ? new TokenFailure("The Authorization header is not a bearer token: send Authorization: Bearer <JWT>.", NoCredentials: true)
                : new TokenFailure("More than one Authorization header: send exactly one, Authorization: Bearer <JWT>.");
            return AuthenticateResult.NoResult();
        }

        var result = await validator.ValidateAsync(header[7..].Trim(), UrlCalled(Request, settings.PublicBaseUrl), Context.RequestAborted).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            Context.Items[FailureKey] = result.Failure;
            return AuthenticateResult.Fail(result.Failure!.Reason);
        }
        return AuthenticateResult.Success(new AuthenticationTicket(result.Principal!, Scheme.Name));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var failure = Context.Items[FailureKey] as TokenFailure
            ?? new TokenFailure("Not authenticated: send Authorization: Bearer <JWT> signed by a trusted CDS client.");
        _log.LogWarning("CDS Hooks client refused ({Reason}): iss={Issuer} tenant={Tenant} jti={Jti} kid={Kid} {Method} {Path}",
            failure.Reason, CallerText.Cap(failure.Issuer), CallerText.Cap(failure.Tenant),
            CallerText.Cap(failure.Jti), CallerText.Cap(failure.Kid), Request.Method, CallerText.Cap(Request.Path.Value));

        if (Context.Features.Get<IStatusCodePagesFeature>() is { } pages) pages.Enabled = false;
        if (failure.Unavailable)
        {
            // The token may be good: say "try again", not "go away".
            Response.Headers.RetryAfter = "5";
            return OperationOutcomeResults.WriteAsync(Context, StatusCodes.Status503ServiceUnavailable, "transient",
                "The service cannot check this token for replay right now (its database is unavailable); retry shortly.");
        }
        // RFC 6750 §3.1: a request with no credentials gets no error code, only the scheme.
        Response.Headers.WWWAuthenticate = failure.NoCredentials
            ? "Bearer"
            : $"Bearer error=\"invalid_token\", error_description=\"{HeaderText(failure.Reason)}\"";
        return OperationOutcomeResults.WriteAsync(Context, StatusCodes.Status401Unauthorized, "login", failure.Reason);
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        var issuer = Context.User.FindFirst("iss")?.Value;
        var reason = $"{CallerText.Cap(Request.Path.Value)} needs a token from an administration issuer (CarTCds:Auth:Issuers:n:Admin = true); " +
            $"issuer '{CallerText.Cap(issuer)}' is not one. Use an operations client's key (cartcds keys create), not an EHR's.";
        _log.LogWarning("CDS Hooks client forbidden ({Reason}): iss={Issuer} {Method} {Path}",
            reason, CallerText.Cap(issuer), Request.Method, CallerText.Cap(Request.Path.Value));
        if (Context.Features.Get<IStatusCodePagesFeature>() is { } pages) pages.Enabled = false;
        Response.Headers.WWWAuthenticate = $"Bearer error=\"insufficient_scope\", error_description=\"{HeaderText(reason)}\"";
        return OperationOutcomeResults.WriteAsync(Context, StatusCodes.Status403Forbidden, "forbidden", reason);
    }

    /// <summary>RFC 6750 §3: error_description is printable ASCII without <c>"</c> and <c>\</c>;
    /// anything else (a caller's non-ASCII iss, the cap's ellipsis) becomes <c>?</c> or <c>'</c>.</summary>
    internal static string HeaderText(string reason) =>
        string.Create(reason.Length, reason, static (chars, reason) =>
        {
            for (var i = 0; i < chars.Length; i++)
            {
                var c = reason[i];
                chars[i] = c switch { '"' or '\\' => '\'', >= ' ' and <= '~' => c, _ => '?' };
            }
        });

    /// <summary>The URL the client called, which its token's <c>aud</c> must equal: the configured
    /// public base URL (behind a proxy) or this request's scheme and host, plus the path as the
    /// client sent it (doubled slashes included: <see cref="CalledPathFeature"/>).</summary>
    public static string UrlCalled(HttpRequest request, Uri? publicBaseUrl)
    {
        var called = request.HttpContext.Features.Get<CalledPathFeature>()?.Path ?? request.Path;
        var path = request.PathBase.Add(called).ToUriComponent();
        if (publicBaseUrl is null) return $"{request.Scheme}://{request.Host.ToUriComponent()}{path}";
        return publicBaseUrl.GetLeftPart(UriPartial.Path).TrimEnd('/') + path;
    }
}
