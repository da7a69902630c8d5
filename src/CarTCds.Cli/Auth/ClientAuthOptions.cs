using System.CommandLine;
using System.Net.Http.Headers;

namespace CarTCds.Cli.Auth;

/// <summary><c>--issuer</c> and <c>--key</c>: how a command that calls a CarTCds service
/// authenticates (CDS Hooks 2.0 client JWT). Both or neither: without them requests carry no token,
/// which a service with authentication on answers 401.</summary>
public sealed class ClientAuthOptions
{
    public Option<string?> Issuer { get; } = new("--issuer") { Description = "The iss to sign as: an issuer the service trusts (CarTCds:Auth:Issuers). Needs --key." };

    public Option<FileInfo?> Key { get; } = new("--key") { Description = "That issuer's private JWK file (cartcds keys create). Each call gets its own 5-minute, single-use token." };

    public void AddTo(Command command)
    {
        ArgumentNullException.ThrowIfNull(command);
        command.Options.Add(Issuer);
        command.Options.Add(Key);
    }

    /// <summary>The signing key named by the options, null when neither is given.</summary>
    /// <exception cref="FormatException">Only one of them is given, or the key file is unreadable or not a private key.</exception>
    public ClientKey? Load(ParseResult parse)
    {
        ArgumentNullException.ThrowIfNull(parse);
        var issuer = parse.GetValue(Issuer);
        var key = parse.GetValue(Key);
        if (issuer is null && key is null) return null;
        if (issuer is null || key is null) throw new FormatException("--issuer and --key go together");
        string json;
        try
        {
            json = File.ReadAllText(key.FullName);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new FormatException($"--key '{key.Name}': {ex.Message}", ex);
        }
        try
        {
            return ClientKey.Load(issuer, json);
        }
        catch (FormatException ex)
        {
            throw new FormatException($"--key '{key.Name}': {ex.Message}", ex);
        }
    }

    /// <summary>An HttpClient for calls to the service: each request signed for its own URL when
    /// <paramref name="key"/> is given. Never use it for other hosts (the FHIR server): the token is
    /// meant for the service only. No redirects: a token must not follow one elsewhere.</summary>
    public static HttpClient ServiceClient(ClientKey? key, TimeSpan timeout, TimeProvider time)
    {
        var transport = new SocketsHttpHandler { AllowAutoRedirect = false };
        HttpMessageHandler handler = key is null ? transport : new SigningHandler(key, time) { InnerHandler = transport };
        return new HttpClient(handler) { Timeout = timeout };
    }

    private sealed class SigningHandler(ClientKey key, TimeProvider time) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            // aud = the URL called, without query (what the service compares).
            var audience = new Uri(request.RequestUri!.GetLeftPart(UriPartial.Path));
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key.Token(audience, time.GetUtcNow()));
            return base.SendAsync(request, cancellationToken);
        }
    }
}
