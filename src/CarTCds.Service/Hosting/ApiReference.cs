using System.Text.Json.Nodes;
using CarTCds.Hooks.Catalog;
using CarTCds.Service.Security;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Scalar.AspNetCore;

namespace CarTCds.Service.Hosting;

/// <summary>The API reference page (Scalar) at <see cref="Path"/>, rendered from the service's own
/// OpenAPI document (<c>/openapi/v1.json</c>): every endpoint, the CDS Hooks bearer JWT when
/// authentication is on, and one ready request per CDS service from <c>deploy/samples</c>.</summary>
public static class ApiReference
{
    /// <summary>Where the page is served.</summary>
    public const string Path = "/scalar";

    /// <summary><c>true</c> serves the page, <c>false</c> never; unset: Development only. Outside
    /// Development the page only describes what the OpenAPI document already says, but it is off by
    /// default so that a production host shows no more than it must.</summary>
    public const string EnabledSetting = "CarTCds:ApiReference:Enabled";

    /// <summary>Folder of the sample hook requests, beside the binary (the build copies
    /// <c>deploy/samples</c> there): <c>{service id}-request.json</c>.</summary>
    public const string SamplesFolder = "api-samples";

    /// <summary>Adds the samples in <see cref="SamplesFolder"/> to the OpenAPI document as the hook
    /// call's request examples, one per CDS service of the catalogue (a file for an unknown service
    /// is ignored; a missing folder gives no examples, the document is served all the same).</summary>
    public static void DescribeExamples(OpenApiOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var examples = LoadSamples(System.IO.Path.Combine(AppContext.BaseDirectory, SamplesFolder));
        if (examples.Count == 0) return;
        // A document transformer: it runs after the operation transformers, so the body that
        // DocumentsJsonBody declares is there to receive the examples.
        options.AddDocumentTransformer((document, _, _) =>
        {
            if (document.Paths?.TryGetValue("/cds-services/{id}", out var path) == true
                && path.Operations?.TryGetValue(HttpMethod.Post, out var call) == true
                && call.RequestBody?.Content?.TryGetValue("application/json", out var json) == true
                && json is OpenApiMediaType media)
            {
                media.Examples = examples.ToDictionary(e => e.Key, e => (IOpenApiExample)new OpenApiExample
                {
                    Summary = e.Value.Summary,
                    Description = $"POST /cds-services/{e.Key} with this body (deploy/samples/{e.Key}-request.json).",
                    Value = e.Value.Body.DeepClone(),
                });
            }
            return Task.CompletedTask;
        });
    }

    /// <summary>Maps the page when <see cref="EnabledSetting"/> is true, or unset in Development.</summary>
    public static WebApplication MapApiReference(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (!(app.Configuration.GetValue<bool?>(EnabledSetting) ?? app.Environment.IsDevelopment())) return app;
        app.MapScalarApiReference(Path, options => options
                .WithTitle("CarTCds CDS Hooks API")
                .WithOpenApiRoutePattern("/openapi/{documentName}.json")
                // The EHR's JWT goes in the Authorization header as a bearer token; only declared
                // (and so only offered) when authentication is on.
                .AddPreferredSecuritySchemes([CdsHooksOpenApi.SchemeId])
                .DisableTelemetry())
            .AllowAnonymous();
        return app;
    }

    private static Dictionary<string, (string Summary, JsonNode Body)> LoadSamples(string folder)
    {
        var samples = new Dictionary<string, (string, JsonNode)>(StringComparer.Ordinal);
        if (!Directory.Exists(folder)) return samples;
        foreach (var service in new CdsServiceCatalog().Services)
        {
            var file = System.IO.Path.Combine(folder, $"{service.Id}-request.json");
            if (!File.Exists(file)) continue;
            samples[service.Id] = ($"{service.Hook}: {service.Title}", JsonNode.Parse(File.ReadAllText(file))!);
        }
        return samples;
    }
}
