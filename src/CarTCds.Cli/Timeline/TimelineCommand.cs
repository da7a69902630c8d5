using System.CommandLine;
using System.Text.Json;
using CarTCds.Cli.Evaluate;
using CarTCds.Hooks.Timeline;
using CarTCds.Rules;

namespace CarTCds.Cli.Timeline;

/// <summary><c>cartcds timeline --bundle &lt;patient.json&gt; [--until &lt;ISO-8601&gt;]</c>: prints the
/// patient's days after infusion with the CRS and ICANS grade of each day as JSON, the same
/// <see cref="PatientTimeline"/> the sandbox page charts (exit 0; <c>[]</c> without an infusion); a bad
/// file → one line on stderr, exit 2.</summary>
public static class TimelineCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var bundle = new Option<FileInfo>("--bundle") { Description = "The patient's data: a FHIR Bundle (transaction, collection or searchset) with one Patient.", Required = true };
        var until = new Option<string?>("--until") { Description = "Last instant shown, ISO 8601 with offset (default: the day of the last temperature; at most 30 days after infusion)." };

        var command = new Command("timeline", "Print one patient's days after infusion with each day's CRS and ICANS grade (JSON).") { bundle, until };
        command.SetAction((parse, ct) => RunAsync(parse.GetValue(bundle)!, parse.GetValue(until), stdout, stderr, ct));
        return command;
    }

    public static async Task<int> RunAsync(FileInfo bundleFile, string? until, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        DateTimeOffset? last = null;
        if (until is not null)
        {
            if (!EvaluateCommand.TryParseNow(until, out var u))
            {
                return await EvaluateCommand.Fail(stderr, $"--until '{until}' is not an ISO 8601 date-time with offset (e.g. 2013-05-19T08:00:00Z)").ConfigureAwait(false);
            }
            last = u;
        }
        var (record, error) = await EvaluateCommand.ReadBundleAsync(bundleFile, "--bundle", ct).ConfigureAwait(false);
        if (error is not null) return await EvaluateCommand.Fail(stderr, error).ConfigureAwait(false);

        IReadOnlyList<TimelineDay> days;
        try
        {
            days = PatientTimeline.Build(record!, RuleSet.Default, last);
        }
        catch (ArgumentException ex)
        {
            return await EvaluateCommand.Fail(stderr, $"{bundleFile.Name}: {ex.Message.Split(" (Parameter", 2)[0]}").ConfigureAwait(false);
        }
        // The sandbox API's JSON (ASP.NET Core's web defaults: camelCase).
        await stdout.WriteLineAsync(JsonSerializer.Serialize(days, Web)).ConfigureAwait(false);
        return 0;
    }

    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);
}
