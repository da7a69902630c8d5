using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.Extensions.Options;
using CarTCds.Service.Hosting;

namespace CarTCds.Service.Security;

/// <summary>The <c>CdsHooks</c> authentication scheme: reads <c>Authorization: Bearer &lt;JWT&gt;</c>
/// and checks it with <see cref="CdsHooksTokenValidator"/>. A refused request gets a bare 401
/// (<c>WWW-Authenticate: Bearer</c>, no body) and one log line with the token's iss, tenant, jti,
/// kid and the reason. The token itself is never logged.</summary>
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
            Context.Items[FailureKey] = new TokenFailure("missing bearer token");
            return AuthenticateResult.NoResult();
        }
        var header = values.Count == 1 ? values[0] : null;
        if (header is null || !header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) || header.Length <= 7)
        {
            Context.Items[FailureKey] = new TokenFailure(values.Count == 1 ? "Authorization header is not a bearer token" : "more than one Authorization header");
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
        var failure = Context.Items[FailureKey] as TokenFailure ?? new TokenFailure("not authenticated");
        _log.LogWarning("CDS Hooks client refused ({Reason}): iss={Issuer} tenant={Tenant} jti={Jti} kid={Kid} {Method} {Path}",
            failure.Reason, CdsHooksTokenValidator.ForLog(failure.Issuer), CdsHooksTokenValidator.ForLog(failure.Tenant),
            CdsHooksTokenValidator.ForLog(failure.Jti), CdsHooksTokenValidator.ForLog(failure.Kid), Request.Method, Request.Path);

        if (Context.Features.Get<IStatusCodePagesFeature>() is { } pages) pages.Enabled = false;
        if (failure.Unavailable)
        {
            // The token may be good: say "try again", not "go away".
            Response.Headers.RetryAfter = "5";
            return OperationOutcomeResults.WriteAsync(Context, StatusCodes.Status503ServiceUnavailable, "transient",
                "The service cannot check this token for replay right now (its database is unavailable); retry shortly.");
        }
        // Bare 401: the status-code pages must not dress it in a body.
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = failure.Reason.StartsWith("missing bearer", StringComparison.Ordinal) ? "Bearer" : "Bearer error=\"invalid_token\"";
        return Task.CompletedTask;
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        if (Context.Features.Get<IStatusCodePagesFeature>() is { } pages) pages.Enabled = false;
        Response.StatusCode = StatusCodes.Status403Forbidden;
        return Task.CompletedTask;
    }

    /// <summary>The URL the client called, which its token's <c>aud</c> must equal: the configured
    /// public base URL (behind a proxy) or this request's scheme and host, plus the path.</summary>
    public static string UrlCalled(HttpRequest request, Uri? publicBaseUrl)
    {
        var path = request.PathBase.Add(request.Path).ToUriComponent();
        if (publicBaseUrl is null) return $"{request.Scheme}://{request.Host.ToUriComponent()}{path}";
        return publicBaseUrl.GetLeftPart(UriPartial.Path).TrimEnd('/') + path;
    }
}
