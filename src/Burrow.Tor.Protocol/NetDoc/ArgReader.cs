namespace Burrow.Tor.NetDoc;

/// <summary>Splits an item's arguments at runs of spaces and tabs.</summary>
internal ref struct ArgReader
{
    private ReadOnlySpan<byte> _rest;
    private readonly int _line;

    public ArgReader(ReadOnlySpan<byte> arguments, int line)
    {
        _rest = arguments;
        _line = line;
    }

    /// <summary>The unread arguments (no leading whitespace).</summary>
    public readonly ReadOnlySpan<byte> Rest => _rest;

    public readonly bool IsEmpty => _rest.IsEmpty;

    public bool TryNext(out ReadOnlySpan<byte> arg)
    {
        if (_rest.IsEmpty)
        {
            arg = default;
            return false;
        }
        var i = _rest.IndexOfAny((byte)' ', (byte)'\t');
        if (i < 0)
        {
            arg = _rest;
            _rest = default;
            return true;
        }
        arg = _rest[..i];
        var j = i + 1;
        while (j < _rest.Length && (_rest[j] == (byte)' ' || _rest[j] == (byte)'\t'))
            j++;
        _rest = _rest[j..];
        return true;
    }

    /// <summary>The next argument; throws naming <paramref name="what"/> when there is none.</summary>
    public ReadOnlySpan<byte> Next(string keyword, string what)
    {
        if (!TryNext(out var arg))
            throw new NetDocException($"'{keyword}' is missing its {what}", _line);
        return arg;
    }
}
