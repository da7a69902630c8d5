using System.Buffers;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using Microsoft.Extensions.Options;

namespace CarTCds.Service.Hosting;

/// <summary>Reads a JSON request body within the size limit and the admission budget, or says why
/// not (415, 413, 503, 408, 400).</summary>
public static class JsonBody
{
    /// <summary>Reads the whole body into a buffer rented from <see cref="ArrayPool{T}.Shared"/>, at most
    /// <see cref="CarTCdsOptions.MaxRequestBodyBytes"/>. On success the caller owns the returned
    /// <see cref="RentedBody"/> and must dispose it once parsed (nothing parsed from it may keep a
    /// reference to its bytes); on error the body is null and nothing is rented.
    /// The body's bytes are held against <see cref="RequestBodyAdmission"/> until the response is
    /// done (the parsed request lives that long); over its budget the answer is 503 with Retry-After.</summary>
    public static async Task<(RentedBody? Body, IResult? Error)> ReadAsync(HttpRequest request, IOptions<CarTCdsOptions> options)
    {
        var limit = options.Value.MaxRequestBodyBytes;
        if (!IsJson(request.ContentType))
        {
            return (null, OperationOutcomeResults.Error(StatusCodes.Status415UnsupportedMediaType, "not-supported",
                $"Content-Type must be application/json (was '{request.ContentType ?? "(none)"}')."));
        }
        if (request.ContentLength > limit) return (null, TooLarge(limit));

        // Our limit applies; lift the server's so it does not answer first with an empty 413.
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeFeature)
        {
            sizeFeature.MaxRequestBodySize = limit + 1;
        }

        var admission = request.HttpContext.RequestServices.GetRequiredService<RequestBodyAdmission>();
        // Chunked bodies (no Content-Length) are held as they grow, below.
        var lease = admission.TryAdmit(request.ContentLength is { } declared and > 0 ? declared : 0);
        if (lease is null) return (null, Overloaded(request, admission));
        request.HttpContext.Response.RegisterForDispose(lease);

        // A 200-Observation hook body is ~130 KB: a fresh array per call lands on the large-object
        // heap every time, a pooled one is reused (load run, tests/load/README.md). Content-Length
        // sizes the first rent (+1 so a body that matches it exactly is seen to end without a regrow).
        var initial = request.ContentLength is { } len and >= 0 ? (int)Math.Min(Math.Min(len, limit) + 1, Array.MaxLength) : 16 * 1024;
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(initial, 1024));
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (!lease.TryGrowTo(Math.Min((long)buffer.Length * 2, limit + 1)))
                    {
                        ArrayPool<byte>.Shared.Return(buffer);
                        return (null, Overloaded(request, admission));
                    }
                    var bigger = ArrayPool<byte>.Shared.Rent((int)Math.Min(Math.Min((long)buffer.Length * 2, limit + 1), Array.MaxLength));
                    buffer.AsSpan(0, length).CopyTo(bigger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = bigger;
                }
                var read = await request.Body.ReadAsync(buffer.AsMemory(length), request.HttpContext.RequestAborted).ConfigureAwait(false);
                if (read == 0) break;
                length += read;
                if (length > limit)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    return (null, TooLarge(limit));
                }
            }
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            return (null, TooLarge(limit));
        }
        catch (BadHttpRequestException ex)
        {
            // The server gave up on the body: 408 when it arrived too slowly (Kestrel's minimum data
            // rate: a stalled or slow upload), 400 when it ended early or was malformed. The client's
            // fault, so one Warning line and an OperationOutcome, not a 500 with a stack trace at
            // Error (a slow-client attack wrote 8 MB of those a minute).
            ArrayPool<byte>.Shared.Return(buffer);
            return (null, ex.StatusCode == StatusCodes.Status408RequestTimeout
                ? Unreadable(request, ex.StatusCode, length, "arrived too slowly")
                : Unreadable(request, ex.StatusCode, length, $"ended early or was malformed: {ex.Message}"));
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException && ClientClosed(request.HttpContext))
        {
            // The client closed its side before the body's end (Content-Length promised more): a body
            // that ends early. Kestrel then drops the connection (it has no half-closed HTTP/1.1), so
            // the 400 may reach no one, but the call is still the client's fault: one Warning line, a
            // 400 in the audit and the metrics, not an unhandled exception.
            ArrayPool<byte>.Shared.Return(buffer);
            return (null, Unreadable(request, StatusCodes.Status400BadRequest, length,
                $"ended early: the client closed the connection before the {request.ContentLength?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "announced"} bytes announced"));
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
        return (new RentedBody(buffer, length), null);
    }

    // The connection went away (RequestAborted) while the request timeout had not fired: a request
    // past CarTCds:RequestTimeout is cancelled the same way and must stay the timeout middleware's 504.
    private static bool ClientClosed(HttpContext http) =>
        http.RequestAborted.IsCancellationRequested
        && http.Features.Get<Microsoft.AspNetCore.Http.Timeouts.IHttpRequestTimeoutFeature>()?.RequestTimeoutToken.IsCancellationRequested != true;

    /// <summary>The client's body could not be read: one Warning line and an OperationOutcome.</summary>
    /// <param name="request">The request.</param>
    /// <param name="status">408 (too slow) or 400 (ended early, malformed).</param>
    /// <param name="bytesRead">Bytes of the body read before it failed.</param>
    /// <param name="why">What happened to the body, for the log line and the 400's diagnostics.</param>
    private static IResult Unreadable(HttpRequest request, int status, int bytesRead, string why)
    {
        var timedOut = status == StatusCodes.Status408RequestTimeout;
        var rate = request.HttpContext.Features.Get<IHttpMinRequestBodyDataRateFeature>()?.MinDataRate;
        var needed = rate is null ? "" : $" (the server needs at least {rate.BytesPerSecond:0} bytes/s after the first {rate.GracePeriod.TotalSeconds:0} s)";
        request.HttpContext.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(JsonBody).FullName!)
            .LogWarning("Request body of {Method} {Path} not read: {Status} after {Bytes} bytes ({Reason})",
                request.Method, Telemetry.CallerText.Cap(request.Path.Value), status, bytesRead, why);
        return OperationOutcomeResults.Error(status, timedOut ? "timeout" : "structure", timedOut
            ? $"The request body arrived too slowly and was abandoned after {bytesRead} bytes{needed}; nothing was evaluated. Send the whole body at once and retry."
            : $"The request body could not be read after {bytesRead} bytes: it {why}; nothing was evaluated.");
    }

    private static IResult Overloaded(HttpRequest request, RequestBodyAdmission admission)
    {
        request.HttpContext.Response.Headers.RetryAfter = admission.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return OperationOutcomeResults.Error(StatusCodes.Status503ServiceUnavailable, "throttled",
            $"The service is reading and evaluating as many request bodies as its memory budget allows ({admission.Budget} bytes at once, " +
            $"CarTCds:Admission:MaxBufferedBodyBytes); nothing was evaluated. Retry after {admission.RetryAfterSeconds} s.");
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

/// <summary>A request body in a pooled array (<see cref="JsonBody.ReadAsync"/>); <see cref="Dispose"/>
/// gives the array back. Use <see cref="Span"/> only before disposing.</summary>
public sealed class RentedBody : IDisposable
{
    private byte[]? _buffer;
    private readonly int _length;

    internal RentedBody(byte[] buffer, int length)
    {
        _buffer = buffer;
        _length = length;
    }

    /// <summary>Body length in bytes.</summary>
    public int Length => _length;

    /// <summary>The body's bytes; throws once disposed.</summary>
    public ReadOnlySpan<byte> Span => (_buffer ?? throw new ObjectDisposedException(nameof(RentedBody))).AsSpan(0, _length);

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _buffer, null) is { } buffer) ArrayPool<byte>.Shared.Return(buffer);
    }
}
