using Burrow.Fuzz;
using Xunit.Abstractions;

namespace Burrow.Fuzz.Tests;

/// <summary>The suite's fuzz smoke (issue 18): each harness of bench/Fuzz replays its seed corpus and a few thousand
/// deterministic mutations in this process; any exception other than the target's typed error fails the test with
/// the input. Long AFL runs are bench/fuzz.sh's job.</summary>
public class FuzzSmokeTests(ITestOutputHelper output)
{
    private const int Mutations = 4000;

    public static TheoryData<string> Targets() => [.. FuzzTargets.Names];

    [Theory]
    [MemberData(nameof(Targets))]
    public void HarnessSurvivesSeedsAndMutations(string name)
    {
        var result = SmokeRunner.Run(FuzzTargets.Get(name), SeedData.Locate(), Mutations);
        output.WriteLine($"{name}: {result.Seeds} seeds, {result.Mutations} mutations, {result.Executions} executions, {result.KnownIssues} known (excluded)");
        Assert.True(result.Seeds > 0, $"{name} has no seeds");
        Assert.True(result.Failures.Count == 0, string.Join("\n\n", result.Failures.Take(3)));
        Assert.Equal(Mutations, result.Mutations);
        Assert.Equal(result.Seeds + Mutations, result.Executions);
    }

    [Fact]
    public void EveryHarnessHasADistinctName()
    {
        var names = FuzzTargets.Names;
        Assert.Equal(10, names.Count);
        Assert.Equal(names.Count, names.Distinct(StringComparer.OrdinalIgnoreCase).Count());
        Assert.Throws<ArgumentException>(() => FuzzTargets.Get("no-such-target"));
    }

    [Fact]
    public void AnEscapingExceptionIsReportedWithItsInput()
    {
        // The runner itself must catch a crash and hand back the input, or a real finding would be lost.
        var result = SmokeRunner.Run(new Crashing(), SeedData.Locate(), 50);
        var failure = Assert.Single(result.Failures);
        Assert.IsType<InvalidOperationException>(failure.Exception);
        Assert.Equal([0xCC, 0x01], failure.Input[..2]);
    }

    private sealed class Crashing : FuzzTarget
    {
        public override string Name => "crashing";

        public override string Description => "throws on one input";

        public override void Run(ReadOnlySpan<byte> input)
        {
            if (input.Length == 2 && input[0] == 0xCC && input[1] == 0x01)
                throw new InvalidOperationException("boom");
        }

        public override IEnumerable<byte[]> Seeds(SeedData data) => [[0xCC, 0x01], [0x00]];
    }
}
