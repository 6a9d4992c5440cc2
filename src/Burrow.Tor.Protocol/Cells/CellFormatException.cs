namespace Burrow.Tor.Cells;

/// <summary>A channel cell or relay message that does not follow tor-spec's wire format
/// (truncated, a length field beyond the body, a bad address length...), or a value that cannot be
/// encoded in it. The message names the cell, the field and what is accepted.</summary>
internal sealed class CellFormatException : Exception
{
    public CellFormatException(string message) : base(message) { }
    public CellFormatException(string message, Exception inner) : base(message, inner) { }
}
