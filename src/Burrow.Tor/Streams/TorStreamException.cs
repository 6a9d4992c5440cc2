using Burrow.Tor.Cells;

namespace Burrow.Tor.Streams;

/// <summary>A stream could not be opened or failed. An <see cref="IOException"/> so copy loops treat it
/// as the I/O error it is; <see cref="Kind"/> tells callers what happened.</summary>
internal sealed class TorStreamException : IOException
{
    public TorStreamException(TorStreamErrorKind kind, string message, Exception? inner = null, EndReason? endReason = null)
        : base(message, inner)
    {
        Kind = kind;
        EndReason = endReason;
    }

    public TorStreamErrorKind Kind { get; }

    /// <summary>The reason byte of the exit's RELAY_END, when the error came from one.</summary>
    public EndReason? EndReason { get; }

    /// <summary>The kind a RELAY_END reason maps to (unknown reasons are <see cref="TorStreamErrorKind.Misc"/>).</summary>
    public static TorStreamErrorKind KindOf(EndReason reason) => reason switch
    {
        Cells.EndReason.ResolveFailed => TorStreamErrorKind.ResolveFailed,
        Cells.EndReason.ConnectRefused => TorStreamErrorKind.ConnectionRefused,
        Cells.EndReason.ExitPolicy => TorStreamErrorKind.ExitPolicy,
        Cells.EndReason.Destroy => TorStreamErrorKind.Destroyed,
        Cells.EndReason.Done => TorStreamErrorKind.Closed,
        Cells.EndReason.Timeout => TorStreamErrorKind.Timeout,
        Cells.EndReason.NoRoute => TorStreamErrorKind.NoRoute,
        Cells.EndReason.Hibernating => TorStreamErrorKind.Hibernating,
        Cells.EndReason.Internal => TorStreamErrorKind.Internal,
        Cells.EndReason.ResourceLimit => TorStreamErrorKind.ResourceLimit,
        Cells.EndReason.ConnReset => TorStreamErrorKind.ConnectionReset,
        Cells.EndReason.TorProtocol => TorStreamErrorKind.TorProtocol,
        Cells.EndReason.NotDirectory => TorStreamErrorKind.NotDirectory,
        _ => TorStreamErrorKind.Misc,
    };

    /// <summary>The error for a RELAY_END the exit sent; <paramref name="what"/> says what was going on.</summary>
    public static TorStreamException FromEnd(EndMessage end, string what)
    {
        var reason = Enum.IsDefined(end.Reason) ? $"REASON_{end.Reason.ToString().ToUpperInvariant()}" : $"reason {(byte)end.Reason}";
        return new TorStreamException(KindOf(end.Reason), $"{what}: the exit ended the stream ({reason}).", null, end.Reason);
    }
}
