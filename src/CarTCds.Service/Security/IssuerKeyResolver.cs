using System.Collections.Concurrent;
using System.Net.Http.Headers;

namespace CarTCds.Service.Security;

/// <summary>Finds the key a token names: first in the issuer's configured key set, then (only
/// for a <c>jku</c> on the issuer's allowlist; any other <c>jku</c> is never fetched) in the key set fetched from
/// that URL. Fetched sets are cached for <c>JwksCacheDuration</c> and fetched again when a token
/// names a <c>kid</c> they lack (at most once per <c>JwksMinRefreshInterval</c>); when a fetch
/// fails the last good set is kept.</summary>
public sealed class IssuerKeyResolver(
    CdsHooksSecuritySettings settings,
    IHttpClientFactory httpClientFactory,
    [FromKeyedServices(CdsHooksSecurity.ClockKey)] TimeProvider clock,
    ILogger<IssuerKeyResolver> logger)
{
    /// <summary>Named <see cref="HttpClient"/> for <c>jku</c> fetches (no redirects, bounded body).</summary>
    public const string HttpClientName = "CarTCds.Security.Jwks";

    private readonly ConcurrentDictionary<string, CachedSet> _cache = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _locks = new(StringComparer.Ordinal);

    private sealed record CachedSet(IReadOnlyList<CdsSigningKey> Keys, DateTimeOffset FetchedAt, DateTimeOffset LastAttempt);

    /// <summary>Keys of <paramref name="issuer"/> with this kid and algorithm (normally one).</summary>
    public async ValueTask<IReadOnlyList<CdsSigningKey>> FindAsync(TrustedIssuer issuer, string kid, string alg, string? jku, CancellationToken cancellationToken)
    {
        var found = Match(issuer.StaticKeys, kid, alg);
        if (found.Count > 0 || jku is null || !issuer.AcceptsJku(jku)) return found;

        var now = clock.GetUtcNow();
        if (_cache.TryGetValue(jku, out var cached) && now - cached.FetchedAt < settings.Options.JwksCacheDuration)
        {
            found = Match(cached.Keys, kid, alg);
            if (found.Count > 0 || now - cached.LastAttempt < settings.Options.JwksMinRefreshInterval) return found;
        }

        var gate = _locks.GetOrAdd(jku, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Another request may have refreshed the set while this one waited.
            now = clock.GetUtcNow();
            if (_cache.TryGetValue(jku, out cached) && now - cached.LastAttempt < settings.Options.JwksMinRefreshInterval)
            {
                return Match(cached.Keys, kid, alg);
            }
            var keys = await FetchAsync(jku, cancellationToken).ConfigureAwait(false);
            cached = keys is not null
                ? new CachedSet(keys, now, now)
                : cached is not null ? cached with { LastAttempt = now } : new CachedSet([], DateTimeOffset.MinValue, now);
            _cache[jku] = cached;
            return Match(cached.Keys, kid, alg);
        }
        finally
        {
            gate.Release();
        }
    }

    private async Task<IReadOnlyList<CdsSigningKey>?> FetchAsync(string jku, CancellationToken cancellationToken)
    {
        try
        {
            var client = httpClientFactory.CreateClient(HttpClientName);
            using var request = new HttpRequestMessage(HttpMethod.Get, jku);
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            using var response = await client.SendAsync(request, cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                logger.LogWarning("JWKS fetch from {Jku} answered HTTP {Status}; keeping the last good key set if any.", jku, (int)response.StatusCode);
                return null;
            }
            var json = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            var keys = JwksParser.Parse(json, strict: false);
            logger.LogInformation("JWKS fetched from {Jku}: {Count} usable key(s) ({Kids}).", jku, keys.Count, string.Join(", ", keys.Select(k => k.Kid)));
            return keys;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or FormatException or System.Text.Json.JsonException && !cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning("JWKS fetch from {Jku} failed ({Error}); keeping the last good key set if any.", jku, ex.GetType().Name);
            return null;
        }
    }

    private static IReadOnlyList<CdsSigningKey> Match(IReadOnlyList<CdsSigningKey> keys, string kid, string alg) =>
        keys.Where(k => k.Algorithm == alg && string.Equals(k.Kid, kid, StringComparison.Ordinal)).ToList();
}
