using System.Buffers;
using Polly;

namespace CarTCds.Fhir.Client;

/// <summary>The one <see cref="DelegatingHandler"/> that runs every FHIR request through its
/// server's <see cref="ResiliencePipeline{T}"/> (deadline, retry, breaker, attempt timeout; see
/// <see cref="FhirResiliencePipelines"/>).</summary>
/// <remarks>
/// An attempt is the request <em>and its body</em>: the body is read here, inside the attempt's
/// timeout, with a cap (<see cref="FhirClientOptions.MaxResponseBytes"/> for success, 64 KB for
/// error bodies, which are only read for their OperationOutcome). So a server that sends headers
/// and then stalls is timed out and retried like one that sends nothing, and a body over the cap
/// is refused while streaming (<see cref="FhirResponseTooLargeException"/>, neither retried nor
/// counted by the breaker) without ever being held in memory whole. Use
/// <see cref="HttpCompletionOption.ResponseHeadersRead"/> above this handler; the content it
/// returns is already in memory.
/// </remarks>
public sealed class FhirResilienceHandler : DelegatingHandler
{
    /// <summary>Largest error body read (for its OperationOutcome); larger ones are dropped.</summary>
    public const int MaxErrorBodyBytes = 64 * 1024;

    /// <summary>Set on the request when the call ends: how many HTTP attempts were made.</summary>
    public static readonly HttpRequestOptionsKey<int> AttemptsKey = new("CarTCds.Fhir.Attempts");

    /// <summary>Set on the request when the server's <c>Retry-After</c> would have passed the deadline, so it was not waited for.</summary>
    public static readonly HttpRequestOptionsKey<TimeSpan> RetryAfterBeyondDeadlineKey = new("CarTCds.Fhir.RetryAfterBeyondDeadline");

    private readonly FhirResiliencePipelines _pipelines;

    public FhirResilienceHandler(FhirResiliencePipelines pipelines)
    {
        _pipelines = pipelines ?? throw new ArgumentNullException(nameof(pipelines));
    }

    public FhirResilienceHandler(FhirResiliencePipelines pipelines, HttpMessageHandler innerHandler) : base(innerHandler)
    {
        _pipelines = pipelines ?? throw new ArgumentNullException(nameof(pipelines));
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var url = request.RequestUri ?? throw new InvalidOperationException("The request has no URL.");
        var pipeline = _pipelines.For(url);
        var call = new FhirCallState(IsRetryable(request), _pipelines.TimeProvider.GetTimestamp());
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(FhirResiliencePipelines.CallStateKey, call);
        try
        {
            return await pipeline.ExecuteAsync(
                static (ctx, s) => s.Handler.SendAttemptAsync(s.Request, s.Call, ctx.CancellationToken),
                context,
                (Handler: this, Request: request, Call: call)).ConfigureAwait(false);
        }
        finally
        {
            request.Options.Set(AttemptsKey, call.Attempts);
            if (call.RetryAfterBeyondDeadline is { } wait) request.Options.Set(RetryAfterBeyondDeadlineKey, wait);
            ResilienceContextPool.Shared.Return(context);
        }
    }

    /// <summary>Only safe requests are retried: GET, HEAD, and FHIR's <c>POST Type/_search</c>.</summary>
    public static bool IsRetryable(HttpRequestMessage request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Method == HttpMethod.Get || request.Method == HttpMethod.Head) return true;
        return request.Method == HttpMethod.Post
            && request.RequestUri is { } u
            && u.AbsolutePath.EndsWith("/_search", StringComparison.Ordinal);
    }

    private async ValueTask<HttpResponseMessage> SendAttemptAsync(HttpRequestMessage request, FhirCallState call, CancellationToken cancellationToken)
    {
        call.AttemptStarted();
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        try
        {
            var limit = response.IsSuccessStatusCode ? _pipelines.Options.MaxResponseBytes : MaxErrorBodyBytes;
            var body = await ReadCappedAsync(response.Content, limit, cancellationToken).ConfigureAwait(false);
            if (body.TooLarge && response.IsSuccessStatusCode)
            {
                throw new FhirResponseTooLargeException(limit, body.DeclaredLength);
            }
            var original = response.Content;
            response.Content = body.TooLarge ? new FhirBufferedContent([], 0) : new FhirBufferedContent(body.Buffer!, body.Length);
            foreach (var header in original.Headers)
            {
                if (header.Key.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)) continue;
                response.Content.Headers.TryAddWithoutValidation(header.Key, header.Value);
            }
            original.Dispose();
            return response;
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    internal readonly record struct CappedBody(byte[]? Buffer, int Length, bool TooLarge, long? DeclaredLength);

    /// <summary>Reads at most <paramref name="limit"/> bytes; reports <c>TooLarge</c> as soon as
    /// the declared length or the bytes read pass it (the rest is never read).</summary>
    internal static async Task<CappedBody> ReadCappedAsync(HttpContent content, long limit, CancellationToken cancellationToken)
    {
        var declared = content.Headers.ContentLength;
        if (declared > limit) return new CappedBody(null, 0, true, declared);

        var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            using var buffer = new MemoryStream(declared is { } d ? (int)d : 16 * 1024);
            var chunk = ArrayPool<byte>.Shared.Rent(64 * 1024);
            try
            {
                while (true)
                {
                    var read = await stream.ReadAsync(chunk.AsMemory(), cancellationToken).ConfigureAwait(false);
                    if (read == 0) break;
                    if (buffer.Length + read > limit) return new CappedBody(null, 0, true, declared);
                    buffer.Write(chunk, 0, read);
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(chunk);
            }
            return new CappedBody(buffer.GetBuffer(), (int)buffer.Length, false, declared);
        }
    }
}

/// <summary>A response body already read into memory by <see cref="FhirResilienceHandler"/>.</summary>
internal sealed class FhirBufferedContent : ByteArrayContent
{
    private readonly byte[] _buffer;
    private readonly int _length;

    public FhirBufferedContent(byte[] buffer, int length) : base(buffer, 0, length)
    {
        _buffer = buffer;
        _length = length;
        Headers.ContentLength = length;
    }

    public ReadOnlyMemory<byte> Body => _buffer.AsMemory(0, _length);
}

/// <summary>The server's answer is larger than <see cref="FhirClientOptions.MaxResponseBytes"/>;
/// it was refused without being read whole.</summary>
public sealed class FhirResponseTooLargeException : Exception
{
    public FhirResponseTooLargeException() : base("The FHIR server's response is too large.") { }

    public FhirResponseTooLargeException(string message) : base(message) { }

    public FhirResponseTooLargeException(string message, Exception innerException) : base(message, innerException) { }

    public FhirResponseTooLargeException(long limitBytes, long? declaredBytes)
        : base($"The response is larger than the {FormatBytes(limitBytes)} limit{(declaredBytes is { } d ? $" (it declared {FormatBytes(d)})" : "")}; it was not read.")
    {
        LimitBytes = limitBytes;
        DeclaredBytes = declaredBytes;
    }

    /// <summary>The limit in force.</summary>
    public long LimitBytes { get; }

    /// <summary>The body's declared <c>Content-Length</c>, if it had one.</summary>
    public long? DeclaredBytes { get; }

    internal static string FormatBytes(long bytes) => bytes switch
    {
        >= 1024 * 1024 => $"{bytes / (1024.0 * 1024.0):0.#} MB",
        >= 1024 => $"{bytes / 1024.0:0.#} KB",
        _ => $"{bytes} bytes",
    };
}
