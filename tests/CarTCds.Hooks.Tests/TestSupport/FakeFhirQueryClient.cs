using System.Collections.Concurrent;
using CarTCds.Fhir.Model;
using CarTCds.Hooks.Prefetch;

namespace CarTCds.Hooks.Tests.TestSupport;

/// <summary>A scripted <see cref="IFhirQueryClient"/>: answers each URL from a table (or a
/// function) and records every call, so tests can inject faults and see what was asked.</summary>
internal sealed class FakeFhirQueryClient : IFhirQueryClient
{
    private readonly Func<string, FhirQueryResult> _answer;

    /// <summary>Every call, in order: the server access (with its token) and the URL asked for.</summary>
    public ConcurrentQueue<(FhirServerAccess Server, string Url)> Calls { get; } = new();

    public FakeFhirQueryClient(Func<string, FhirQueryResult> answer) => _answer = answer;

    /// <summary>Answers URLs found in <paramref name="routes"/>; any other URL fails with "404 not found".</summary>
    public FakeFhirQueryClient(IReadOnlyDictionary<string, Resource> routes)
        : this(url => routes.TryGetValue(url, out var r) ? FhirQueryResult.Ok(r) : FhirQueryResult.Failed($"404 not found: {url}"))
    {
    }

    /// <summary>A client that must not be called; every call fails.</summary>
    public static FakeFhirQueryClient Unreachable() => new(url => FhirQueryResult.Failed("unexpected call"));

    public IReadOnlyList<string> Urls => Calls.Select(c => c.Url).ToList();

    public Task<FhirQueryResult> GetAsync(FhirServerAccess server, string relativeUrl, CancellationToken cancellationToken)
    {
        Calls.Enqueue((server, relativeUrl));
        return Task.FromResult(_answer(relativeUrl));
    }
}
