using System.Net;
using System.Net.Sockets;
using Burrow.Tor.Identities;
using Burrow.Tor.NetDoc;

namespace Burrow.Tor.NetDir;

/// <summary>
/// A relay as the verified consensus and its microdescriptor describe it. Identity, flags,
/// addresses and weight come from the consensus; keys, family and exit ports from the
/// microdescriptor (absent until it is fetched: see <see cref="HasMicrodescriptor"/>).
/// </summary>
internal sealed class Relay
{
    internal Relay(RouterStatus status, Microdescriptor? microdescriptor)
    {
        Status = status;
        Microdescriptor = microdescriptor;
        OrPort = new IPEndPoint(status.Address, status.OrPort);
        IPv6OrPorts = CollectIPv6(status, microdescriptor);
        // dir-spec 3.3: an "id ed25519" must be ignored when the consensus says NoEdConsensus.
        Ed25519Identity = microdescriptor != null && (status.Flags & RelayFlags.NoEdConsensus) == 0 ? microdescriptor.Ed25519Id : null;
    }

    public RouterStatus Status { get; }

    public Microdescriptor? Microdescriptor { get; }

    public bool HasMicrodescriptor => Microdescriptor != null;

    public string Nickname => Status.Nickname;

    public RsaIdentity RsaIdentity => Status.Identity;

    public Ed25519Identity? Ed25519Identity { get; }

    /// <summary>The curve25519 ntor key (32 bytes); empty without a microdescriptor or key.</summary>
    public ReadOnlyMemory<byte> NtorOnionKey => Microdescriptor?.NtorOnionKey ?? ReadOnlyMemory<byte>.Empty;

    public bool HasNtorOnionKey => Microdescriptor?.NtorOnionKey != null;

    /// <summary>The IPv4 ORPort from the "r" line.</summary>
    public IPEndPoint OrPort { get; }

    /// <summary>IPv6 ORPorts from the consensus "a" lines (and, for older methods, the microdescriptor).</summary>
    public IReadOnlyList<IPEndPoint> IPv6OrPorts { get; }

    /// <summary>0 when the relay has no DirPort.</summary>
    public ushort DirPort => Status.DirPort;

    public RelayFlags Flags => Status.Flags;

    public bool HasFlag(RelayFlags flag) => (Status.Flags & flag) == flag;

    /// <summary>Consensus weight ("w Bandwidth="); 0 when absent.</summary>
    public uint Bandwidth => Status.Bandwidth ?? 0;

    public bool IsBandwidthUnmeasured => Status.IsUnmeasured;

    public ProtocolVersions Protocols => Status.Protocols;

    public string? Version => Status.Version;

    public Digest256 MicrodescDigest => Status.MicrodescDigest!.Value;

    public IReadOnlyList<string> Family => Microdescriptor?.Family ?? [];

    public IReadOnlyList<RsaIdentity> FamilyRsaIds => Microdescriptor?.FamilyRsaIds ?? [];

    public IReadOnlyList<string> FamilyIds => Microdescriptor?.FamilyIds ?? [];

    /// <summary>IPv4 exit ports; "reject 1-65535" without a microdescriptor.</summary>
    public PortPolicy ExitPolicy => Microdescriptor?.ExitPolicy ?? PortPolicy.RejectAll;

    public PortPolicy ExitPolicy6 => Microdescriptor?.ExitPolicy6 ?? PortPolicy.RejectAll;

    public override string ToString() => $"{Nickname} {RsaIdentity}";

    private static IReadOnlyList<IPEndPoint> CollectIPv6(RouterStatus status, Microdescriptor? md)
    {
        List<IPEndPoint>? list = null;
        foreach (var ep in status.AdditionalOrPorts)
            Add(ref list, ep);
        if (md != null)
        {
            foreach (var ep in md.Addresses)
                Add(ref list, ep);
        }
        return list ?? (IReadOnlyList<IPEndPoint>)[];

        static void Add(ref List<IPEndPoint>? list, IPEndPoint ep)
        {
            if (ep.AddressFamily != AddressFamily.InterNetworkV6)
                return;
            list ??= new List<IPEndPoint>(1);
            if (!list.Contains(ep))
                list.Add(ep);
        }
    }
}
