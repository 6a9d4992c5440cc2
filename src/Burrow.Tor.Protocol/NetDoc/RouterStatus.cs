using System.Net;
using Burrow.Tor.Identities;

namespace Burrow.Tor.NetDoc;

/// <summary>One router status entry of a consensus (dir-spec 3.4.1; microdesc flavour 3.9.2).</summary>
internal sealed class RouterStatus
{
    public required string Nickname { get; init; }

    public required RsaIdentity Identity { get; init; }

    /// <summary>ns flavour only: SHA-1 of the router's server descriptor.</summary>
    public byte[]? DescriptorDigest { get; init; }

    public required DateTime Published { get; init; }

    public required IPAddress Address { get; init; }

    public required ushort OrPort { get; init; }

    /// <summary>0 when the relay has no DirPort.</summary>
    public required ushort DirPort { get; init; }

    /// <summary>Further OR addresses from "a" lines (in practice the first IPv6 ORPort).</summary>
    public required IReadOnlyList<IPEndPoint> AdditionalOrPorts { get; init; }

    /// <summary>Microdesc flavour: SHA-256 of the router's microdescriptor ("m" line).</summary>
    public Digest256? MicrodescDigest { get; init; }

    public required RelayFlags Flags { get; init; }

    /// <summary>The "v" line, e.g. "Tor 0.4.9.9"; null when absent.</summary>
    public string? Version { get; init; }

    /// <summary>The "pr" line; <see cref="ProtocolVersions.Empty"/> when absent.</summary>
    public required ProtocolVersions Protocols { get; init; }

    /// <summary>"w Bandwidth=": the relay's weight in arbitrary units; null without a "w" line or keyword.</summary>
    public uint? Bandwidth { get; init; }

    /// <summary>"w ... Unmeasured=1": the bandwidth is not based on enough measurements.</summary>
    public bool IsUnmeasured { get; init; }

    /// <summary>ns flavour only: the "p" exit policy summary.</summary>
    public PortPolicy? ExitPolicy { get; init; }

    public required int LineNumber { get; init; }

    public bool HasFlag(RelayFlags flag) => (Flags & flag) == flag;

    public override string ToString() => $"{Nickname} {Identity.ToHex()} {Address}:{OrPort}";
}
