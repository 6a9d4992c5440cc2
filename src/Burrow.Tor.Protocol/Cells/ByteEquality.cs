namespace Burrow.Tor.Cells;

/// <summary>Content equality for the byte fields of cell records (a record's generated Equals would
/// compare <see cref="ReadOnlyMemory{T}"/> by reference).</summary>
internal static class ByteEquality
{
    public static bool Equal(ReadOnlyMemory<byte> a, ReadOnlyMemory<byte> b) => a.Span.SequenceEqual(b.Span);

    public static int Hash(ReadOnlyMemory<byte> a)
    {
        var h = new HashCode();
        h.AddBytes(a.Span);
        return h.ToHashCode();
    }

    public static bool Equal<T>(IReadOnlyList<T> a, IReadOnlyList<T> b)
    {
        if (ReferenceEquals(a, b)) return true;
        if (a.Count != b.Count) return false;
        var cmp = EqualityComparer<T>.Default;
        for (var i = 0; i < a.Count; i++)
            if (!cmp.Equals(a[i], b[i])) return false;
        return true;
    }

    public static int Hash<T>(IReadOnlyList<T> a)
    {
        var h = new HashCode();
        foreach (var x in a) h.Add(x);
        return h.ToHashCode();
    }
}
