using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace CarTCds.Service.Security;

/// <summary>CDS Hooks 2.0 client authentication (JWT) and CORS for the service. Call
/// <see cref="AddCdsHooksSecurity"/> on the builder, <see cref="UseCdsHooksSecurity"/> before the
/// endpoints are mapped, and protect discovery, hooks and feedback with
/// <c>.RequireAuthorization(CdsHooksSecurity.ClientPolicy)</c>. Health and OpenAPI stay open.</summary>
public static class CdsHooksSecurity
{
    /// <summary>Authorization policy for the CDS Hooks endpoints: a valid client JWT when
    /// authentication is on; anyone when it is off (Development/Testing default, or
    /// <c>CarTCds:Auth:Disabled=true</c>).</summary>
    public const string ClientPolicy = "CdsHooksClient";

    /// <summary>Authorization policy for <c>/admin/…</c>: a valid JWT from an issuer configured with
    /// <c>Admin: true</c> when authentication is on; anyone when it is off.</summary>
    public const string AdminPolicy = "CarTCdsAdmin";

    /// <summary>Claim added to the principal of an admin issuer's token.</summary>
    public const string RoleClaim = "cartcds_role";

    /// <summary>Value of <see cref="RoleClaim"/> for admin issuers.</summary>
    public const string AdminRole = "admin";

    /// <summary>Authentication scheme name.</summary>
    public const string SchemeName = "CdsHooks";

    /// <summary>CORS policy name (applied to every endpoint by <see cref="UseCdsHooksSecurity"/>).</summary>
    public const string CorsPolicy = "CdsHooksCors";

    /// <summary>DI key of the <see cref="TimeProvider"/> that checks token times: the wall clock
    /// (<see cref="TimeProvider.System"/>), never the fixed evaluation clock of <c>CarTCds:Now</c>.
    /// Tests replace it.</summary>
    public const string ClockKey = "CarTCds.Security.Clock";

    /// <summary>The official CDS Hooks Sandbox: a browser app, so CORS in Development allows it.</summary>
    public const string SandboxOrigin = "https://sandbox.cds-hooks.org";

    /// <summary>Reads <c>CarTCds:Auth</c> and <c>CarTCds:Cors</c> and registers authentication,
    /// the <see cref="ClientPolicy"/>, the <c>jti</c> store and CORS. Throws (the service does not
    /// start) on invalid settings, and when authentication is on with no issuer configured.</summary>
    public static WebApplicationBuilder AddCdsHooksSecurity(this WebApplicationBuilder builder)
    {
        var settings = CdsHooksSecuritySettings.Load(builder.Configuration, builder.Environment);
        var services = builder.Services;
        services.AddSingleton(settings);
        services.TryAddKeyedSingleton(ClockKey, TimeProvider.System);
        services.TryAddSingleton<IJtiReplayStore>(sp => new InMemoryJtiReplayStore(sp.GetRequiredKeyedService<TimeProvider>(ClockKey)));
        services.AddSingleton<IssuerKeyResolver>();
        services.AddSingleton<CdsHooksTokenValidator>();
        services.AddHttpClient(IssuerKeyResolver.HttpClientName, c =>
            {
                c.Timeout = settings.Options.JwksFetchTimeout;
                c.MaxResponseContentBufferSize = 64 * 1024;
            })
            // A redirect could lead off the allowlist.
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false });

        var authentication = settings.Enabled ? services.AddAuthentication(SchemeName) : services.AddAuthentication();
        if (settings.Enabled)
        {
            authentication.AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, CdsHooksAuthenticationHandler>(SchemeName, null);
        }
        services.AddAuthorization(o =>
        {
            o.AddPolicy(ClientPolicy, settings.Enabled
                ? new AuthorizationPolicyBuilder(SchemeName).RequireAuthenticatedUser().Build()
                : new AuthorizationPolicyBuilder().RequireAssertion(_ => true).Build());
            o.AddPolicy(AdminPolicy, settings.Enabled
                ? new AuthorizationPolicyBuilder(SchemeName).RequireAuthenticatedUser().RequireClaim(RoleClaim, AdminRole).Build()
                : new AuthorizationPolicyBuilder().RequireAssertion(_ => true).Build());
        });

        if (settings.Enabled) services.ConfigureAll<Microsoft.AspNetCore.OpenApi.OpenApiOptions>(CdsHooksOpenApi.Declare);

        var cors = builder.Configuration.GetSection(CdsHooksCorsOptions.Section).Get<CdsHooksCorsOptions>() ?? new CdsHooksCorsOptions();
        var origins = CdsHooksCors.Origins(cors, builder.Environment);
        services.AddCors(o => o.AddPolicy(CorsPolicy, policy => CdsHooksCors.Configure(policy, origins, builder.Environment.IsDevelopment())));
        return builder;
    }

    /// <summary>Logs the start-up warnings (authentication off, the sandbox issuer trusted), then
    /// adds CORS, authentication and authorization to the pipeline. Call before mapping endpoints.</summary>
    public static WebApplication UseCdsHooksSecurity(this WebApplication app)
    {
        var settings = app.Services.GetRequiredService<CdsHooksSecuritySettings>();
        foreach (var warning in settings.StartupWarnings) app.Logger.LogWarning("{SecurityWarning}", warning);
        if (settings.Enabled)
        {
            app.Logger.LogInformation("CDS Hooks JWT authentication is on: {Count} trusted issuer(s): {Issuers}.",
                settings.Issuers.Count, string.Join(", ", settings.Issuers.Values.Select(i => i.Admin ? i.Issuer + " (admin)" : i.Issuer)));
        }
        app.UseCors(CorsPolicy);
        app.UseAuthentication();
        app.UseAuthorization();
        return app;
    }
}
