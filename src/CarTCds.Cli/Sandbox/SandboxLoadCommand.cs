using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CarTCds.Cli.Evaluate;
using CarTCds.Fhir.Model;
using CarTCds.Fhir.Serialization;
using CarTCds.Hooks.Facts;
using CarTCds.Hooks.Sandbox;

namespace CarTCds.Cli.Sandbox;

/// <summary><c>cartcds sandbox load --fhir &lt;base&gt; [--examples &lt;dir&gt;] [--wait &lt;s&gt;] [--timeout &lt;s&gt;]
/// [--as-of-day &lt;N&gt; [--now &lt;ISO-8601&gt;]]</c>: posts every synthetic patient (one FHIR transaction
/// Bundle per file, PUT with stable ids, so loading again changes nothing but what it moves) to a
/// FHIR R4 server.</summary>
/// <remarks>
/// Output: one progress line per patient on stderr, one summary line on stdout
/// (<c>loaded 13 patients (2345 resources) into http://…</c>). Exit 0 when every bundle was
/// accepted; 2 for bad input (URL, folder, a file that is not a transaction Bundle with one
/// Patient), checked before anything is sent; 1 when the server cannot be reached, times out,
/// answers non-2xx or reports a failed entry — one line on stderr, naming the file.
/// Each file's bytes are sent as they are (the lean model would drop elements it does not know),
/// unless <c>--as-of-day N</c> moves each story by whole days so that its day N after infusion is
/// today, exactly as the sandbox page does in memory (<see cref="RecordTimeShift.ToToday"/>): what
/// the story charted after the current time of that day is deleted from the server (so loading
/// again as of another day leaves nothing of the earlier load behind), and a story without an
/// infusion is moved so that its last charted day is today.
/// </remarks>
public static class SandboxLoadCommand
{
    public const string FhirJsonMediaType = "application/fhir+json";

    /// <summary>Largest answer read from the server (a transaction-response may echo every resource).</summary>
    public const int MaxResponseBytes = 64 * 1024 * 1024;

    private const string ExpectationsFile = "expectations.json";

    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var fhir = new Option<string>("--fhir") { Description = "FHIR R4 base URL, e.g. http://localhost:8080/fhir.", Required = true };
        var examples = new Option<DirectoryInfo?>("--examples") { Description = "Folder of patient transaction Bundles (default: profiles/examples of the repository around the current directory or the binary)." };
        var wait = new Option<int>("--wait") { Description = "Seconds to wait for the server to answer GET [base]/metadata before loading (default 0: do not wait).", DefaultValueFactory = _ => 0 };
        var timeout = new Option<int>("--timeout") { Description = "Seconds allowed for each bundle (default 120).", DefaultValueFactory = _ => 120 };
        var asOfDay = new Option<int?>("--as-of-day") { Description = $"Move each story by whole days so that its day N after CAR-T infusion is today (a story without infusion: its last charted day); what it charted after now's time of day is left out. {-MaxAsOfDay} to {MaxAsOfDay}." };
        var now = new Option<string?>("--now") { Description = "With --as-of-day: the instant that counts as now, ISO 8601 with offset (default: the clock)." };

        var command = new Command("load", "Load the synthetic patients into a FHIR server (transaction Bundles, re-runnable).") { fhir, examples, wait, timeout, asOfDay, now };
        command.SetAction((parse, ct) => RunAsync(
            new LoadOptions(parse.GetValue(fhir)!, parse.GetValue(examples), parse.GetValue(wait), parse.GetValue(timeout), parse.GetValue(asOfDay), parse.GetValue(now)), stdout, stderr, ct));
        return command;
    }

    /// <summary>Largest |N| for <c>--as-of-day</c> (ten years either way).</summary>
    public const int MaxAsOfDay = 3650;

    /// <param name="Fhir">The server's base URL.</param>
    /// <param name="Examples">The bundles' folder; null = find profiles/examples.</param>
    /// <param name="WaitSeconds">How long to wait for <c>/metadata</c> first (0 = not at all).</param>
    /// <param name="TimeoutSeconds">Time allowed per bundle.</param>
    /// <param name="AsOfDay">Day after infusion that becomes today (null: load the stories as recorded).</param>
    /// <param name="Now">With <paramref name="AsOfDay"/>: the instant that counts as now (ISO 8601 with offset); null = the clock.</param>
    public sealed record LoadOptions(string Fhir, DirectoryInfo? Examples, int WaitSeconds = 0, int TimeoutSeconds = 120, int? AsOfDay = null, string? Now = null);

    /// <summary>One patient's file, checked and ready to send.</summary>
    /// <param name="FileName">The file's name.</param>
    /// <param name="PatientId">Its Patient's id.</param>
    /// <param name="EntryCount">Entries of the transaction (DELETEs of later records included).</param>
    /// <param name="ResourceCount">Resources it stores.</param>
    /// <param name="Json">The bytes sent.</param>
    /// <param name="Moved">How the story was moved in time (for the progress line), or null.</param>
    public sealed record PatientBundle(string FileName, string PatientId, int EntryCount, int ResourceCount, byte[] Json, string? Moved = null);

    /// <summary>Loads the example patients into the FHIR server; returns the exit code (0, 1 server failure, 2 bad input).</summary>
    /// <param name="options">The command's options.</param>
    /// <param name="stdout">Standard output.</param>
    /// <param name="stderr">Progress and error lines.</param>
    /// <param name="ct">Cancels the load (Ctrl-C).</param>
    /// <param name="handler">The HTTP handler (tests); default a new socket handler.</param>
    /// <param name="time">Today (for <c>--as-of-day</c>) and the clock of <c>--wait</c>; default the system's.</param>
    public static async Task<int> RunAsync(LoadOptions options, TextWriter stdout, TextWriter stderr, CancellationToken ct, HttpMessageHandler? handler = null,
        TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        time ??= TimeProvider.System;
        var now = time.GetUtcNow();
        if (options.Now is not null)
        {
            if (options.AsOfDay is null) return await Fail(stderr, 2, "--now only applies with --as-of-day").ConfigureAwait(false);
            if (!EvaluateCommand.TryParseNow(options.Now, out now))
            {
                return await Fail(stderr, 2, $"--now '{options.Now}' is not an ISO 8601 date-time with offset (e.g. 2026-06-15T12:00:00Z)").ConfigureAwait(false);
            }
        }
        if (options.AsOfDay is < -MaxAsOfDay or > MaxAsOfDay)
        {
            return await Fail(stderr, 2, $"--as-of-day {options.AsOfDay}: must be between {-MaxAsOfDay} and {MaxAsOfDay}").ConfigureAwait(false);
        }
        if (ParseBase(options.Fhir) is not { } baseUrl)
        {
            return await Fail(stderr, 2, $"--fhir '{options.Fhir}' is not an http(s) FHIR base URL without query, fragment or credentials (e.g. http://localhost:8080/fhir)").ConfigureAwait(false);
        }
        if (options.WaitSeconds < 0) return await Fail(stderr, 2, $"--wait {options.WaitSeconds}: must be 0 or more seconds").ConfigureAwait(false);
        if (options.TimeoutSeconds <= 0) return await Fail(stderr, 2, $"--timeout {options.TimeoutSeconds}: must be 1 or more seconds").ConfigureAwait(false);

        var folder = options.Examples ?? ExamplesLocator.Find();
        if (folder is null)
        {
            return await Fail(stderr, 2, $"no --examples given and no profiles/examples found above '{Directory.GetCurrentDirectory()}' or '{AppContext.BaseDirectory}' (looked for the folder holding {ExamplesLocator.SolutionFile})").ConfigureAwait(false);
        }
        if (!folder.Exists) return await Fail(stderr, 2, $"--examples: folder '{folder.FullName}' not found").ConfigureAwait(false);

        var (bundles, readError) = await ReadBundlesAsync(folder, ct).ConfigureAwait(false);
        if (readError is not null) return await Fail(stderr, 2, readError).ConfigureAwait(false);
        if (options.AsOfDay is { } day) bundles = bundles.Select(b => ToToday(b, day, now)).ToList();

        using var client = handler is null
            ? new HttpClient(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(10) }, disposeHandler: true)
            : new HttpClient(handler, disposeHandler: false);
        client.Timeout = Timeout.InfiniteTimeSpan; // per call, below, so a timeout is told apart from Ctrl-C
        client.MaxResponseContentBufferSize = MaxResponseBytes;

        if (options.WaitSeconds > 0)
        {
            var notReady = await WaitForServerAsync(client, baseUrl, TimeSpan.FromSeconds(options.WaitSeconds), time, ct).ConfigureAwait(false);
            if (notReady is not null) return await Fail(stderr, 1, notReady).ConfigureAwait(false);
        }

        var total = 0;
        for (var i = 0; i < bundles.Count; i++)
        {
            var bundle = bundles[i];
            var clock = Stopwatch.StartNew();
            var error = await PostAsync(client, baseUrl, bundle, TimeSpan.FromSeconds(options.TimeoutSeconds), ct).ConfigureAwait(false);
            if (error is not null)
            {
                var loaded = i == 0 ? "" : $" ({i} of {bundles.Count} patients loaded before it)";
                return await Fail(stderr, 1, $"{bundle.FileName}: {error}{loaded}").ConfigureAwait(false);
            }
            total += bundle.ResourceCount;
            await stderr.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"[{(i + 1).ToString(CultureInfo.InvariantCulture).PadLeft(bundles.Count.ToString(CultureInfo.InvariantCulture).Length)}/{bundles.Count}] {bundle.PatientId}: {bundle.ResourceCount} resources ({clock.Elapsed.TotalSeconds:0.00} s){(bundle.Moved is null ? "" : "; " + bundle.Moved)}")).ConfigureAwait(false);
        }

        var asOf = options.AsOfDay is { } n ? string.Create(CultureInfo.InvariantCulture, $", each story's day {n} being {now.UtcDateTime:yyyy-MM-dd}") : "";
        await stdout.WriteLineAsync($"loaded {bundles.Count} patients ({total} resources) into {baseUrl}{asOf}").ConfigureAwait(false);
        return 0;
    }

    /// <summary>The base URL without a trailing slash, or null when it is not a usable http(s) URL.</summary>
    public static string? ParseBase(string? text)
    {
        if (string.IsNullOrWhiteSpace(text) || !Uri.TryCreate(text.Trim(), UriKind.Absolute, out var uri)) return null;
        if (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps) return null;
        if (string.IsNullOrEmpty(uri.Host) || uri.Query.Length > 0 || uri.Fragment.Length > 0 || uri.UserInfo.Length > 0) return null;
        return uri.GetLeftPart(UriPartial.Path).TrimEnd('/');
    }

    /// <summary>Reads and checks every <c>*.json</c> but <c>expectations.json</c>, in name order.</summary>
    public static async Task<(IReadOnlyList<PatientBundle> Bundles, string? Error)> ReadBundlesAsync(DirectoryInfo folder, CancellationToken ct)
    {
        var files = folder.EnumerateFiles("*.json")
            .Where(f => !string.Equals(f.Name, ExpectationsFile, StringComparison.OrdinalIgnoreCase))
            .OrderBy(f => f.Name, StringComparer.Ordinal)
            .ToList();
        if (files.Count == 0) return ([], $"--examples: no patient bundles (*.json) in '{folder.FullName}'");

        var bundles = new List<PatientBundle>(files.Count);
        var patients = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var file in files)
        {
            byte[] bytes;
            try
            {
                bytes = await File.ReadAllBytesAsync(file.FullName, ct).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                return ([], $"--examples: cannot read '{file.FullName}': {ex.Message}");
            }
            var (bundle, error) = Check(file.Name, bytes);
            if (error is not null) return ([], $"--examples: {error}");
            if (patients.TryGetValue(bundle!.PatientId, out var other))
            {
                return ([], $"--examples: '{file.Name}' and '{other}' both hold Patient/{bundle.PatientId}");
            }
            patients[bundle.PatientId] = file.Name;
            bundles.Add(bundle);
        }
        return (bundles, null);
    }

    private static (PatientBundle? Bundle, string? Error) Check(string name, byte[] bytes)
    {
        Resource resource;
        try
        {
            resource = FhirJson.Parse(bytes);
        }
        catch (JsonException ex)
        {
            var where = FhirJson.FullPath(ex) is { } path ? $" at {path}" : "";
            return (null, $"'{name}' is not valid FHIR JSON{where}: {FhirJson.Reason(ex)}");
        }
        if (resource is not Bundle bundle) return (null, $"'{name}' is a {resource.ResourceType}, not a Bundle");
        if (!string.Equals(bundle.Type, "transaction", StringComparison.Ordinal))
        {
            return (null, $"'{name}' is a Bundle of type '{bundle.Type ?? "(none)"}'; a sandbox patient is a transaction Bundle");
        }
        var entries = bundle.Entry ?? [];
        if (entries.Count == 0) return (null, $"'{name}' is an empty transaction Bundle");
        for (var i = 0; i < entries.Count; i++)
        {
            if (string.IsNullOrEmpty(entries[i].Request?.Method) || string.IsNullOrEmpty(entries[i].Request?.Url))
            {
                return (null, $"'{name}': Bundle.entry[{i}] has no request method and url");
            }
        }
        var patients = bundle.Resources().OfType<Patient>().ToList();
        if (patients.Count != 1) return (null, $"'{name}' holds {patients.Count} Patients; a sandbox bundle holds exactly one");
        if (string.IsNullOrEmpty(patients[0].Id)) return (null, $"'{name}': the Patient has no id");
        return (new PatientBundle(name, patients[0].Id!, entries.Count, bundle.Resources().Count(), bytes), null);
    }

    /// <summary>The story of <paramref name="bundle"/> moved by whole days so that its day
    /// <paramref name="day"/> after infusion (without infusion: its last charted day) is the day of
    /// <paramref name="now"/>; the bundle was checked by <see cref="ReadBundlesAsync"/>.</summary>
    public static PatientBundle ToToday(PatientBundle bundle, int day, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(bundle);
        var json = JsonNode.Parse(bundle.Json)!.AsObject();
        var facts = ClinicalFactsMapper.MapRecord((Bundle)FhirJson.Parse(bundle.Json));
        var storyDay = facts.Infusions.Count > 0 ? day : 0;
        var (shifted, storyNow, offset) = RecordTimeShift.ToToday(json, RecordTimeShift.DayZero(json, facts), storyDay, now);
        var entries = shifted["entry"]!.AsArray();
        var kept = entries.Select(e => (string?)e?["request"]?["url"]).ToHashSet(StringComparer.Ordinal);
        // What the story charts later is deleted, not only left out: after a load as of a later day
        // the server would otherwise keep those records, moved by that load's offset.
        var later = json["entry"]!.AsArray().Select(e => (string?)e?["request"]?["url"]).Where(u => u is not null && !kept.Contains(u)).ToList();
        foreach (var url in later) entries.Add(new JsonObject { ["request"] = new JsonObject { ["method"] = "DELETE", ["url"] = url } });
        var moved = string.Create(CultureInfo.InvariantCulture,
            $"{(facts.Infusions.Count > 0 ? $"day {day} after infusion" : "last charted day (no infusion)")} ({storyNow.UtcDateTime:yyyy-MM-dd}) is today, moved {(int)offset.TotalDays:+#;-#;0} days, {later.Count} later records deleted");
        return new PatientBundle(bundle.FileName, bundle.PatientId, entries.Count, entries.Count(e => e?["resource"] is JsonObject),
            Encoding.UTF8.GetBytes(shifted.ToJsonString()), moved);
    }

    /// <summary>Posts one transaction; null when the server accepted every entry, else why not.</summary>
    private static async Task<string?> PostAsync(HttpClient client, string baseUrl, PatientBundle bundle, TimeSpan timeout, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, baseUrl) { Content = new ByteArrayContent(bundle.Json) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(FhirJsonMediaType) { CharSet = "utf-8" };
        request.Headers.Accept.ParseAdd(FhirJsonMediaType);
        request.Headers.TryAddWithoutValidation("Prefer", "return=minimal");

        using var call = CancellationTokenSource.CreateLinkedTokenSource(ct);
        call.CancelAfter(timeout);
        HttpResponseMessage response;
        byte[] body;
        try
        {
            response = await client.SendAsync(request, call.Token).ConfigureAwait(false);
            body = await response.Content.ReadAsByteArrayAsync(call.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return $"the FHIR server at {baseUrl} did not answer within {timeout.TotalSeconds:0} s";
        }
        catch (HttpRequestException ex)
        {
            return $"cannot reach the FHIR server at {baseUrl}: {Describe(ex)}";
        }
        using (response)
        {
            var status = (int)response.StatusCode;
            if (status is < 200 or > 299)
            {
                return $"the FHIR server answered {status} {response.ReasonPhrase}{OutcomeText(body)}";
            }
            return CheckTransactionResponse(body, bundle, status);
        }
    }

    private static string? CheckTransactionResponse(byte[] body, PatientBundle sent, int status)
    {
        Resource answer;
        try
        {
            answer = FhirJson.Parse(body);
        }
        catch (JsonException ex)
        {
            return $"the FHIR server answered {status} but not with FHIR JSON: {FhirJson.Reason(ex)}";
        }
        if (answer is not Bundle { Type: "transaction-response" } result)
        {
            var what = answer is Bundle b ? $"a Bundle of type '{b.Type}'" : $"a {answer.ResourceType}";
            return $"the FHIR server answered {status} with {what}, not a transaction-response Bundle";
        }
        var entries = result.Entry ?? [];
        var expected = sent.EntryCount;
        if (entries.Count != expected)
        {
            return $"the FHIR server answered {entries.Count} entries for a transaction of {expected}";
        }
        for (var i = 0; i < entries.Count; i++)
        {
            var entryStatus = entries[i].Response?.Status;
            if (entryStatus is null || !entryStatus.StartsWith('2'))
            {
                return $"the FHIR server answered {status} but Bundle.entry[{i}] failed with status '{entryStatus ?? "(none)"}'{OutcomeText(entries[i].Response?.Outcome)}";
            }
        }
        return null;
    }

    private static async Task<string?> WaitForServerAsync(HttpClient client, string baseUrl, TimeSpan wait, TimeProvider time, CancellationToken ct)
    {
        var started = time.GetTimestamp();
        var last = "no answer";
        while (true)
        {
            var left = wait - time.GetElapsedTime(started);
            if (left <= TimeSpan.Zero) return $"the FHIR server at {baseUrl} was not ready within {wait.TotalSeconds:0} s (GET /metadata: {last})";
            using var attemptTimeout = new CancellationTokenSource(left < TimeSpan.FromSeconds(5) ? left : TimeSpan.FromSeconds(5), time);
            using var attempt = CancellationTokenSource.CreateLinkedTokenSource(ct, attemptTimeout.Token);
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, baseUrl + "/metadata");
                request.Headers.Accept.ParseAdd(FhirJsonMediaType);
                using var response = await client.SendAsync(request, attempt.Token).ConfigureAwait(false);
                if (response.IsSuccessStatusCode) return null;
                last = $"{(int)response.StatusCode} {response.ReasonPhrase}";
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                last = "timed out";
            }
            catch (HttpRequestException ex)
            {
                last = Describe(ex);
            }
            var pause = wait - time.GetElapsedTime(started);
            if (pause > TimeSpan.Zero) await Task.Delay(pause < TimeSpan.FromSeconds(1) ? pause : TimeSpan.FromSeconds(1), time, ct).ConfigureAwait(false);
        }
    }

    private static string Describe(HttpRequestException ex) =>
        ex.InnerException is { } inner && !ex.Message.Contains(inner.Message, StringComparison.Ordinal) ? $"{ex.Message} ({inner.Message})" : ex.Message;

    /// <summary>": &lt;the OperationOutcome's text&gt;" when the body is one, else "".</summary>
    private static string OutcomeText(byte[] body)
    {
        try
        {
            return body.Length == 0 ? "" : OutcomeText(FhirJson.Parse(body));
        }
        catch (JsonException)
        {
            return "";
        }
    }

    private static string OutcomeText(Resource? resource)
    {
        if (resource is not OperationOutcome outcome || outcome.Issue is not { Count: > 0 }) return "";
        var text = outcome.Summary.ReplaceLineEndings(" ");
        return ": " + (text.Length > 300 ? text[..300] + "…" : text);
    }

    private static async Task<int> Fail(TextWriter stderr, int exit, string message)
    {
        await stderr.WriteLineAsync("cartcds: sandbox load: " + message.ReplaceLineEndings(" ")).ConfigureAwait(false);
        return exit;
    }
}
