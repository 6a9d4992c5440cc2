namespace Burrow.Fuzz;

/// <summary>Where seeds come from: the shared Tor test data (BURROW_TESTDATA or ../shared/testdata/tor beside the
/// repository), never copied into the repository, and the repository's own docs.</summary>
public sealed class SeedData(string torTestData, string repoRoot)
{
    public string TorTestData { get; } = torTestData;

    public string RepoRoot { get; } = repoRoot;

    public static SeedData Locate()
    {
        var root = FindRepoRoot();
        var tor = Environment.GetEnvironmentVariable("BURROW_TESTDATA") is { Length: > 0 } env
            ? Path.GetFullPath(env)
            : Path.GetFullPath(Path.Combine(root, "..", "shared", "testdata", "tor"));
        if (!Directory.Exists(tor))
            throw new DirectoryNotFoundException($"Tor test data not found at {tor}; set BURROW_TESTDATA to the shared testdata/tor folder");
        return new SeedData(tor, root);
    }

    /// <summary>A file of the Tor test data, whole or its first <paramref name="maxBytes"/>; fails loudly when missing.</summary>
    public byte[] Tor(string relativePath, int maxBytes = int.MaxValue)
    {
        var path = Path.Combine(TorTestData, relativePath);
        if (!File.Exists(path))
            throw new FileNotFoundException($"seed file missing from the Tor test data: {path}", path);
        var bytes = File.ReadAllBytes(path);
        return bytes.Length <= maxBytes ? bytes : bytes[..maxBytes];
    }

    public string Repo(string relativePath) => File.ReadAllText(Path.Combine(RepoRoot, relativePath));

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Burrow.PowerShell.sln")))
                return dir.FullName;
        // An instrumented copy under bench/fuzz-work/ is still inside the repository; elsewhere use the current folder.
        for (var dir = new DirectoryInfo(Environment.CurrentDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Burrow.PowerShell.sln")))
                return dir.FullName;
        throw new InvalidOperationException("Burrow.PowerShell.sln not found above " + AppContext.BaseDirectory);
    }
}
