using Microsoft.AspNetCore.Rewrite;

namespace CarTCds.Service.Hosting;

/// <summary>A path with doubled slashes is routed as if they were single: a discovery URL entered
/// with a trailing slash (<c>…/cds-services/</c>) makes the official CDS Hooks Sandbox call
/// <c>POST …/cds-services//cart-toxicity</c> and <c>…//cart-toxicity/feedback</c> (it appends
/// <c>/{id}</c> to what the user typed), which would otherwise be 404. The path as
/// called is kept in <see cref="CalledPathFeature"/>: the token's <c>aud</c> is that URL.</summary>
public static class DoubledSlashes
{
    /// <summary>Adds the rewrite. Call before authentication (which reads the called path); the
    /// rewriter routes the request again after changing its path.</summary>
    public static WebApplication UseDoubledSlashesAsSingle(this WebApplication app)
    {
        app.UseRewriter(new RewriteOptions().Add(new CollapseRule()));
        return app;
    }

    /// <summary><paramref name="path"/> with every run of slashes made one slash.</summary>
    public static string Collapse(string path)
    {
        var builder = new System.Text.StringBuilder(path.Length);
        foreach (var c in path)
        {
            if (c == '/' && builder.Length > 0 && builder[^1] == '/') continue;
            builder.Append(c);
        }
        return builder.ToString();
    }

    private sealed class CollapseRule : IRule
    {
        public void ApplyRule(RewriteContext context)
        {
            var request = context.HttpContext.Request;
            if (request.Path.Value is not { } path || !path.Contains("//", StringComparison.Ordinal)) return;
            context.HttpContext.Features.Set(new CalledPathFeature(request.Path));
            request.Path = new PathString(Collapse(path));
        }
    }
}

/// <summary>The request path as the client sent it, before <see cref="DoubledSlashes"/> changed it.</summary>
public sealed record CalledPathFeature(PathString Path);
