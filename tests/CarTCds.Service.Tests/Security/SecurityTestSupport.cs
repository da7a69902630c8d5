using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Microsoft.Extensions.Logging;

namespace CarTCds.Service.Tests.Security;

/// <summary>A clock the tests move by hand (the token clock; the evaluation clock is apart).</summary>
public sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    private long _ticks = start.UtcTicks;

    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);

    public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
}

/// <summary>Stands in for the network on jku fetches: answers only the URLs it was given and
/// counts every request. Nothing leaves the process.</summary>
public sealed class StubJwksHandler : HttpMessageHandler
{
    private readonly ConcurrentDictionary<string, string> _documents = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _requests = new();

    public IReadOnlyCollection<string> Requests => _requests;

    public int CountFor(string url) => _requests.Count(r => r == url);

    public void Serve(string url, string jwks) => _documents[url] = jwks;

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var url = request.RequestUri!.ToString();
        _requests.Enqueue(url);
        var response = _documents.TryGetValue(url, out var body)
            ? new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(body, Encoding.UTF8, "application/json") }
            : new HttpResponseMessage(HttpStatusCode.NotFound);
        return Task.FromResult(response);
    }
}

/// <summary>Keeps every log entry the host writes: category, level, formatted message, every
/// structured value and any exception text.</summary>
public sealed class CapturingLoggerProvider : ILoggerProvider
{
    private readonly ConcurrentQueue<CapturedLog> _entries = new();

    public IReadOnlyCollection<CapturedLog> Entries => _entries;

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _entries);

    public void Dispose()
    {
    }

    private sealed class Logger(string category, ConcurrentQueue<CapturedLog> entries) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var values = state is IEnumerable<KeyValuePair<string, object?>> pairs
                ? string.Join(" | ", pairs.Select(p => $"{p.Key}={p.Value}"))
                : "";
            entries.Enqueue(new CapturedLog(category, logLevel, formatter(state, exception), values, exception?.ToString()));
        }
    }
}

public sealed record CapturedLog(string Category, LogLevel Level, string Message, string Values, string? Exception)
{
    public string AllText => $"{Category} {Message} {Values} {Exception}";
}
