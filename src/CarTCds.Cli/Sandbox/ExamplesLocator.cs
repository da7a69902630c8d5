namespace CarTCds.Cli.Sandbox;

/// <summary>Finds <c>profiles/examples</c> when <c>--examples</c> is not given: walks up from the
/// current directory, then from the binary, to the folder holding <c>CarTCds.sln</c>.</summary>
public static class ExamplesLocator
{
    public const string SolutionFile = "CarTCds.sln";

    /// <summary>The examples folder of the first repository found, or null.</summary>
    public static DirectoryInfo? Find() => Find(Directory.GetCurrentDirectory(), AppContext.BaseDirectory);

    public static DirectoryInfo? Find(params string[] startDirectories)
    {
        foreach (var start in startDirectories)
        {
            if (RepositoryRoot(start) is { } root)
            {
                var examples = new DirectoryInfo(Path.Combine(root.FullName, "profiles", "examples"));
                if (examples.Exists) return examples;
            }
        }
        return null;
    }

    /// <summary>The nearest folder at or above <paramref name="start"/> that holds <c>CarTCds.sln</c>.</summary>
    public static DirectoryInfo? RepositoryRoot(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, SolutionFile))) return dir;
        }
        return null;
    }
}
