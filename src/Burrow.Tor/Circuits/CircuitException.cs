using Burrow.Tor.Cells;

namespace Burrow.Tor.Circuits;

/// <summary>A circuit could not be built or failed. <see cref="Kind"/> is what callers act on; the message
/// names the circuit and the cell or step that went wrong.</summary>
internal sealed class CircuitException : IOException
{
    public CircuitException(CircuitErrorKind kind, string message, Exception? inner = null, DestroyReason? destroyReason = null)
        : base(message, inner)
    {
        Kind = kind;
        DestroyReason = destroyReason;
    }

    public CircuitErrorKind Kind { get; }

    /// <summary>The reason byte of the DESTROY or RELAY_TRUNCATED that ended the circuit.</summary>
    public DestroyReason? DestroyReason { get; }

    /// <summary>A protocol violation; the circuit that catches it adds its own name to the message.</summary>
    internal static CircuitException Violation(string what) => new(CircuitErrorKind.ProtocolViolation, what);
}
