using System.Text.Json;
using System.Text.Json.Nodes;
using CarTCds.Fhir.Model;
using CarTCds.Fhir.Serialization;
using CarTCds.Hooks.Contract;
using CarTCds.Hooks.Evaluation;
using CarTCds.Hooks.Sandbox;
using CarTCds.Service.Hosting;
using CarTCds.Service.Security;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Options;

namespace CarTCds.Service.Sandbox;

/// <summary>The sandbox: a mini-EHR page at <c>/sandbox</c> (static files in wwwroot/sandbox) and
/// its API at <c>/sandbox/api</c>. The page builds nothing itself: the API hands it the exact
/// hook request an EHR would send (the example's record moved so the chosen day is today), the
/// page posts it to <c>/cds-services/{id}</c> like any EHR and sends feedback to
/// <c>/cds-services/{id}/feedback</c>. The API needs the client policy, so with authentication
/// on the page works only with a client token pasted into it.</summary>
public static class SandboxEndpoints
{
    /// <summary>The page's own files only: scripts, styles and requests from this origin; no inline
    /// script, no plugins, no framing.</summary>
    public const string PageContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

    /// <summary>Registers <see cref="SandboxOptions"/>, the example patients and the timeline.</summary>
    public static WebApplicationBuilder AddSandbox(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<SandboxOptions>().Bind(builder.Configuration.GetSection(SandboxOptions.Section))
            .Validate(o => string.IsNullOrWhiteSpace(o.FhirServer)
                    || (Uri.TryCreate(o.FhirServer, UriKind.Absolute, out var u) && (u.Scheme == Uri.UriSchemeHttp || u.Scheme == Uri.UriSchemeHttps)),
                "CarTCds:Sandbox:FhirServer must be an absolute http(s) FHIR base URL.")
            .ValidateOnStart();
        builder.Services.AddSingleton<ExamplePatients>();
        builder.Services.AddSingleton<FhirSandboxPatients>();
        builder.Services.AddSingleton(sp => new ExampleTimelines(sp.GetRequiredService<ExamplePatients>(), sp.GetRequiredService<CdsServiceEvaluator>().Rules));
        return builder;
    }

    /// <summary>Serves the page and maps the API when <see cref="SandboxOptions.Enabled"/> (default:
    /// Development only); warns at start-up when it is on outside Development.</summary>
    public static WebApplication MapSandbox(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<IOptions<SandboxOptions>>().Value;
        if (!(options.Enabled ?? app.Environment.IsDevelopment())) return app;
        if (!app.Environment.IsDevelopment())
        {
            app.Logger.LogWarning("The sandbox page is on (CarTCds:Sandbox:Enabled) outside Development: it serves synthetic example patients at /sandbox. A demo, not a clinical tool.");
        }

        // "/sandbox" → "/sandbox/" (so the page's relative URLs resolve) as middleware, not an
        // endpoint: routing ignores the trailing slash, and a matched endpoint turns static files off.
        app.Use((http, next) =>
        {
            if (!string.Equals(http.Request.Path.Value, "/sandbox", StringComparison.OrdinalIgnoreCase)) return next(http);
            http.Response.Redirect("/sandbox/" + http.Request.QueryString);
            return Task.CompletedTask;
        });

        var pageFolder = Path.Combine(app.Environment.WebRootPath ?? Path.Combine(app.Environment.ContentRootPath, "wwwroot"), "sandbox");
        if (Directory.Exists(pageFolder))
        {
            var files = new PhysicalFileProvider(pageFolder);
            app.UseDefaultFiles(new DefaultFilesOptions { RequestPath = "/sandbox", FileProvider = files });
            app.UseStaticFiles(new StaticFileOptions
            {
                RequestPath = "/sandbox",
                FileProvider = files,
                // The page renders card text from the service (markdown, links): if escaping ever
                // failed, no injected script, inline handler or foreign request could run.
                OnPrepareResponse = ctx =>
                {
                    ctx.Context.Response.Headers.ContentSecurityPolicy = PageContentSecurityPolicy;
                    ctx.Context.Response.Headers.XContentTypeOptions = "nosniff";
                },
            });
        }
        var api = app.MapGroup("/sandbox/api").WithTags("Sandbox").RequireAuthorization(CdsHooksSecurity.ClientPolicy);
        api.MapGet("/patients", GetPatients).WithName("SandboxPatients").WithSummary("The example patients and the days of their story.");
        api.MapGet("/patients/{id}/timeline", GetTimeline).WithName("SandboxTimeline")
            .WithSummary("Per day after infusion: vitals, oxygen, vasopressors, ICE/CAPD, CRS and ICANS grade (the engine's rules), tocilizumab/steroid doses.");
        api.MapGet("/patients/{id}/request", GetHookRequest).WithName("SandboxHookRequest")
            .WithSummary("The hook request an EHR would send for this patient on this day (hook, day, draft orders), for the page to post to /cds-services/{serviceId}.");
        return app;
    }

    public static async Task<IResult> GetPatients(ExamplePatients examples, FhirSandboxPatients fhirPatients, CdsServiceEvaluator evaluator, CancellationToken cancellationToken)
    {
        var body = new JsonObject
        {
            ["patients"] = new JsonArray(examples.Patients.Select(p => (JsonNode)new JsonObject
            {
                ["id"] = p.Id,
                ["name"] = p.Name,
                ["gender"] = p.Gender,
                ["birthDate"] = p.BirthDate,
                ["hasInfusion"] = p.HasInfusion,
                ["day0"] = p.Anchor.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
                ["firstDay"] = p.FirstDay,
                ["lastDay"] = p.LastDay,
            }).ToArray()),
            ["draftOrders"] = new JsonArray(examples.DraftOrders.Keys.Select(k => (JsonNode)JsonValue.Create(k)!).ToArray()),
            ["services"] = new JsonArray(evaluator.Catalog.Services.Select(s => (JsonNode)new JsonObject { ["id"] = s.Id, ["hook"] = s.Hook, ["title"] = s.Title }).ToArray()),
        };
        if (fhirPatients.Server is { } server)
        {
            // The page still works with the examples when the FHIR server is down: it says why.
            var (list, failure) = await fhirPatients.ListAsync(cancellationToken).ConfigureAwait(false);
            body["fhirServer"] = server;
            body["fhirPatients"] = list ?? [];
            if (failure is not null) body["fhirFailure"] = failure;
        }
        return TypedResults.Json(body);
    }

    /// <summary>The timeline of an example patient, or, with <c>source=fhir</c>, of a patient of
    /// <see cref="SandboxOptions.FhirServer"/> read from it up to the engine's today.</summary>
    public static async Task<IResult> GetTimeline(string id, string? source, ExampleTimelines timeline, FhirSandboxPatients fhirPatients, CancellationToken cancellationToken)
    {
        if (source == "fhir")
        {
            if (fhirPatients.Server is null) return NoFhirServer();
            var (days, error) = await fhirPatients.TimelineAsync(id, cancellationToken).ConfigureAwait(false);
            return error is not null ? OperationOutcomeResults.From(error) : TypedResults.Json(days);
        }
        return timeline.For(id) is { } exampleDays
            ? TypedResults.Json(exampleDays)
            : OperationOutcomeResults.From(HookError.NotFound($"No sandbox patient '{id}' (GET /sandbox/api/patients)."));
    }

    private static IResult NoFhirServer() =>
        OperationOutcomeResults.From(HookError.BadRequest("source=fhir needs CarTCds:Sandbox:FhirServer, which is not set.", "source", "not-supported"));

    /// <summary>Builds the request: the record moved by whole days so that <paramref name="day"/> is
    /// the engine's today (charted up to now's time of day), every prefetch key filled (<see cref="PatientBundleRequest"/>), and for the
    /// order hooks the chosen draft orders (comma-separated names) written for this patient.</summary>
    public static IResult GetHookRequest(string id, string? hook, int? day, string? orders, string? source, ExamplePatients examples,
        FhirSandboxPatients fhirPatients, CdsServiceEvaluator evaluator, TimeProvider time)
    {
        var fromFhir = source == "fhir";
        if (fromFhir && fhirPatients.Server is null) return NoFhirServer();
        var patient = fromFhir ? null : examples.Find(id);
        if (!fromFhir && patient is null) return OperationOutcomeResults.From(HookError.NotFound($"No sandbox patient '{id}' (GET /sandbox/api/patients)."));
        hook ??= "patient-view";
        if (evaluator.Catalog.Services.FirstOrDefault(s => s.Hook == hook) is not { } service)
            return OperationOutcomeResults.From(HookError.BadRequest($"'hook' must be one of: {string.Join(", ", evaluator.Catalog.Services.Select(s => s.Hook))}.", "hook", "value"));

        Bundle? drafts = null;
        if (service.Hook != "patient-view")
        {
            var names = (orders ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (names.Length == 0) return OperationOutcomeResults.From(HookError.BadRequest($"'orders' (draft order names, comma-separated) is required for {hook}.", "orders", "required"));
            var entries = new JsonArray();
            foreach (var name in names)
            {
                if (!examples.DraftOrders.TryGetValue(name, out var order))
                    return OperationOutcomeResults.From(HookError.BadRequest($"Unknown draft order '{name}'; offered: {string.Join(", ", examples.DraftOrders.Keys)}.", "orders", "value"));
                foreach (var entry in order["entry"]?.AsArray() ?? [])
                {
                    var copy = entry!.DeepClone();
                    // An EHR's draft order names its patient; the service refuses orders for another one.
                    copy["resource"]!["subject"] = new JsonObject { ["reference"] = $"Patient/{id}" };
                    entries.Add(copy);
                }
            }
            drafts = (Bundle)FhirJson.Parse(new JsonObject { ["resourceType"] = "Bundle", ["type"] = "collection", ["entry"] = entries }.ToJsonString());
        }

        var now = time.GetUtcNow();
        if (patient is null)
        {
            // A live record: the service reads it from the FHIR server as of its own clock.
            return TypedResults.Json(new JsonObject
            {
                ["serviceId"] = service.Id,
                ["storyNow"] = now.ToString("yyyy-MM-dd'T'HH:mm'Z'", System.Globalization.CultureInfo.InvariantCulture),
                ["request"] = JsonNode.Parse(JsonSerializer.Serialize(fhirPatients.Request(service, id, drafts), CdsJson.Request)),
            });
        }

        var chosenDay = day ?? patient.LastDay;
        if (chosenDay < patient.FirstDay || chosenDay > patient.LastDay)
            return OperationOutcomeResults.From(HookError.BadRequest($"'day' must be between {patient.FirstDay} and {patient.LastDay} for {id}.", "day", "value"));

        // The chosen story day becomes today, by whole days: the cards count the same day after
        // infusion as the story, and the record holds what was charted up to now's time of day
        // (at 23:00Z, the whole day, as the timeline grades it).
        var (shifted, storyNow, _) = RecordTimeShift.ToToday(patient.Bundle, patient.Anchor, chosenDay, now);
        var request = PatientBundleRequest.Build(service, (Bundle)FhirJson.Parse(shifted.ToJsonString()), drafts, "Practitioner/cartcds-sandbox");
        return TypedResults.Json(new JsonObject
        {
            ["serviceId"] = service.Id,
            ["day"] = chosenDay,
            ["storyDate"] = patient.Anchor.AddDays(chosenDay).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            ["storyNow"] = storyNow.ToString("yyyy-MM-dd'T'HH:mm'Z'", System.Globalization.CultureInfo.InvariantCulture),
            ["request"] = JsonNode.Parse(JsonSerializer.Serialize(request, CdsJson.Request)),
        });
    }
}
