using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.RegularExpressions;
using CarTCds.Service.Tests.Security;

namespace CarTCds.Service.Tests.TestSupport;

/// <summary>Everything every test host of this assembly writes to the console (the service's log
/// output: Information and up, JSON outside Development) is kept, and when the test process ends it
/// is searched for the secrets the suite sends: every client JWT minted (<see cref="TestIssuer.Minted"/>),
/// anything shaped like a JWT, the FHIR access tokens and the patient ids of the test requests.</summary>
/// <remarks>The verdict goes to the file named by <c>CARTCDS_LOG_SCAN_REPORT</c> (.ci/run sets it and
/// fails the run unless its first line is <c>clean</c>); it names what kind of secret leaked and the
/// log category, never the secret. Without the variable nothing is written.</remarks>
internal static partial class SuiteLogScan
{
    public const string ReportVariable = "CARTCDS_LOG_SCAN_REPORT";

    private static readonly ConcurrentQueue<string> Lines = new();

    /// <summary>The console lines captured so far (for tests of what a log line carries).</summary>
    internal static string[] Captured() => [.. Lines];

    /// <summary>Patient ids the suite's requests carry (context.patientId, Patient.id).</summary>
    private static readonly string[] PatientIds = ["pat-1", "pat-zq93kx", "pat-2"];

    [GeneratedRegex(@"eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.")]
    private static partial Regex JwtShape();

    [ModuleInitializer]
    internal static void Start()
    {
        Console.SetOut(new Tee(Console.Out));
        Console.SetError(new Tee(Console.Error));
        AppDomain.CurrentDomain.ProcessExit += (_, _) => WriteReport();
    }

    /// <summary>The findings: one line per leak (kind and the line's first 60 characters with the secret cut out).</summary>
    public static List<string> Scan(IEnumerable<string> lines)
    {
        var minted = TestIssuer.Minted.ToArray();
        var leaks = new List<string>();
        foreach (var line in lines)
        {
            string? kind = null;
            if (minted.Any(t => line.Contains(t, StringComparison.Ordinal))) kind = "a client JWT minted by the tests";
            else if (JwtShape().IsMatch(line)) kind = "a JWT-shaped string (token)";
            else if (line.Contains(HookJson.AccessToken, StringComparison.Ordinal)) kind = "the FHIR access token";
            else if (PatientIds.Any(id => ContainsWord(line, id))) kind = "a test patient id";
            if (kind is not null) leaks.Add($"{kind} in: {Redact(line)}");
        }
        return leaks;
    }

    private static bool ContainsWord(string line, string word)
    {
        for (var i = line.IndexOf(word, StringComparison.Ordinal); i >= 0; i = line.IndexOf(word, i + 1, StringComparison.Ordinal))
        {
            var end = i + word.Length;
            var before = i == 0 ? ' ' : line[i - 1];
            var after = end >= line.Length ? ' ' : line[end];
            if (!char.IsLetterOrDigit(before) && before != '-' && !char.IsLetterOrDigit(after) && after != '-') return true;
        }
        return false;
    }

    private static string Redact(string line)
    {
        var head = line.Length > 60 ? line[..60] : line;
        head = JwtShape().Replace(head, "<jwt>");
        foreach (var id in PatientIds) head = head.Replace(id, "<patient>", StringComparison.Ordinal);
        return head.Replace(HookJson.AccessToken, "<token>", StringComparison.Ordinal);
    }

    private static void WriteReport()
    {
        var path = Environment.GetEnvironmentVariable(ReportVariable);
        if (string.IsNullOrWhiteSpace(path)) return;
        var lines = Lines.ToArray();
        var leaks = Scan(lines);
        var report = new StringBuilder();
        report.AppendLine(leaks.Count == 0 ? "clean" : "LEAK");
        report.AppendLine($"{lines.Length} console lines from the service's test hosts scanned; {TestIssuer.Minted.Count} minted JWTs, the access token and {PatientIds.Length} patient ids searched; {leaks.Count} leak(s).");
        foreach (var leak in leaks.Take(50)) report.AppendLine(leak);
        File.WriteAllText(path, report.ToString());
    }

    /// <summary>Writes through and keeps every completed line.</summary>
    private sealed class Tee(TextWriter inner) : TextWriter
    {
        private readonly StringBuilder _pending = new();
        private readonly Lock _lock = new();

        public override Encoding Encoding => inner.Encoding;

        public override void Write(char value)
        {
            inner.Write(value);
            lock (_lock)
            {
                if (value == '\n')
                {
                    Lines.Enqueue(_pending.ToString());
                    _pending.Clear();
                }
                else
                {
                    _pending.Append(value);
                }
            }
        }

        public override void Write(string? value)
        {
            inner.Write(value);
            if (value is null) return;
            lock (_lock)
            {
                var start = 0;
                for (var nl = value.IndexOf('\n', start); nl >= 0; nl = value.IndexOf('\n', start))
                {
                    _pending.Append(value, start, nl - start);
                    Lines.Enqueue(_pending.ToString());
                    _pending.Clear();
                    start = nl + 1;
                }
                _pending.Append(value, start, value.Length - start);
            }
        }

        public override void Write(char[] buffer, int index, int count) => Write(new string(buffer, index, count));

        public override void WriteLine(string? value) => Write((value ?? "") + "\n");

        public override void Flush() => inner.Flush();
    }
}

/// <summary>The scanner itself finds what it must (so a clean report means something).</summary>
public sealed class SuiteLogScanTests
{
    [Fact]
    public void GivenLinesWithATokenAJwtAndAPatientId_WhenScanned_ThenEachIsFoundAndNoneIsRepeatedInTheFinding()
    {
        string[] lines =
        [
            "info: CarTCds.Service[0] hook cart-toxicity answered 200",
            "warn: x[0] fhir failed for token " + HookJson.AccessToken,
            "warn: x[0] bearer eyJhbGciOiJFUzM4NCJ9.eyJpc3MiOiJodHRwcyJ9.c2ln",
            "{\"Message\":\"patient pat-1 evaluated\"}",
            "info: Microsoft.AspNetCore.Hosting[1] Request starting POST http://localhost/cds-services/not-a-pat-1x",
        ];

        var leaks = SuiteLogScan.Scan(lines);

        Assert.Equal(3, leaks.Count);
        Assert.Contains(leaks, l => l.StartsWith("a JWT-shaped string", StringComparison.Ordinal) || l.StartsWith("the FHIR access token", StringComparison.Ordinal));
        Assert.Contains(leaks, l => l.StartsWith("a test patient id", StringComparison.Ordinal));
        Assert.DoesNotContain(leaks, l => l.Contains(HookJson.AccessToken, StringComparison.Ordinal) || l.Contains("pat-1 ", StringComparison.Ordinal));
    }
}
