namespace Burrow.Bench;

/// <summary>Shared Tor test data, referenced in place: BURROW_TESTDATA or ../shared/testdata/tor beside the repository.</summary>
internal static class BenchData
{
    public static string Tor(params string[] parts)
    {
        var root = Environment.GetEnvironmentVariable("BURROW_TESTDATA") is { Length: > 0 } env ? env : Path.Combine(RepoRoot(), "..", "shared", "testdata", "tor");
        var path = Path.GetFullPath(Path.Combine([root, .. parts]));
        return File.Exists(path) ? path : throw new FileNotFoundException("Tor test data not found (set BURROW_TESTDATA)", path);
    }

    private static string RepoRoot()
    {
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir != null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "Burrow.PowerShell.sln")))
                    return dir.FullName;
        throw new InvalidOperationException("run from inside the repository");
    }
}
