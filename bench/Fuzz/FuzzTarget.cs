namespace Burrow.Fuzz;

/// <summary>One parser of hostile bytes under fuzzing. <see cref="Run"/> swallows the target's own typed
/// errors (the parser saying "malformed", which is the right answer to garbage) and lets everything else
/// escape: an escaping exception is a crash, a bug to fix at its cause.</summary>
public abstract class FuzzTarget
{
    /// <summary>The name bench/fuzz.sh and the smoke select it by.</summary>
    public abstract string Name { get; }

    /// <summary>What is fed, one line.</summary>
    public abstract string Description { get; }

    /// <summary>Inputs longer than this are cut (AFL and the mutator both respect it).</summary>
    public virtual int MaxInputLength => 64 * 1024;

    public abstract void Run(ReadOnlySpan<byte> input);

    /// <summary>Valid (or nearly valid) inputs to start from: files under the shared Tor test data, read in
    /// place, and inputs built here from the protocol's own encoders.</summary>
    public abstract IEnumerable<byte[]> Seeds(SeedData data);
}
