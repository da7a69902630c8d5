using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using CarTCds.Cli.Auth;
using CarTCds.Cli.Sandbox;

namespace CarTCds.Cli.Feedback;

/// <summary><c>cartcds feedback summary --service &lt;url&gt; [--issuer &lt;iss&gt; --key &lt;jwk&gt;] [--json]</c>:
/// the override rate per card type, read from the service's <c>GET /admin/feedback/summary</c>
/// (the one report implementation; the CLI needs no database access).</summary>
/// <remarks>With authentication on, the issuer must be configured with <c>Admin: true</c>.
/// Exit 0 on 200; 2 for bad options or a 4xx answer (401/403 say which credential is needed);
/// 1 when the service cannot be reached or answers 5xx.</remarks>
public static class FeedbackCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr, TimeProvider time)
    {
        var service = new Option<string>("--service") { Description = "The CarTCds base URL, e.g. http://localhost:5268.", Required = true };
        var json = new Option<bool>("--json") { Description = "Print the report JSON as it came." };
        var auth = new ClientAuthOptions();
        var summary = new Command("summary", "Override rate per card type, with the top override reasons.") { service, json };
        auth.AddTo(summary);
        summary.SetAction(async (parse, ct) =>
        {
            if (SandboxLoadCommand.ParseBase(parse.GetValue(service)!) is not { } serviceBase) return await Fail(stderr, 2, $"--service '{parse.GetValue(service)}' is not an http(s) base URL").ConfigureAwait(false);
            ClientKey? key;
            try
            {
                key = auth.Load(parse);
            }
            catch (FormatException ex)
            {
                return await Fail(stderr, 2, ex.Message).ConfigureAwait(false);
            }
            using (key)
            using (var http = ClientAuthOptions.ServiceClient(key, TimeSpan.FromSeconds(30), time))
            {
                try
                {
                    using var response = await http.GetAsync(new Uri(serviceBase + "/admin/feedback/summary"), ct).ConfigureAwait(false);
                    var body = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
                    switch ((int)response.StatusCode)
                    {
                        // Our hint first, then the service's own reason (OperationOutcome, WWW-Authenticate).
                        case 401:
                            return await Fail(stderr, 2, (key is null
                                ? "the service requires authentication: give --issuer and --key of an issuer it trusts with Admin: true"
                                : $"the service refused the token of {key.Issuer} (is it on CarTCds:Auth:Issuers with this key?)")
                                + $"; it answered {ServiceRefusal.Describe(response, body)}").ConfigureAwait(false);
                        case 403:
                            return await Fail(stderr, 2, $"{key?.Issuer ?? "this client"} may not read /admin: set Admin: true for it in CarTCds:Auth:Issuers"
                                + $"; it answered {ServiceRefusal.Describe(response, body)}").ConfigureAwait(false);
                        case >= 500:
                            return await Fail(stderr, 1, $"the service answered {ServiceRefusal.Describe(response, body)}").ConfigureAwait(false);
                        case not 200:
                            return await Fail(stderr, 2, $"the service answered {ServiceRefusal.Describe(response, body)}").ConfigureAwait(false);
                    }
                    if (parse.GetValue(json)) await stdout.WriteLineAsync(body).ConfigureAwait(false);
                    else await PrintAsync(JsonNode.Parse(body), serviceBase, stdout).ConfigureAwait(false);
                    return 0;
                }
                catch (HttpRequestException ex)
                {
                    return await Fail(stderr, 1, $"cannot reach the service: {ex.Message}").ConfigureAwait(false);
                }
                catch (TaskCanceledException) when (!ct.IsCancellationRequested)
                {
                    return await Fail(stderr, 1, "timed out after 30 s").ConfigureAwait(false);
                }
                catch (JsonException ex)
                {
                    return await Fail(stderr, 1, $"unreadable answer: {ex.Message}").ConfigureAwait(false);
                }
            }
        });
        return new Command("feedback", "What clinicians did with the cards.") { summary };
    }

    /// <summary>One row per (service, card type): issued, feedback, accepted, overridden, rate, top reason.</summary>
    public static async Task PrintAsync(JsonNode? report, string serviceBase, TextWriter stdout)
    {
        ArgumentNullException.ThrowIfNull(stdout);
        var lines = report?["cardTypes"]?.AsArray() ?? [];
        await stdout.WriteLineAsync($"Feedback summary of {serviceBase} (generated {report?["generatedAt"]?.GetValue<string>()})").ConfigureAwait(false);
        if (lines.Count == 0)
        {
            await stdout.WriteLineAsync("No cards issued and no feedback yet.").ConfigureAwait(false);
            return;
        }
        var rows = new List<string[]> { Header };
        foreach (var l in lines)
        {
            var rate = l?["overrideRate"]?.GetValue<double>() is { } r ? (r * 100).ToString("0.0", CultureInfo.InvariantCulture) + " %" : "–";
            var top = l?["topOverrideReasons"]?.AsArray().FirstOrDefault();
            var reason = top is null ? "–" : $"{top["code"]?.GetValue<string>() ?? "(no code)"} ({top["count"]?.GetValue<long>()})";
            rows.Add([
                l?["service"]?.GetValue<string>() ?? "",
                l?["cardKnown"]?.GetValue<bool>() == false ? "(unknown card)" : l?["cardType"]?.GetValue<string>() ?? "",
                Count(l, "cardsIssued"), Count(l, "feedback"), Count(l, "accepted"), Count(l, "overridden"), rate, reason,
            ]);
        }
        var widths = Enumerable.Range(0, rows[0].Length).Select(c => rows.Max(r => r[c].Length)).ToArray();
        foreach (var row in rows)
        {
            await stdout.WriteLineAsync(string.Join("  ", row.Select((cell, c) => c is >= 2 and <= 6 ? cell.PadLeft(widths[c]) : cell.PadRight(widths[c]))).TrimEnd()).ConfigureAwait(false);
        }
    }

    private static readonly string[] Header = ["service", "card type", "issued", "feedback", "accepted", "overridden", "override rate", "top override reason"];

    private static string Count(JsonNode? line, string name) =>
        (line?[name]?.GetValue<long>() ?? 0).ToString(CultureInfo.InvariantCulture);

    private static async Task<int> Fail(TextWriter stderr, int exit, string message)
    {
        await stderr.WriteLineAsync("cartcds: feedback summary: " + message.ReplaceLineEndings(" ")).ConfigureAwait(false);
        return exit;
    }
}
