namespace Burrow.Tor.NetDoc;

/// <summary>
/// Shares the value parsed from identical lines ("v", "pr", "p" repeat across thousands of
/// routers). Keys are the raw bytes; a lookup hashes and compares them without allocating.
/// Bounded: past <see cref="Capacity"/> distinct lines new ones are parsed each time.
/// </summary>
internal sealed class InternTable<T> where T : class
{
    private const int Capacity = 512;
    private readonly Dictionary<int, Entry> _table = [];
    private int _count;

    private sealed class Entry(byte[] key, T value, Entry? next)
    {
        public readonly byte[] Key = key;
        public readonly T Value = value;
        public readonly Entry? Next = next;
    }

    public T Get(ReadOnlySpan<byte> line, int lineNumber, Func<ReadOnlySpan<byte>, int, T> parse)
    {
        var hc = new HashCode();
        hc.AddBytes(line);
        var hash = hc.ToHashCode();
        _table.TryGetValue(hash, out var first);
        for (var e = first; e != null; e = e.Next)
        {
            if (line.SequenceEqual(e.Key))
                return e.Value;
        }
        var value = parse(line, lineNumber);
        if (_count < Capacity && line.Length <= 1024)
        {
            _table[hash] = new Entry(line.ToArray(), value, first);
            _count++;
        }
        return value;
    }
}
