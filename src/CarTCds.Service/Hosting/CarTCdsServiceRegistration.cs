using Microsoft.AspNetCore.Http.Timeouts;
using CarTCds.Fhir.Client;
using CarTCds.Fhir.Validation;
using CarTCds.Hooks.Cards;
using CarTCds.Hooks.Evaluation;
using CarTCds.Hooks.Prefetch;
using CarTCds.Service.Health;
using CarTCds.Service.Storage;
using CarTCds.Service.Telemetry;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace CarTCds.Service.Hosting;

public static class CarTCdsServiceRegistration
{
    /// <summary>Configuration section of the FHIR client (<see cref="FhirClientOptions"/>).</summary>
    public const string FhirSection = "CarTCds:Fhir";

    /// <summary>DI key of the <see cref="TimeProvider"/> that times FHIR reads (the fetch budget and
    /// the client's deadline, retries and breaker): the system clock, whatever <c>CarTCds:Now</c> says.</summary>
    public const string TransportClockKey = "CarTCds.TransportClock";

    /// <summary>Registers the hook pipeline, its options and the host's services.</summary>
    public static WebApplicationBuilder AddCarTCds(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        if (!builder.Environment.IsDevelopment())
        {
            // Structured logs for collectors (the console logger's JSON formatter; other providers
            // stay); message templates carry no patient id or token. Scopes carry the trace and
            // span id (Telemetry/OpenTelemetryExport) and the request path and id.
            builder.Logging.AddJsonConsole(o => o.IncludeScopes = true);
        }
        services.AddOptions<CarTCdsOptions>().Bind(builder.Configuration.GetSection(CarTCdsOptions.Section))
            .Validate(o => o.MaxRequestBodyBytes is > 0 and <= int.MaxValue, $"CarTCds:MaxRequestBodyBytes must be between 1 and {int.MaxValue} bytes.")
            .Validate(o => o.RequestTimeout > o.FetchBudget && o.RequestTimeout <= TimeSpan.FromMinutes(5),
                "CarTCds:RequestTimeout must be longer than CarTCds:FetchBudget and at most 00:05:00.")
            .ValidateOnStart();
        services.AddOptions<RequestBodyAdmissionOptions>().Bind(builder.Configuration.GetSection(RequestBodyAdmissionOptions.Section))
            .Validate(o => o.MaxBufferedBodyBytes >= 1024 * 1024, "CarTCds:Admission:MaxBufferedBodyBytes must be at least 1 MiB (1048576).")
            .Validate(o => o.RetryAfterSeconds is >= 1 and <= 60, "CarTCds:Admission:RetryAfterSeconds must be between 1 and 60.")
            .ValidateOnStart();
        services.AddSingleton<AdmissionMetrics>();
        services.AddSingleton<RequestBodyAdmission>();
        services.AddRequestTimeouts();
        services.AddOptions<RequestTimeoutOptions>().Configure<IOptions<CarTCdsOptions>>((timeouts, cartcds) =>
            timeouts.DefaultPolicy = new RequestTimeoutPolicy
            {
                Timeout = cartcds.Value.RequestTimeout,
                TimeoutStatusCode = StatusCodes.Status504GatewayTimeout,
                WriteTimeoutResponse = http => OperationOutcomeResults.WriteAsync(http, StatusCodes.Status504GatewayTimeout, "timeout",
                    $"The request took longer than {cartcds.Value.RequestTimeout.TotalSeconds:0.#} s (CarTCds:RequestTimeout) and was stopped; no partial answer was given.",
                    CancellationToken.None),
            });

        var rules = RuleSetConfiguration.Load(builder.Configuration);

        services.AddSingleton<TimeProvider>(sp =>
            sp.GetRequiredService<IOptions<CarTCdsOptions>>().Value.Now is { } now ? new FixedTimeProvider(now) : TimeProvider.System);
        // The EHR's FHIR server, for what prefetch lacks: one Polly pipeline per server, built once.
        var fhirOptions = builder.Configuration.GetSection(FhirSection).Get<FhirClientOptions>() ?? new FhirClientOptions();
        try
        {
            fhirOptions.Validate();
        }
        catch (ArgumentException ex)
        {
            throw new InvalidOperationException($"{FhirSection} is invalid; the service will not start: {ex.Message}", ex);
        }
        // Transport timing runs on real time even when CarTCds:Now fixes the evaluation time: a frozen
        // clock would keep an open circuit breaker open for ever. Tests replace it (TransportClockKey)
        // with a fake clock they advance, so no test waits for a deadline in real time.
        services.AddKeyedSingleton(TransportClockKey, TimeProvider.System);
        services.AddSingleton(sp => new FhirResiliencePipelines(fhirOptions, sp.GetRequiredKeyedService<TimeProvider>(TransportClockKey)));
        services.AddSingleton(sp => new FhirServerClient(sp.GetRequiredService<FhirResiliencePipelines>()));
        services.AddSingleton<IFhirQueryClient, FhirServerQueryClient>();
        services.AddSingleton<HookMetrics>();
        builder.AddCarTCdsTelemetry();
        // The FHIR profiles (profiles/, embedded) are compiled here, at start-up: a profile the
        // validator cannot enforce stops the service before its first hook, not during it.
        var profiles = ProfileValidator.Default;
        // CarTCds:Cards (docs/CDS-HOOKS.md "Cards we answer"); an unknown NormalFindings value stops start-up.
        var cards = builder.Configuration.GetSection(CardOptions.Section).Get<CardOptions>() ?? new CardOptions();
        services.AddSingleton(sp => CdsEngine.Create(sp.GetRequiredService<TimeProvider>(), rules, sp.GetRequiredService<IFhirQueryClient>(),
            sp.GetRequiredService<IOptions<CarTCdsOptions>>().Value.FetchBudget, profiles, sp.GetRequiredKeyedService<TimeProvider>(TransportClockKey), cards));
        builder.AddCarTCdsStorage();

        services.AddHealthChecks()
            .AddCheck("rules", () => HealthCheckResult.Healthy($"rule set {rules.Label}"), [HealthEndpoints.ReadyTag])
            .AddCheck<FhirBreakerHealthCheck>("fhir-servers", tags: [HealthEndpoints.ReadyTag]);
        services.AddOpenApi(ApiReference.DescribeExamples);
        services.AddProblemDetails();

        // Our own body limit answers with an OperationOutcome; the server's would answer first, bare.
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = null);
        return builder;
    }

    /// <summary>Says loudly at start-up what an operator must know: the evaluation clock is fixed
    /// (tests and sandbox only), or any FHIR server a caller names will be called (no
    /// <c>CarTCds:Fhir:AllowedServers</c> outside Development and Testing).</summary>
    public static WebApplication LogStartupWarnings(this WebApplication app)
    {
        if (app.Services.GetRequiredService<IOptions<CarTCdsOptions>>().Value.Now is { } now)
        {
            app.Logger.LogWarning("CarTCds:Now is set: every hook is evaluated as of {Now:O}, not the request's time. For tests and the sandbox only.", now);
        }
        if (app.Services.GetRequiredService<FhirResiliencePipelines>().Options.AllowedServers.Count == 0
            && !app.Environment.IsDevelopment() && !app.Environment.IsEnvironment("Testing"))
        {
            app.Logger.LogWarning("{Section}:AllowedServers is empty: the service will call any FHIR server a caller names in fhirServer. " +
                "List the EHRs' FHIR base URLs before a shared deployment.", FhirSection);
        }
        return app;
    }

    /// <summary>Unhandled errors and bare status codes become OperationOutcomes; never a stack trace.
    /// A request past <see cref="CarTCdsOptions.RequestTimeout"/> is cancelled and answered 504.</summary>
    public static WebApplication UseOperationOutcomeErrors(this WebApplication app)
    {
        app.UseExceptionHandler(error => error.Run(http =>
            OperationOutcomeResults.WriteAsync(http, StatusCodes.Status500InternalServerError, "exception",
                "The service failed while answering; the failure is logged. Please retry or contact the service owner.")));
        app.UseStatusCodePages(async ctx =>
        {
            var http = ctx.HttpContext;
            var status = http.Response.StatusCode;
            var message = status switch
            {
                StatusCodes.Status404NotFound => $"No endpoint at {http.Request.Path}. CDS services are listed at GET /cds-services.",
                StatusCodes.Status405MethodNotAllowed => $"{http.Request.Method} is not allowed on {http.Request.Path}.",
                StatusCodes.Status415UnsupportedMediaType => $"Content-Type must be application/json (was '{http.Request.ContentType ?? "(none)"}').",
                _ => $"HTTP {status}.",
            };
            var code = status switch { 404 => "not-found", 405 or 415 => "not-supported", 401 or 403 => "security", _ => "processing" };
            await OperationOutcomeResults.WriteAsync(http, status, code, message).ConfigureAwait(false);
        });
        app.UseRequestTimeouts();
        return app;
    }
}
