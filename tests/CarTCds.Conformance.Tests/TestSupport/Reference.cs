using System.Diagnostics;
using CarTCds.Conformance;
using CarTCds.Fhir.Validation;

namespace CarTCds.Conformance.Tests.TestSupport;

/// <summary>One Firely validator for the whole run (R4 core + the embedded profiles/): building it
/// reads the core specification, and the schemas it compiles are cached inside, so every test class
/// of the <see cref="ReferenceCollection"/> shares it.</summary>
public sealed class ReferenceFixture
{
    public ReferenceFixture()
    {
        var clock = Stopwatch.StartNew();
        Validator = ReferenceValidator.Create(ProfileValidator.EmbeddedFiles());
        BuildTime = clock.Elapsed;
    }

    public ReferenceValidator Validator { get; }

    /// <summary>How long building the validator took (reported in the profile test's output).</summary>
    public TimeSpan BuildTime { get; }
}

[CollectionDefinition(Name)]
public sealed class ReferenceCollection : ICollectionFixture<ReferenceFixture>
{
    public const string Name = "Firely reference";
}

/// <summary>Files copied beside the tests (profiles/examples, broken-instances.json).</summary>
public static class TestFiles
{
    public static string Examples(params string[] parts) => Path.Combine([AppContext.BaseDirectory, "examples", .. parts]);

    public static IEnumerable<string> Json(string folder) =>
        Directory.GetFiles(folder, "*.json").Select(Path.GetFileName).Order(StringComparer.Ordinal)!;

    /// <summary>The repository's root (the folder of CarTCds.sln above the test binaries).</summary>
    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "CarTCds.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException("no CarTCds.sln above the test binaries");
    }

    /// <summary>The issues one per line, for a failure message.</summary>
    public static string Lines(IEnumerable<object> issues) => string.Join("\n", issues);
}
