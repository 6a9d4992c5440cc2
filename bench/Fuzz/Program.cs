// Burrow.Fuzz: fuzz harnesses for Burrow's parsers of hostile bytes. Run through bench/fuzz.sh.
//   list                                   the harnesses
//   seeds TARGET DIR                       write TARGET's seed corpus into DIR (for afl-fuzz -i)
//   afl TARGET                             the AFL loop (SharpFuzz); only under afl-fuzz with instrumented assemblies
//   replay TARGET PATH...                  run files (or every file of folders) once each; exit 1 on a crash
//   inprocess [--target T] [--mutations N] [--seconds S] [--crashes DIR]
//                                          seeds plus N mutations per harness in this process (no AFL needed)
using Burrow.Fuzz;

return args.FirstOrDefault() switch
{
    "list" => List(),
    "seeds" when args.Length == 3 => Seeds(FuzzTargets.Get(args[1]), args[2]),
    "afl" when args.Length == 2 => Afl(args[1]),
    "replay" when args.Length >= 3 => Replay(FuzzTargets.Get(args[1]), args[2..]),
    "inprocess" => InProcess(args[1..]),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: Burrow.Fuzz list | seeds TARGET DIR | afl TARGET | replay TARGET PATH... | inprocess [--target T] [--mutations N] [--seconds S] [--crashes DIR]");
    Console.Error.WriteLine("targets: " + string.Join(", ", FuzzTargets.Names));
    return 2;
}

static int List()
{
    foreach (var t in FuzzTargets.Create())
        Console.WriteLine($"{t.Name,-18} {t.Description}");
    return 0;
}

static int Seeds(FuzzTarget target, string dir)
{
    Directory.CreateDirectory(dir);
    var n = 0;
    foreach (var seed in target.Seeds(SeedData.Locate()))
    {
        // AFL is slow on big inputs and refuses ones over 1 MB; the harness cuts at its own maximum anyway.
        var bytes = seed.Length > Math.Min(target.MaxInputLength, SmokeRunner.MaxMutationSeedLength * 4)
            ? seed[..Math.Min(target.MaxInputLength, SmokeRunner.MaxMutationSeedLength * 4)] : seed;
        File.WriteAllBytes(Path.Combine(dir, $"seed-{n++:D3}"), bytes);
    }
    Console.WriteLine($"{target.Name}: {n} seeds in {dir}");
    return 0;
}

static int Afl(string name)
{
    if (!FuzzTargets.Names.Contains(name, StringComparer.OrdinalIgnoreCase))
        return Usage();
    // The harness is made inside the loop: its constructor may already run instrumented code.
    FuzzTarget? target = null;
    byte[] buffer = [];
    SharpFuzz.Fuzzer.Run(stream =>
    {
        if (target is null)
        {
            target = FuzzTargets.Get(name);
            buffer = new byte[target.MaxInputLength];
        }
        var length = 0;
        int read;
        while (length < buffer.Length && (read = stream.Read(buffer, length, buffer.Length - length)) > 0)
            length += read;
        try
        {
            target.Run(buffer.AsSpan(0, length));
        }
        catch (Exception e) when (KnownIssues.IsKnown(e))
        {
            // Owned elsewhere (see KnownIssues); not a finding of this run.
        }
    });
    return 0;
}

static int Replay(FuzzTarget target, string[] paths)
{
    var files = paths.SelectMany(p => Directory.Exists(p) ? Directory.GetFiles(p).Order(StringComparer.Ordinal) : (IEnumerable<string>)[p]).ToList();
    var crashes = 0;
    foreach (var file in files)
    {
        var bytes = File.ReadAllBytes(file);
        try
        {
            target.Run(bytes.Length > target.MaxInputLength ? bytes.AsSpan(0, target.MaxInputLength) : bytes);
        }
        catch (Exception e) when (!KnownIssues.IsKnown(e))
        {
            crashes++;
            Console.WriteLine($"CRASH {file}: {e.GetType().FullName}: {e.Message}\n{e.StackTrace}");
        }
    }
    Console.WriteLine($"REPLAY target={target.Name} files={files.Count} crashes={crashes} known={KnownIssues.ExpirationOverflow}");
    return crashes == 0 ? 0 : 1;
}

static int InProcess(string[] args)
{
    string? only = null, crashDir = null;
    var mutations = 3000;
    double? seconds = null;
    for (var i = 0; i < args.Length; i++)
    {
        switch (args[i])
        {
            case "--target" when i + 1 < args.Length: only = args[++i]; break;
            case "--mutations" when i + 1 < args.Length: mutations = int.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture); break;
            case "--seconds" when i + 1 < args.Length: seconds = double.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture); break;
            case "--crashes" when i + 1 < args.Length: crashDir = args[++i]; break;
            default: return Usage();
        }
    }
    var targets = only is null ? FuzzTargets.Create() : [FuzzTargets.Get(only)];
    var data = SeedData.Locate();
    var failed = 0;
    foreach (var target in targets)
    {
        var result = SmokeRunner.Run(target, data, seconds is null ? mutations : int.MaxValue, budget: seconds is { } s ? TimeSpan.FromSeconds(s) : null);
        foreach (var group in result.Failures.GroupBy(f => f.Signature))
        {
            Console.WriteLine($"CRASH x{group.Count()} {group.First()}");
            if (crashDir is not null)
            {
                var dir = Path.Combine(crashDir, target.Name);
                Directory.CreateDirectory(dir);
                var n = 0;
                foreach (var f in group)
                    File.WriteAllBytes(Path.Combine(dir, $"crash-{f.Exception.GetType().Name}-{Math.Abs(f.Signature.GetHashCode()):X8}-{n++}"), f.Input);
            }
        }
        failed += result.Failures.Count;
        Console.WriteLine($"RESULT target={result.Target} seeds={result.Seeds} mutations={result.Mutations} execs={result.Executions} crashes={result.Failures.Count} known={result.KnownIssues}");
    }
    return failed == 0 ? 0 : 1;
}
