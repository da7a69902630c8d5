using Microsoft.OpenApi;

namespace CarTCds.Service.Hosting;

/// <summary>Documents a JSON request body in OpenAPI without <c>.Accepts&lt;T&gt;()</c>, whose
/// content-type matching would answer a wrong Content-Type with a bare 415 before the handler
/// can say what was wrong.</summary>
public static class OpenApiBodies
{
    public static RouteHandlerBuilder DocumentsJsonBody<T>(this RouteHandlerBuilder builder, string description) =>
        builder.AddOpenApiOperationTransformer(async (operation, context, cancellationToken) =>
        {
            var schema = await context.GetOrCreateSchemaAsync(typeof(T), null, cancellationToken).ConfigureAwait(false);
            operation.RequestBody = new OpenApiRequestBody
            {
                Required = true,
                Description = description,
                Content = new Dictionary<string, OpenApiMediaType> { ["application/json"] = new() { Schema = schema } },
            };
        });
}
