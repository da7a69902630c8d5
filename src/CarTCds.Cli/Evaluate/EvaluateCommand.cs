using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using CarTCds.Fhir.Model;
using CarTCds.Fhir.Serialization;
using CarTCds.Hooks.Contract;
using CarTCds.Hooks.Evaluation;

namespace CarTCds.Cli.Evaluate;

/// <summary><c>cartcds evaluate --service &lt;id&gt; --bundle &lt;patient.json&gt; [--now &lt;ISO-8601&gt;] [--draft-orders &lt;bundle.json&gt;]</c>:
/// prints the CDS Hooks response the HTTP endpoint would give for that patient (exit 0); a bad
/// file or a request the service refuses → one line on stderr, exit 2.</summary>
public static class EvaluateCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var service = new Option<string>("--service") { Description = "CDS service id: cart-toxicity, cart-eligibility or cart-order-check.", Required = true };
        var bundle = new Option<FileInfo>("--bundle") { Description = "The patient's data: a FHIR Bundle (transaction, collection or searchset) with one Patient.", Required = true };
        var now = new Option<string?>("--now") { Description = "Evaluation time, ISO 8601 with offset (default: now)." };
        var draftOrders = new Option<FileInfo?>("--draft-orders") { Description = "A Bundle of draft orders (order-select, order-sign)." };

        var command = new Command("evaluate", "Evaluate one patient offline and print the CDS Hooks response JSON.") { service, bundle, now, draftOrders };
        command.SetAction((parse, ct) => RunAsync(parse.GetValue(service)!, parse.GetValue(bundle)!, parse.GetValue(now), parse.GetValue(draftOrders), stdout, stderr, ct));
        return command;
    }

    public static async Task<int> RunAsync(string serviceId, FileInfo bundleFile, string? now, FileInfo? draftFile, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        TimeProvider time = TimeProvider.System;
        if (now is not null)
        {
            if (!TryParseNow(now, out var fixedNow))
            {
                return await Fail(stderr, $"--now '{now}' is not an ISO 8601 date-time with offset (e.g. 2013-05-19T08:00:00Z)").ConfigureAwait(false);
            }
            time = new FixedTimeProvider(fixedNow);
        }

        var evaluator = CdsEngine.Create(time);
        var service = evaluator.Catalog.Find(serviceId);
        if (service is null)
        {
            return await Fail(stderr, $"unknown service '{serviceId}' (known: {string.Join(", ", evaluator.Catalog.Services.Select(s => s.Id))})").ConfigureAwait(false);
        }

        var (patientBundle, bundleError) = await ReadBundleAsync(bundleFile, "--bundle", ct).ConfigureAwait(false);
        if (bundleError is not null) return await Fail(stderr, bundleError).ConfigureAwait(false);
        Bundle? drafts = null;
        if (draftFile is not null)
        {
            (drafts, var draftError) = await ReadBundleAsync(draftFile, "--draft-orders", ct).ConfigureAwait(false);
            if (draftError is not null) return await Fail(stderr, draftError).ConfigureAwait(false);
        }

        CdsHookRequest built;
        try
        {
            built = PatientBundleRequest.Build(service, patientBundle!, drafts);
        }
        catch (ArgumentException ex)
        {
            return await Fail(stderr, $"{bundleFile.Name}: {ex.Message.Split(" (Parameter", 2)[0]}").ConfigureAwait(false);
        }

        // Through the same bytes → request path as the HTTP endpoint, so both answer alike.
        var (request, readError) = CdsRequestReader.Read(JsonSerializer.SerializeToUtf8Bytes(built, CdsJson.Request));
        var result = readError is not null ? HookResult.Fail(readError) : await evaluator.EvaluateAsync(serviceId, request!, ct).ConfigureAwait(false);
        if (result.Error is { } error)
        {
            await stderr.WriteLineAsync($"cartcds: {service.Id} answered {error.StatusCode}: {error.Outcome.Summary}").ConfigureAwait(false);
            return error.StatusCode >= 500 ? 1 : 2;
        }

        await stdout.WriteLineAsync(JsonSerializer.Serialize(result.Response!, CdsJson.Response)).ConfigureAwait(false);
        return 0;
    }

    internal static async Task<(Bundle? Bundle, string? Error)> ReadBundleAsync(FileInfo file, string option, CancellationToken ct)
    {
        if (!file.Exists) return (null, $"{option}: file '{file.FullName}' not found");
        byte[] bytes;
        try
        {
            bytes = await File.ReadAllBytesAsync(file.FullName, ct).ConfigureAwait(false);
        }
        catch (IOException ex)
        {
            return (null, $"{option}: cannot read '{file.FullName}': {ex.Message}");
        }
        catch (UnauthorizedAccessException)
        {
            return (null, $"{option}: no permission to read '{file.FullName}'");
        }
        try
        {
            var resource = FhirJson.Parse(bytes);
            return resource is Bundle b ? (b, null) : (null, $"{option}: '{file.Name}' is a {resource.ResourceType}, not a Bundle");
        }
        catch (JsonException ex)
        {
            var where = FhirJson.FullPath(ex) is { } path ? $" at {path}" : "";
            return (null, $"{option}: '{file.Name}' is not valid FHIR JSON{where}: {FhirJson.Reason(ex)}");
        }
    }

    /// <summary>Reads a <c>--now</c> value: an ISO 8601 date-time with an offset (<c>Z</c> or
    /// <c>±hh:mm</c>); false for anything else, a local time without offset included.</summary>
    internal static bool TryParseNow(string text, out DateTimeOffset now) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out now) && HasOffset(text);

    private static bool HasOffset(string s) => s.EndsWith('Z') || s.EndsWith('z') || (s.Length > 6 && s[^6] is '+' or '-' && s[^3] == ':');

    internal static async Task<int> Fail(TextWriter stderr, string message)
    {
        await stderr.WriteLineAsync("cartcds: " + message.ReplaceLineEndings(" ")).ConfigureAwait(false);
        return 2;
    }
}
