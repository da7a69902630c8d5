using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace CarTCds.Service.Hosting;

/// <summary>Reads a JSON request body within the size limit, or says why not (415, 413, 400).</summary>
public static class JsonBody
{
    /// <summary>Reads the whole body into memory, at most <see cref="CarTCdsOptions.MaxRequestBodyBytes"/>.</summary>
    public static async Task<(ReadOnlyMemory<byte> Body, IResult? Error)> ReadAsync(HttpRequest request, IOptions<CarTCdsOptions> options)
    {
        var limit = options.Value.MaxRequestBodyBytes;
        if (!IsJson(request.ContentType))
        {
            return (default, OperationOutcomeResults.Error(StatusCodes.Status415UnsupportedMediaType, "not-supported",
                $"Content-Type must be application/json (was '{request.ContentType ?? "(none)"}')."));
        }
        if (request.ContentLength > limit) return (default, TooLarge(limit));

        // Our limit applies; lift the server's so it does not answer first with an empty 413.
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeFeature)
        {
            sizeFeature.MaxRequestBodySize = limit + 1;
        }

        using var buffer = new MemoryStream(request.ContentLength is { } len and > 0 ? (int)Math.Min(len, limit) : 16 * 1024);
        var chunk = new byte[16 * 1024];
        try
        {
            int read;
            while ((read = await request.Body.ReadAsync(chunk, request.HttpContext.RequestAborted).ConfigureAwait(false)) > 0)
            {
                if (buffer.Length + read > limit) return (default, TooLarge(limit));
                buffer.Write(chunk, 0, read);
            }
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (default, TooLarge(limit));
        }
        return (buffer.GetBuffer().AsMemory(0, (int)buffer.Length), null);
    }

    private static IResult TooLarge(long limit) =>
        OperationOutcomeResults.Error(StatusCodes.Status413PayloadTooLarge, "too-costly",
            $"The request body is larger than the limit of {limit} bytes (CarTCds:MaxRequestBodyBytes).");

    private static bool IsJson(string? contentType)
    {
        if (contentType is null) return false;
        var media = contentType.Split(';', 2)[0].Trim();
        return media.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || media.Equals("application/fhir+json", StringComparison.OrdinalIgnoreCase);
    }
}
