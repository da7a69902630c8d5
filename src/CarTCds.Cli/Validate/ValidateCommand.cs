using System.CommandLine;
using System.Text;
using System.Text.Json;
using CarTCds.Conformance;
using CarTCds.Fhir.Model;
using CarTCds.Fhir.Serialization;
using CarTCds.Fhir.Validation;

namespace CarTCds.Cli.Validate;

/// <summary><c>cartcds validate &lt;file.json&gt; [--profiles &lt;dir&gt;] [--strict]</c>: checks a FHIR resource (or
/// every entry of a Bundle) against the CarTCds profiles and prints the issues as an
/// OperationOutcome. <c>--strict</c> adds the official R4 validator (Firely: R4 core and the same
/// profiles, about 5 s to start), whose issues say "Firely:". Exit 0 when no error (warnings and
/// information allowed), 1 with any error, 2 when the file cannot be read or is not FHIR JSON (one
/// line on stderr).</summary>
public static class ValidateCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var file = new Argument<FileInfo>("file") { Description = "A FHIR resource or Bundle (JSON)." };
        var profiles = new Option<DirectoryInfo?>("--profiles") { Description = "A profiles folder (CodeSystem/, ValueSet/, StructureDefinition/) instead of the built-in profiles." };
        var strict = new Option<bool>("--strict") { Description = "Also validate with the official FHIR R4 validator (Firely) against R4 core and the profiles (slow to start)." };
        var command = new Command("validate", "Validate a FHIR resource or Bundle against the CarTCds profiles; prints an OperationOutcome.") { file, profiles, strict };
        command.SetAction((parse, ct) => RunAsync(parse.GetValue(file)!, parse.GetValue(profiles), parse.GetValue(strict), stdout, stderr, ct));
        return command;
    }

    public static async Task<int> RunAsync(FileInfo file, DirectoryInfo? profilesFolder, bool strict, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        ProfileValidator validator;
        IReadOnlyList<(string Name, string Json)> conformance;
        try
        {
            conformance = profilesFolder is null ? ProfileValidator.EmbeddedFiles() : ProfileValidator.DirectoryFiles(profilesFolder.FullName);
            validator = profilesFolder is null ? ProfileValidator.Default : ProfileValidator.FromJson(conformance);
        }
        catch (Exception ex) when (ex is InvalidOperationException or IOException or UnauthorizedAccessException)
        {
            return await Fail(stderr, $"--profiles: {ex.Message}").ConfigureAwait(false);
        }

        if (!file.Exists) return await Fail(stderr, $"file '{file.FullName}' not found").ConfigureAwait(false);
        Resource resource;
        byte[] bytes;
        try
        {
            bytes = await File.ReadAllBytesAsync(file.FullName, ct).ConfigureAwait(false);
            resource = FhirJson.Parse(bytes);
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

        var issues = validator.Validate(resource).Select(i => i.ToOutcomeIssue()).ToList();
        var errors = issues.Count(i => i.Severity == "error");
        if (strict)
        {
            ReferenceValidator reference;
            try
            {
                reference = ReferenceValidator.Create(conformance);
            }
            catch (InvalidOperationException ex)
            {
                return await Fail(stderr, $"--strict: {ex.Message}").ConfigureAwait(false);
            }
            var official = reference.ValidateAsRead(Encoding.UTF8.GetString(bytes), resource, validator);
            errors += official.Count(i => i.IsError);
            issues.AddRange(official.Select(i => new OperationOutcomeIssue
            {
                Severity = i.Severity,
                Code = i.Code,
                Diagnostics = "Firely: " + i.Message,
                Expression = i.Location is null ? null : [i.Location],
            }));
        }
        var against = strict ? "R4 core (Firely) and the CarTCds profiles" : "the CarTCds profiles";
        var outcome = new OperationOutcome
        {
            // An OperationOutcome needs one issue at least (R4 1..*): say that nothing was found.
            Issue = issues.Count > 0
                ? issues
                : [new OperationOutcomeIssue { Severity = "information", Code = "informational", Diagnostics = $"{file.Name}: no issues against {against}" }],
        };
        await stdout.WriteLineAsync(FhirJson.Serialize(outcome)).ConfigureAwait(false);
        return errors > 0 ? 1 : 0;
    }

    private static async Task<int> Fail(TextWriter stderr, string message)
    {
        await stderr.WriteLineAsync("cartcds validate: " + message.ReplaceLineEndings(" ")).ConfigureAwait(false);
        return 2;
    }
}
