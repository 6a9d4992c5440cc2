namespace Burrow.Tests;

/// <summary>Where shared test data and the repository live. Test data is referenced in place,
/// never copied: BURROW_TESTDATA overrides the default ../shared/testdata/tor (relative to the repo root).</summary>
internal static class TestPaths
{
    public static string RepoRoot { get; } = FindRepoRoot();

    public static string TorTestData { get; } =
        Environment.GetEnvironmentVariable("BURROW_TESTDATA") is { Length: > 0 } env
            ? Path.GetFullPath(env)
            : Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared", "testdata", "tor"));

    /// <summary>A file under the Tor test data folder; fails loudly when the data is missing.</summary>
    public static string Tor(params string[] parts)
    {
        var path = Path.Combine([TorTestData, .. parts]);
        if (!File.Exists(path) && !Directory.Exists(path))
            throw new FileNotFoundException($"Tor test data not found: {path} (set BURROW_TESTDATA to the shared testdata/tor folder)", path);
        return path;
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Burrow.PowerShell.sln")))
                return dir.FullName;
        throw new InvalidOperationException("Burrow.PowerShell.sln not found above " + AppContext.BaseDirectory);
    }
}
