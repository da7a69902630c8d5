using System.Diagnostics;
using System.Text;
using CarTCds.Cli.Sandbox;

namespace CarTCds.Cli.Tests.Sandbox;

/// <summary>A real FHIR R4 server for the tests: <c>node tests/fhir-server/server.mjs</c> (Medplum's
/// FHIR router in memory), started once per collection on a free port of 127.0.0.1 and stopped
/// on dispose. The server also exits by itself when its stdin (held here) closes, so a test run
/// that is killed leaves nothing behind.</summary>
/// <remarks>Never skips: without node or <c>tests/fhir-server/node_modules</c> every test of the
/// collection fails, saying what to run.</remarks>
public sealed class FhirServerFixture : IAsyncLifetime
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    private Process? _process;
    private readonly StringBuilder _log = new();
    private Task<(int Exit, string Stdout, string Stderr)>? _loaded;
    private readonly Lock _gate = new();

    /// <summary>The server's FHIR base, e.g. <c>http://127.0.0.1:41234</c> (no trailing slash).</summary>
    public string BaseUrl { get; private set; } = "";

    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>The repository root (the folder holding CarTCds.sln).</summary>
    public static DirectoryInfo RepositoryRoot =>
        ExamplesLocator.RepositoryRoot(AppContext.BaseDirectory)
        ?? throw new InvalidOperationException($"no {ExamplesLocator.SolutionFile} above '{AppContext.BaseDirectory}'");

    /// <summary>What the server wrote on stderr so far (for failure messages).</summary>
    public string Log
    {
        get
        {
            lock (_log) return _log.ToString();
        }
    }

    public async Task InitializeAsync()
    {
        var serverDir = Path.Combine(RepositoryRoot.FullName, "tests", "fhir-server");
        var script = Path.Combine(serverDir, "server.mjs");
        if (!File.Exists(script)) throw new InvalidOperationException($"the test FHIR server '{script}' is missing");
        if (!Directory.Exists(Path.Combine(serverDir, "node_modules", "@medplum", "fhir-router")))
        {
            throw new InvalidOperationException(
                $"tests/fhir-server/node_modules is missing (Medplum's FHIR router, npm): run `npm ci --prefix tests/fhir-server` in {RepositoryRoot.FullName} once, then run the tests again");
        }

        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("CARTCDS_NODE") ?? "node")
        {
            WorkingDirectory = serverDir,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(script);
        start.ArgumentList.Add("0");
        start.Environment.Remove("FHIR_SERVER_PORT");

        try
        {
            _process = Process.Start(start) ?? throw new InvalidOperationException("node did not start");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException($"cannot start `node` ({ex.Message}): install Node.js 20 (or set CARTCDS_NODE to its path) to run the FHIR server tests", ex);
        }
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (_log) _log.AppendLine(e.Data);
        };
        _process.BeginErrorReadLine();

        using var timeout = new CancellationTokenSource(StartTimeout);
        string? line;
        try
        {
            line = await _process.StandardOutput.ReadLineAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            await DisposeAsync();
            throw new InvalidOperationException($"the test FHIR server did not say LISTENING within {StartTimeout.TotalSeconds:0} s. Its stderr:\n{Log}");
        }
        if (line is null || !line.StartsWith("LISTENING ", StringComparison.Ordinal) || !int.TryParse(line.AsSpan("LISTENING ".Length), out var port))
        {
            _process.WaitForExit(TimeSpan.FromSeconds(5));
            var exit = _process.HasExited ? $"exit {_process.ExitCode}" : "still running";
            await DisposeAsync();
            throw new InvalidOperationException($"the test FHIR server printed '{line}' instead of 'LISTENING <port>' ({exit}). Its stderr:\n{Log}");
        }
        BaseUrl = $"http://127.0.0.1:{port}";
    }

    /// <summary>Loads every example patient once for the collection (with <c>cartcds sandbox load</c>)
    /// and fails the calling test with the CLI's output if that did not work.</summary>
    public async Task EnsureExamplesLoadedAsync()
    {
        lock (_gate) _loaded ??= RunCliAsync("sandbox", "load", "--fhir", BaseUrl);
        var (exit, stdout, stderr) = await _loaded;
        Assert.True(exit == 0, $"sandbox load failed (exit {exit}):\n{stdout}\n{stderr}\nserver log:\n{Log}");
    }

    public static async Task<(int Exit, string Stdout, string Stderr)> RunCliAsync(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exit = await CliApp.RunAsync(args, stdout, stderr);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        if (_process is null) return;
        try
        {
            if (!_process.HasExited)
            {
                _process.StandardInput.Close(); // the server exits when its stdin closes
                using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(3));
                try
                {
                    await _process.WaitForExitAsync(wait.Token);
                }
                catch (OperationCanceledException)
                {
                    _process.Kill(entireProcessTree: true);
                    await _process.WaitForExitAsync(CancellationToken.None);
                }
            }
        }
        catch (InvalidOperationException)
        {
            // already gone
        }
        finally
        {
            _process.Dispose();
            _process = null;
        }
    }
}

/// <summary>One server for every class of the collection (tests in a collection run one at a time).</summary>
[CollectionDefinition(Name)]
public sealed class FhirServerCollection : ICollectionFixture<FhirServerFixture>
{
    public const string Name = "FHIR server (Medplum in memory)";
}
