using System.Net;
using System.Net.Sockets;

namespace Burrow.Core.Recovery;

/// <summary>
/// Recovers where a redirected connection was really going. One implementation per
/// mechanism (Linux SO_ORIGINAL_DST, macOS PF DIOCNATLOOK, the pflog0 observer), chosen at start.
/// </summary>
public interface IOriginalDestinationResolver
{
    /// <summary>Short name of the mechanism, shown in flows (e.g. "SO_ORIGINAL_DST").</summary>
    string Method { get; }

    /// <summary>Recovers the original destination of <paramref name="accepted"/>. Never throws for
    /// a connection that simply was not redirected: that is a <see cref="RecoveryResult"/> with
    /// <see cref="RecoveryStatus.NotRedirected"/>.</summary>
    ValueTask<RecoveryResult> ResolveAsync(Socket accepted, CancellationToken cancellationToken);
}

public enum RecoveryStatus
{
    /// <summary>The original destination is known.</summary>
    Found,
    /// <summary>The connection was not redirected (no NAT state, or it was addressed to the listener itself).</summary>
    NotRedirected,
    /// <summary>The mechanism failed (permissions, missing kernel support, layout error).</summary>
    Failed,
}

/// <summary>The outcome of one recovery attempt.</summary>
public sealed record RecoveryResult(RecoveryStatus Status, IPEndPoint? Destination, string Method, string? Reason)
{
    public static RecoveryResult Found(IPEndPoint destination, string method) => new(RecoveryStatus.Found, destination, method, null);
    public static RecoveryResult NotRedirected(string method, string reason) => new(RecoveryStatus.NotRedirected, null, method, reason);
    public static RecoveryResult Failed(string method, string reason) => new(RecoveryStatus.Failed, null, method, reason);
}
