// Path constraints that depend on configuration (path-spec 2.2): subnet families and
// long-lived ports.
using System.Net;
using System.Net.Sockets;
using Burrow.Tor.NetDir;

namespace Burrow.Tor.PathSelection;

/// <summary>
/// Which relays may not share a circuit beyond "same relay" and "same family": relays whose
/// addresses fall into one IPv4 /<see cref="Ipv4SubnetFamilyPrefix"/> or IPv6
/// /<see cref="Ipv6SubnetFamilyPrefix"/> (a prefix above 32 / 128 turns the rule off, for test
/// networks on one address), and which ports need Stable relays.
/// </summary>
internal sealed record PathRules
{
    /// <summary>path-spec 2.2: connections to these ports tend to stay open long and need Stable relays.</summary>
    public static readonly IReadOnlySet<int> DefaultLongLivedPorts = new HashSet<int> { 21, 22, 706, 1863, 5050, 5190, 5222, 5223, 6667, 6697, 8300 };

    public static PathRules Default { get; } = new();

    public int Ipv4SubnetFamilyPrefix { get; init; } = 16;

    public int Ipv6SubnetFamilyPrefix { get; init; } = 32;

    public IReadOnlySet<int> LongLivedPorts { get; init; } = DefaultLongLivedPorts;

    /// <summary>Whether two relays may appear in one path: different relays, not one family, not one subnet.</summary>
    public bool MayShareCircuit(Relay a, Relay b) =>
        a.RsaIdentity != b.RsaIdentity && !NetworkDirectory.InSameFamily(a, b) && !InSameSubnet(a, b);

    /// <summary>Whether any IPv4 address pair or any IPv6 address pair of the two relays shares the configured prefix.</summary>
    public bool InSameSubnet(Relay a, Relay b)
    {
        if (Ipv4SubnetFamilyPrefix is >= 0 and <= 32 && SamePrefix(a.OrPort.Address, b.OrPort.Address, Ipv4SubnetFamilyPrefix))
            return true;
        if (Ipv6SubnetFamilyPrefix is >= 0 and <= 128)
        {
            foreach (var x in a.IPv6OrPorts)
            {
                foreach (var y in b.IPv6OrPorts)
                {
                    if (SamePrefix(x.Address, y.Address, Ipv6SubnetFamilyPrefix))
                        return true;
                }
            }
        }
        return false;
    }

    /// <summary>True when both addresses are of one family and agree in their first <paramref name="prefix"/> bits.</summary>
    public static bool SamePrefix(IPAddress x, IPAddress y, int prefix)
    {
        if (x.AddressFamily != y.AddressFamily || x.AddressFamily is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6))
            return false;
        Span<byte> bx = stackalloc byte[16];
        Span<byte> by = stackalloc byte[16];
        x.TryWriteBytes(bx, out var n);
        y.TryWriteBytes(by, out _);
        prefix = Math.Min(prefix, n * 8);
        var whole = prefix / 8;
        if (!bx[..whole].SequenceEqual(by[..whole]))
            return false;
        var rest = prefix % 8;
        if (rest == 0)
            return true;
        var mask = (byte)(0xFF << (8 - rest));
        return (bx[whole] & mask) == (by[whole] & mask);
    }
}
