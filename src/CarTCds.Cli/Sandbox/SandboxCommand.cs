using System.CommandLine;

namespace CarTCds.Cli.Sandbox;

/// <summary><c>cartcds sandbox …</c>: the synthetic patients and a real FHIR server.</summary>
public static class SandboxCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr) =>
        new("sandbox", "Try CarTCds against a FHIR server loaded with the synthetic patients of profiles/examples.")
        {
            SandboxLoadCommand.Create(stdout, stderr),
            SandboxFireCommand.Create(stdout, stderr),
        };
}
