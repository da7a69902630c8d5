using System.CommandLine;
using CarTCds.Cli.Evaluate;

namespace CarTCds.Cli;

/// <summary>The <c>cartcds</c> command line, runnable in-process for tests.</summary>
public static class CliApp
{
    /// <summary>Runs the CLI. Exit codes: 0 success; 1 internal failure; 2 bad usage or bad input.</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken = default)
    {
        var root = new RootCommand("cartcds — CAR-T toxicity and eligibility decision support (CDS Hooks), offline.")
        {
            EvaluateCommand.Create(stdout, stderr),
            Sandbox.SandboxCommand.Create(stdout, stderr),
            Feedback.FeedbackCommand.Create(stdout, stderr, TimeProvider.System),
            Auth.KeysCommand.Create(stdout, stderr),
            Validate.ValidateCommand.Create(stdout, stderr),
            Timeline.TimelineCommand.Create(stdout, stderr),
        };
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var e in parse.Errors) await stderr.WriteLineAsync("cartcds: " + e.Message).ConfigureAwait(false);
            return 2;
        }
        return await parse.InvokeAsync(new InvocationConfiguration { Output = stdout, Error = stderr }, cancellationToken).ConfigureAwait(false);
    }
}
