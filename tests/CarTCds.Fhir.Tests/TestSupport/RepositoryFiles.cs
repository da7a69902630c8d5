namespace CarTCds.Fhir.Tests.TestSupport;

/// <summary>Files of the repository the tests read as data (profiles/).</summary>
internal static class RepositoryFiles
{
    /// <summary>The folder holding CarTCds.sln, above the test binaries.</summary>
    public static string Root { get; } = FindRoot();

    public static string Profiles => Path.Combine(Root, "profiles");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "CarTCds.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException($"no CarTCds.sln above '{AppContext.BaseDirectory}'");
    }
}
