using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;

namespace CarTCds.Cli.Tests.Sandbox;

/// <summary>The example patients as the tests see them, read with plain JSON (independently of
/// the CLI and of the FHIR model), and small helpers.</summary>
internal static class SandboxExamples
{
    public static string Folder => Path.Combine(FhirServerFixture.RepositoryRoot.FullName, "profiles", "examples");

    /// <summary>Every patient bundle file name (not expectations.json), in name order.</summary>
    public static IReadOnlyList<string> Files { get; } = Directory.EnumerateFiles(Folder, "*.json")
        .Select(Path.GetFileName)
        .Where(n => n != "expectations.json")
        .Order(StringComparer.Ordinal)
        .ToList()!;

    /// <summary>The resources of one bundle: (resourceType, id) of every entry.</summary>
    public static IReadOnlyList<(string Type, string Id)> Resources(string file)
    {
        var bundle = JsonNode.Parse(File.ReadAllText(Path.Combine(Folder, file)))!;
        return bundle["entry"]!.AsArray()
            .Select(e => e!["resource"]!)
            .Select(r => (r["resourceType"]!.GetValue<string>(), r["id"]!.GetValue<string>()))
            .ToList();
    }

    public static string PatientId(string file) => Resources(file).Single(r => r.Type == "Patient").Id;

    /// <summary>A 127.0.0.1 port nobody listens on (bound, then released).</summary>
    public static int ClosedPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    public static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
