namespace Burrow.Tor.PathSelection;

/// <summary>No relay satisfies a position's constraints (e.g. no exit allows the port).</summary>
internal sealed class PathSelectionException : Exception
{
    public PathSelectionException(string message) : base(message) { }
}
