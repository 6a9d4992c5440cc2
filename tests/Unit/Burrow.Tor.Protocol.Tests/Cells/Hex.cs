using System.Buffers;
using System.Text;
using System.Text.RegularExpressions;

namespace Burrow.Tor.Tests.Cells;

/// <summary>Hex vectors written by hand from tor-spec's layouts: whitespace is ignored.</summary>
internal static partial class Hex
{
    public static byte[] Bytes(string hex) => Convert.FromHexString(Space().Replace(hex, ""));

    public static string Of(ReadOnlySpan<byte> bytes) => Convert.ToHexString(bytes);

    public static string Ascii(string s) => Convert.ToHexString(Encoding.ASCII.GetBytes(s));

    /// <summary>Hex of <paramref name="count"/> bytes start, start+1, ... (mod 256): filler for keys and handshakes.</summary>
    public static string Pattern(int count, int start = 0) =>
        Convert.ToHexString(Enumerable.Range(start, count).Select(i => (byte)i).ToArray());

    public static byte[] PatternBytes(int count, int start = 0) => Bytes(Pattern(count, start));

    /// <summary>A fixed-cell body: the bytes, then NUL padding to PAYLOAD_LEN.</summary>
    public static byte[] Padded(string hex, int length = 509)
    {
        var b = Bytes(hex);
        Array.Resize(ref b, length);
        return b;
    }

    /// <summary>A multi-segment sequence over <paramref name="data"/> cut at the given sizes (the last one repeats).</summary>
    public static ReadOnlySequence<byte> Segmented(byte[] data, params int[] sizes)
    {
        if (data.Length == 0)
            return ReadOnlySequence<byte>.Empty;
        Segment? first = null, last = null;
        var pos = 0;
        var i = 0;
        while (pos < data.Length)
        {
            var n = Math.Min(sizes[Math.Min(i++, sizes.Length - 1)], data.Length - pos);
            var seg = new Segment(data.AsMemory(pos, n));
            if (first is null) first = seg; else last!.Append(seg);
            last = seg;
            pos += n;
        }
        return new ReadOnlySequence<byte>(first!, 0, last!, last!.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory) => Memory = memory;

        public void Append(Segment next)
        {
            next.RunningIndex = RunningIndex + Memory.Length;
            Next = next;
        }
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Space();
}
