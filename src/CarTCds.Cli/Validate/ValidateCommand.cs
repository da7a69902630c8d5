using System.CommandLine;
using System.Text.Json;
using CarTCds.Fhir.Model;
using CarTCds.Fhir.Serialization;
using CarTCds.Fhir.Validation;

namespace CarTCds.Cli.Validate;

/// <summary><c>cartcds validate &lt;file.json&gt; [--profiles &lt;dir&gt;]</c>: checks a FHIR resource (or
/// every entry of a Bundle) against the CarTCds profiles and prints the issues as an
/// OperationOutcome. Exit 0 when no error (warnings and information allowed), 1 with any error,
/// 2 when the file cannot be read or is not FHIR JSON (one line on stderr).</summary>
public static class ValidateCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var file = new Argument<FileInfo>("file") { Description = "A FHIR resource or Bundle (JSON)." };
        var profiles = new Option<DirectoryInfo?>("--profiles") { Description = "A profiles folder (CodeSystem/, ValueSet/, StructureDefinition/) instead of the built-in profiles." };
        var command = new Command("validate", "Validate a FHIR resource or Bundle against the CarTCds profiles; prints an OperationOutcome.") { file, profiles };
        command.SetAction((parse, ct) => RunAsync(parse.GetValue(file)!, parse.GetValue(profiles), stdout, stderr, ct));
        return command;
    }

    public static async Task<int> RunAsync(FileInfo file, DirectoryInfo? profilesFolder, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        ProfileValidator validator;
        try
        {
            validator = profilesFolder is null ? ProfileValidator.Default : ProfileValidator.FromDirectory(profilesFolder.FullName);
        }
        catch (Exception ex) when (ex is InvalidOperationException or IOException or UnauthorizedAccessException)
        {
            return await Fail(stderr, $"--profiles: {ex.Message}").ConfigureAwait(false);
        }

        if (!file.Exists) return await Fail(stderr, $"file '{file.FullName}' not found").ConfigureAwait(false);
        Resource resource;
        try
        {
            resource = FhirJson.Parse(await File.ReadAllBytesAsync(file.FullName, ct).ConfigureAwait(false));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return await Fail(stderr, $"cannot read '{file.FullName}': {ex.Message}").ConfigureAwait(false);
        }
        catch (JsonException ex)
        {
            var where = FhirJson.FullPath(ex) is { } path ? $" at {path}" : "";
            return await Fail(stderr, $"'{file.Name}' is not valid FHIR JSON{where}: {FhirJson.Reason(ex)}").ConfigureAwait(false);
        }

        var issues = validator.Validate(resource);
        var outcome = new OperationOutcome
        {
            // An OperationOutcome needs one issue at least (R4 1..*): say that nothing was found.
            Issue = issues.Count > 0
                ? issues.Select(i => i.ToOutcomeIssue()).ToList()
                : [new OperationOutcomeIssue { Severity = "information", Code = "informational", Diagnostics = $"{file.Name}: no issues against the CarTCds profiles" }],
        };
        await stdout.WriteLineAsync(FhirJson.Serialize(outcome)).ConfigureAwait(false);
        return issues.Any(i => i.IsError) ? 1 : 0;
    }

    private static async Task<int> Fail(TextWriter stderr, string message)
    {
        await stderr.WriteLineAsync("cartcds validate: " + message.ReplaceLineEndings(" ")).ConfigureAwait(false);
        return 2;
    }
}
