using Burrow.Core.Upstreams;

namespace Burrow.Core.Flows;

/// <summary>
/// How one flow ended: the kind callers act on, the short reason and the detail users read, and the
/// upstream's error kind when the upstream could not connect. Built only through the factories below,
/// so every reason string and the kind -> <see cref="FlowState"/> mapping live in this one file.
/// </summary>
public sealed record FlowEnd
{
    private FlowEnd(FlowEndKind kind, string reason, string? error = null, UpstreamErrorKind? upstreamError = null)
    {
        Kind = kind;
        Reason = reason;
        Error = error;
        UpstreamError = upstreamError;
    }

    public FlowEndKind Kind { get; }

    /// <summary>What Get-BurrowFlow shows as EndReason ("both sides closed", "upstream ConnectionRefused", ...).</summary>
    public string Reason { get; }

    /// <summary>The detail behind a failure (the upstream's message, the socket error), or null.</summary>
    public string? Error { get; }

    /// <summary>Set for <see cref="FlowEndKind.UpstreamConnectFailed"/>.</summary>
    public UpstreamErrorKind? UpstreamError { get; }

    /// <summary>Closed after being open, Refused when never forwarded, Failed when the upstream or the code failed.</summary>
    public FlowState State => Kind switch
    {
        FlowEndKind.NotRedirected or FlowEndKind.RecoveryFailed or FlowEndKind.TooManyFlows
            or FlowEndKind.OnionServiceUnsupported or FlowEndKind.OnionAddressInvalid or FlowEndKind.VirtualAddressUnmapped => FlowState.Refused,
        FlowEndKind.UpstreamConnectFailed or FlowEndKind.InternalError => FlowState.Failed,
        _ => FlowState.Closed,
    };

    /// <summary>True when the client gets a clean close; every other end resets it.</summary>
    public bool Graceful => Kind is FlowEndKind.Completed or FlowEndKind.ClosedByExit;

    public static FlowEnd Completed() => new(FlowEndKind.Completed, "both sides closed");

    /// <summary>The exit ended the stream normally (END reason DONE) while the client still sent; the detail says what was refused.</summary>
    public static FlowEnd ClosedByExit(string? detail) => new(FlowEndKind.ClosedByExit, "closed by the exit", detail);

    public static FlowEnd IdleTimeout(TimeSpan idle) => new(FlowEndKind.IdleTimeout, $"idle for {idle.TotalSeconds:0} s");

    public static FlowEnd NetworkStopped() => new(FlowEndKind.NetworkStopped, "network stopped");

    public static FlowEnd ClosedByAdmin() => new(FlowEndKind.ClosedByAdmin, "closed by Stop-BurrowFlow");

    public static FlowEnd ClientError(string detail) => new(FlowEndKind.ClientError, "client error", detail);

    public static FlowEnd UpstreamStreamError(string detail) => new(FlowEndKind.UpstreamError, "upstream error", detail);

    public static FlowEnd NotRedirected(string? detail) => new(FlowEndKind.NotRedirected, "not redirected", detail);

    public static FlowEnd RecoveryFailed(string? detail) => new(FlowEndKind.RecoveryFailed, "recovery failed", detail);

    public static FlowEnd TooManyFlows(int max) => new(FlowEndKind.TooManyFlows, "too many flows", $"the network already carries {max} flows");

    public static FlowEnd OnionServiceUnsupported(string hostname)
        => new(FlowEndKind.OnionServiceUnsupported, "onion services are not supported yet", $"{hostname} is an onion service; Burrow's Tor client cannot reach onion services yet, so nothing was sent");

    public static FlowEnd OnionAddressInvalid(string hostname, string detail)
        => new(FlowEndKind.OnionAddressInvalid, "malformed onion address", $"{hostname}: {detail}; nothing was sent");

    public static FlowEnd VirtualAddressUnmapped(System.Net.IPAddress address)
        => new(FlowEndKind.VirtualAddressUnmapped, "virtual address not mapped",
            $"{address} is one of the DNS listener's virtual addresses but stands for no name now (its mapping expired or was never handed out); look the name up again");

    public static FlowEnd UpstreamConnectFailed(UpstreamException e)
        => new(FlowEndKind.UpstreamConnectFailed, "upstream " + e.Kind, e.Message, e.Kind);

    public static FlowEnd Internal(string detail) => new(FlowEndKind.InternalError, "internal error", detail);
}
