using System.CommandLine;

namespace CarTCds.Cli.Auth;

/// <summary><c>cartcds keys create --kid &lt;kid&gt; --out &lt;private.jwk.json&gt; --jwks &lt;public.jwks.json&gt; [--alg ES384|RS384]</c>:
/// a key pair for a CDS client of our own (an operations client reading <c>/admin/…</c>, or
/// <c>sandbox fire</c> against a service with authentication on).</summary>
/// <remarks>The private JWK is written readable by its owner only; the public JWKS goes to the
/// service as the issuer's <c>JwksFile</c>. Existing files are never overwritten. Exit 0, or 2 for
/// bad options or a file that exists.</remarks>
public static class KeysCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var kid = new Option<string>("--kid") { Description = "Key id written into both files and every token's header.", Required = true };
        var output = new Option<FileInfo>("--out") { Description = "Private JWK file to write (keep it secret).", Required = true };
        var jwks = new Option<FileInfo>("--jwks") { Description = "Public JWKS file to write (configure it as the issuer's JwksFile).", Required = true };
        var alg = new Option<string>("--alg") { Description = "ES384 (default, EC P-384) or RS384 (RSA 3072).", DefaultValueFactory = _ => "ES384" };
        var create = new Command("create", "Create a signing key pair for a CDS client.") { kid, output, jwks, alg };
        create.SetAction(async (parse, ct) =>
        {
            var (k, o, j, a) = (parse.GetValue(kid)!, parse.GetValue(output)!, parse.GetValue(jwks)!, parse.GetValue(alg)!);
            if (a is not ("ES384" or "RS384")) return await Fail(stderr, $"--alg '{a}': use ES384 or RS384").ConfigureAwait(false);
            if (string.IsNullOrWhiteSpace(k)) return await Fail(stderr, "--kid must not be empty").ConfigureAwait(false);
            foreach (var f in new[] { o, j })
            {
                if (f.Exists) return await Fail(stderr, $"'{f.FullName}' exists; not overwritten").ConfigureAwait(false);
            }
            var (privateJwk, publicJwks) = ClientKey.Create(k, a);
            try
            {
                var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
                if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
                await using (var stream = new FileStream(o.FullName, options))
                await using (var writer = new StreamWriter(stream))
                {
                    await writer.WriteAsync(privateJwk).ConfigureAwait(false);
                }
                await File.WriteAllTextAsync(j.FullName, publicJwks, ct).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                return await Fail(stderr, ex.Message).ConfigureAwait(false);
            }
            await stdout.WriteLineAsync($"{a} key '{k}': private JWK {o.FullName} (keep it secret), public JWKS {j.FullName} (the issuer's JwksFile on the service)").ConfigureAwait(false);
            return 0;
        });
        return new Command("keys", "Signing keys for CDS clients of our own.") { create };
    }

    private static async Task<int> Fail(TextWriter stderr, string message)
    {
        await stderr.WriteLineAsync("cartcds: keys create: " + message).ConfigureAwait(false);
        return 2;
    }
}
