using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace CarTCds.Service.Security;

/// <summary>Declares the CDS Hooks client JWT in the OpenAPI document when authentication is on: a
/// bearer scheme (<see cref="SchemeId"/>) and, on every operation that requires authorization
/// (discovery, hooks, feedback, /admin), a security requirement. Health and the document itself
/// stay without one, as they are served.</summary>
internal static class CdsHooksOpenApi
{
    public const string SchemeId = "cdsHooksJwt";

    public static void Declare(OpenApiOptions options)
    {
        options.AddDocumentTransformer((document, _, _) =>
        {
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes[SchemeId] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                BearerFormat = "JWT",
                Description = "CDS Hooks 2.0 client JWT (https://cds-hooks.hl7.org/2.0/#trusting-cds-clients): ES384 or RS384, " +
                    "iss on the service's allowlist, aud = the URL called, exp/iat, single-use jti. /admin needs an issuer configured with Admin: true.",
            };
            return Task.CompletedTask;
        });
        options.AddOperationTransformer((operation, context, _) =>
        {
            var metadata = context.Description.ActionDescriptor.EndpointMetadata;
            if (!metadata.OfType<IAuthorizeData>().Any() || metadata.OfType<IAllowAnonymous>().Any()) return Task.CompletedTask;
            operation.Security ??= [];
            operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(SchemeId, context.Document)] = [] });
            operation.Responses ??= new OpenApiResponses();
            operation.Responses.TryAdd("401", new OpenApiResponse { Description = "No valid client JWT (bare, with WWW-Authenticate: Bearer)." });
            return Task.CompletedTask;
        });
    }
}
