namespace Burrow.Fuzz;

/// <summary>Replays a harness's seeds, then feeds it mutations of them, all in this process: the suite's fuzz smoke
/// and bench/fuzz.sh --inprocess. Deterministic for a given seed so a failure reproduces.</summary>
public static class SmokeRunner
{
    /// <summary>Seeds larger than this are cut for mutation (whole ones are still replayed): mutating a 3 MB consensus
    /// a few thousand times would take minutes and find nothing a small one does not.</summary>
    public const int MaxMutationSeedLength = 16 * 1024;

    public static SmokeResult Run(FuzzTarget target, SeedData data, int mutations, int randomSeed = 18, TimeSpan? budget = null, int maxFailures = 20)
    {
        var seeds = target.Seeds(data).ToList();
        if (seeds.Count == 0)
            throw new InvalidOperationException($"harness {target.Name} has no seeds");
        var failures = new List<FuzzFailure>();
        var known = KnownIssues.ExpirationOverflow;
        long executions = 0;
        foreach (var seed in seeds)
        {
            Execute(target, seed, failures);
            executions++;
        }

        var pool = seeds.Select(s => s.Length > MaxMutationSeedLength ? s[..MaxMutationSeedLength] : s).ToList();
        var mutator = new Mutator(randomSeed, target.MaxInputLength);
        var random = new Random(randomSeed);
        var until = budget is { } b ? DateTime.UtcNow + b : DateTime.MaxValue;
        var done = 0;
        for (; done < mutations && failures.Count < maxFailures && DateTime.UtcNow < until; done++)
        {
            var input = mutator.Mutate(pool[random.Next(pool.Count)], pool);
            Execute(target, input, failures);
            executions++;
        }
        return new SmokeResult(target.Name, seeds.Count, done, executions, failures, KnownIssues.ExpirationOverflow - known);
    }

    private static void Execute(FuzzTarget target, byte[] input, List<FuzzFailure> failures)
    {
        var span = input.Length > target.MaxInputLength ? input.AsSpan(0, target.MaxInputLength) : input;
        try
        {
            target.Run(span);
        }
        catch (Exception e) when (!KnownIssues.IsKnown(e))
        {
            failures.Add(new FuzzFailure(target.Name, span.ToArray(), e));
        }
    }
}
