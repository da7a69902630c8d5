using System.CommandLine;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CarTCds.Cli.Auth;
using CarTCds.Fhir.Model;
using CarTCds.Fhir.Serialization;
using CarTCds.Hooks.Contract;
using CarTCds.Hooks.Prefetch;

namespace CarTCds.Cli.Sandbox;

/// <summary><c>cartcds sandbox fire --service &lt;url&gt; --fhir &lt;base&gt; --patient &lt;id&gt; [--hook …]
/// [--prefetch] [--draft-orders &lt;bundle.json&gt;] [--json] [--issuer &lt;iss&gt; --key &lt;private.jwk.json&gt;]</c>: calls a running CarTCds service the
/// way an EHR would and prints its cards.</summary>
/// <remarks>
/// Without <c>--prefetch</c> the request carries only <c>fhirServer</c>, so the service reads the
/// FHIR server itself; with it, every prefetch template of the service's discovery entry is read
/// here first and sent along. Cards are printed one block each, coloured by indicator on a terminal
/// (<c>NO_COLOR</c> turns colour off), or the raw response with <c>--json</c>.
/// Exit 0 when the service answered 200; 2 for bad input (options, a 4xx answer); 1 when the
/// service or the FHIR server cannot be reached or answers 5xx.
/// </remarks>
public static class SandboxFireCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var service = new Option<string>("--service") { Description = "The CarTCds base URL, e.g. http://localhost:5268.", Required = true };
        var fhir = new Option<string>("--fhir") { Description = "The FHIR server the EHR would name as fhirServer, e.g. http://localhost:8080/fhir.", Required = true };
        var patient = new Option<string>("--patient") { Description = "Patient id on that FHIR server, e.g. cart-p1-post-sct-relapse.", Required = true };
        var hook = new Option<string>("--hook") { Description = "patient-view (default), order-select or order-sign.", DefaultValueFactory = _ => "patient-view" };
        var prefetch = new Option<bool>("--prefetch") { Description = "Read the prefetch here and send it, instead of letting the service read the FHIR server." };
        var drafts = new Option<FileInfo?>("--draft-orders") { Description = "A Bundle of draft orders (required for order-select and order-sign)." };
        var json = new Option<bool>("--json") { Description = "Print the service's response JSON as it came." };

        var auth = new ClientAuthOptions();
        var command = new Command("fire", "Call a running CarTCds service the way an EHR would, and print its cards.") { service, fhir, patient, hook, prefetch, drafts, json };
        auth.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
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
            {
                return await RunAsync(new FireOptions(parse.GetValue(service)!, parse.GetValue(fhir)!, parse.GetValue(patient)!,
                    parse.GetValue(hook)!, parse.GetValue(prefetch), parse.GetValue(drafts), parse.GetValue(json), key), stdout, stderr, ct).ConfigureAwait(false);
            }
        });
        return command;
    }

    /// <summary>The options of one call; <c>Key</c> signs every request to the service (never those to the FHIR server), null: no token.</summary>
    public sealed record FireOptions(string Service, string Fhir, string Patient, string Hook, bool Prefetch, FileInfo? DraftOrders, bool Json, ClientKey? Key = null);

    public static async Task<int> RunAsync(FireOptions o, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(o);
        if (SandboxLoadCommand.ParseBase(o.Service) is not { } serviceBase) return await Fail(stderr, 2, $"--service '{o.Service}' is not an http(s) base URL").ConfigureAwait(false);
        if (SandboxLoadCommand.ParseBase(o.Fhir) is not { } fhirBase) return await Fail(stderr, 2, $"--fhir '{o.Fhir}' is not an http(s) FHIR base URL").ConfigureAwait(false);
        if (o.Hook is not ("patient-view" or "order-select" or "order-sign")) return await Fail(stderr, 2, $"--hook '{o.Hook}': use patient-view, order-select or order-sign").ConfigureAwait(false);
        if (string.IsNullOrWhiteSpace(o.Patient)) return await Fail(stderr, 2, "--patient must not be empty").ConfigureAwait(false);

        Bundle? drafts = null;
        if (o.Hook != "patient-view")
        {
            if (o.DraftOrders is null) return await Fail(stderr, 2, $"--draft-orders is required for {o.Hook}").ConfigureAwait(false);
            try
            {
                drafts = FhirJson.Parse(await File.ReadAllBytesAsync(o.DraftOrders.FullName, ct).ConfigureAwait(false)) as Bundle;
            }
            catch (Exception ex) when (ex is IOException or JsonException or UnauthorizedAccessException)
            {
                return await Fail(stderr, 2, $"--draft-orders '{o.DraftOrders.Name}': {ex.Message}").ConfigureAwait(false);
            }
            if (drafts is null) return await Fail(stderr, 2, $"--draft-orders '{o.DraftOrders.Name}' is not a Bundle").ConfigureAwait(false);
        }

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        using var cds = ClientAuthOptions.ServiceClient(o.Key, TimeSpan.FromSeconds(30), TimeProvider.System);
        try
        {
            using var listed = await cds.GetAsync(new Uri(serviceBase + "/cds-services"), ct).ConfigureAwait(false);
            if (!listed.IsSuccessStatusCode)
            {
                var refusal = ServiceRefusal.Describe(listed, await listed.Content.ReadAsStringAsync(ct).ConfigureAwait(false));
                return await Fail(stderr, (int)listed.StatusCode >= 500 ? 1 : 2, $"GET /cds-services answered {refusal}").ConfigureAwait(false);
            }
            var discovery = JsonSerializer.Deserialize(await listed.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false), CdsJson.Discovery);
            var descriptor = discovery?.Services.FirstOrDefault(s => s.Hook == o.Hook);
            if (descriptor is null) return await Fail(stderr, 2, $"{serviceBase} offers no service for {o.Hook}").ConfigureAwait(false);

            var context = new HookContext { UserId = "Practitioner/cartcds-sandbox", PatientId = o.Patient, DraftOrders = drafts };
            if (o.Hook == "order-select") context.Selections = drafts!.Resources().Where(r => r.TypedId is not null).Select(r => r.TypedId!).ToList();
            var request = new CdsHookRequest { Hook = o.Hook, HookInstance = Guid.NewGuid().ToString(), FhirServer = fhirBase, Context = context };
            if (o.Prefetch)
            {
                request.Prefetch = [];
                foreach (var (key, template) in descriptor.Prefetch ?? [])
                {
                    var query = PrefetchTemplate.Render(template, context);
                    if (query is null) continue;
                    using var get = new HttpRequestMessage(HttpMethod.Get, $"{fhirBase}/{query}");
                    get.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/fhir+json"));
                    using var answer = await http.SendAsync(get, ct).ConfigureAwait(false);
                    if (!answer.IsSuccessStatusCode) return await Fail(stderr, 1, $"prefetch '{key}': GET {query} answered {(int)answer.StatusCode}").ConfigureAwait(false);
                    request.Prefetch[key] = FhirJson.Parse(await answer.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false));
                }
            }

            using var post = new StringContent(JsonSerializer.Serialize(request, CdsJson.Request), Encoding.UTF8, "application/json");
            using var response = await cds.PostAsync(new Uri($"{serviceBase}/cds-services/{descriptor.Id}"), post, ct).ConfigureAwait(false);
            var body = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                return await Fail(stderr, (int)response.StatusCode >= 500 ? 1 : 2, $"{descriptor.Id} answered {ServiceRefusal.Describe(response, body)}").ConfigureAwait(false);
            }
            if (o.Json) await stdout.WriteLineAsync(body).ConfigureAwait(false);
            else await PrintCardsAsync(body, descriptor.Id, stdout, UseColour(stdout)).ConfigureAwait(false);
            return 0;
        }
        catch (HttpRequestException ex)
        {
            return await Fail(stderr, 1, $"cannot reach the service or FHIR server: {ex.Message}").ConfigureAwait(false);
        }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested)
        {
            return await Fail(stderr, 1, "timed out after 30 s").ConfigureAwait(false);
        }
        catch (JsonException ex)
        {
            return await Fail(stderr, 1, $"unreadable answer: {FhirJson.Reason(ex)}").ConfigureAwait(false);
        }
    }

    /// <summary>One block per card: indicator, summary, the detail, suggestions and sources.</summary>
    public static async Task PrintCardsAsync(string responseJson, string serviceId, TextWriter stdout, bool colour)
    {
        var cards = JsonNode.Parse(responseJson)?["cards"]?.AsArray() ?? [];
        await stdout.WriteLineAsync($"{serviceId}: {cards.Count} card(s)").ConfigureAwait(false);
        foreach (var card in cards)
        {
            var indicator = card?["indicator"]?.GetValue<string>() ?? "info";
            var (on, off) = !colour ? ("", "") : indicator switch
            {
                "critical" => ("\u001b[1;31m", "\u001b[0m"),
                "warning" => ("\u001b[33m", "\u001b[0m"),
                _ => ("\u001b[36m", "\u001b[0m"),
            };
            await stdout.WriteLineAsync().ConfigureAwait(false);
            await stdout.WriteLineAsync($"{on}[{indicator.ToUpperInvariant()}]{off} {card?["summary"]?.GetValue<string>()}").ConfigureAwait(false);
            foreach (var line in (card?["detail"]?.GetValue<string>() ?? "").Split('\n'))
            {
                await stdout.WriteLineAsync("    " + line).ConfigureAwait(false);
            }
            foreach (var s in card?["suggestions"]?.AsArray() ?? [])
            {
                await stdout.WriteLineAsync($"    → suggestion: {s?["label"]?.GetValue<string>()}").ConfigureAwait(false);
            }
            await stdout.WriteLineAsync($"    source: {card?["source"]?["label"]?.GetValue<string>()}").ConfigureAwait(false);
        }
    }

    private static bool UseColour(TextWriter stdout) =>
        ReferenceEquals(stdout, Console.Out) && !Console.IsOutputRedirected && Environment.GetEnvironmentVariable("NO_COLOR") is null;

    private static async Task<int> Fail(TextWriter stderr, int exit, string message)
    {
        await stderr.WriteLineAsync("cartcds: sandbox fire: " + message.ReplaceLineEndings(" ")).ConfigureAwait(false);
        return exit;
    }
}
