using Burrow.Tor.Dir;
using Burrow.Tor.NetDoc;

namespace Burrow.Fuzz.Targets;

/// <summary>The microdescriptor parser (dir-spec 3.3) on a cache file or a directory response body, and the
/// splitter that cuts a response into single descriptors first.</summary>
internal sealed class MicrodescTarget : FuzzTarget
{
    public override string Name => "microdesc";

    public override string Description => "Microdescriptor.ParseAll and DocumentSplitter.Microdescriptors + Microdescriptor.Parse";

    public override void Run(ReadOnlySpan<byte> input)
    {
        try
        {
            Microdescriptor.ParseAll(input);
        }
        catch (NetDocException)
        {
        }
        List<ReadOnlyMemory<byte>> parts;
        try
        {
            parts = DocumentSplitter.Microdescriptors(input.ToArray());
        }
        catch (NetDocException)
        {
            return;
        }
        foreach (var part in parts)
        {
            try
            {
                Microdescriptor.Parse(part.Span);
            }
            catch (NetDocException)
            {
            }
        }
    }

    public override IEnumerable<byte[]> Seeds(SeedData data)
    {
        yield return data.Tor("private-network/cached-microdescs");
        yield return data.Tor("arti/netdoc/microdesc1.txt");
        yield return data.Tor("metrics-lib-2017/2017-07-17-17-20-00-micro");
        // The head of a real cache: annotations, family lines, ed25519 ids, p6 policies.
        yield return data.Tor("network-2019-12-15-md-complete/cached-microdescs", 12 * 1024);
    }
}
