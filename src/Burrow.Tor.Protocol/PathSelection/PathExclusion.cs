using System.Buffers.Binary;
using System.Net.Sockets;
using Burrow.Tor.Identities;
using Burrow.Tor.NetDir;
using Burrow.Tor.NetDoc;

namespace Burrow.Tor.PathSelection;

/// <summary>
/// The relays already chosen for a path, prepared so that checking each of thousands of
/// candidates against them is cheap: the same rules as <see cref="PathRules.MayShareCircuit"/>
/// (not the same relay, not one family, not one subnet) with the chosen relays' family lists and
/// IPv4 prefixes in hash sets.
/// </summary>
internal sealed class PathExclusion
{
    private readonly PathRules _rules;
    private readonly Relay[] _chosen;
    private readonly HashSet<RsaIdentity> _ids = [];
    // RSA identities that some chosen relay lists as family: a candidate among them is a member
    // only if it lists that chosen relay back (family membership is mutual).
    private readonly HashSet<RsaIdentity> _claimed = [];
    private readonly HashSet<string> _familyIds = new(StringComparer.Ordinal);
    private readonly HashSet<uint> _ipv4Prefixes = [];
    private readonly uint _ipv4Mask;
    private readonly bool _checkIpv4;

    public PathExclusion(PathRules rules, IReadOnlyList<Relay> chosen)
    {
        _rules = rules;
        _chosen = [.. chosen];
        _checkIpv4 = rules.Ipv4SubnetFamilyPrefix is >= 0 and <= 32;
        _ipv4Mask = rules.Ipv4SubnetFamilyPrefix <= 0 ? 0 : uint.MaxValue << (32 - Math.Min(32, rules.Ipv4SubnetFamilyPrefix));
        foreach (var c in _chosen)
        {
            _ids.Add(c.RsaIdentity);
            foreach (var f in c.FamilyRsaIds)
                _claimed.Add(f);
            foreach (var f in c.FamilyIds)
                _familyIds.Add(f);
            if (_checkIpv4 && Ipv4(c) is { } v4)
                _ipv4Prefixes.Add(v4 & _ipv4Mask);
        }
    }

    /// <summary>Whether <paramref name="r"/> may join the path.</summary>
    public bool Allows(Relay r)
    {
        if (_ids.Contains(r.RsaIdentity))
            return false;
        if (_checkIpv4 && Ipv4(r) is { } v4 && _ipv4Prefixes.Contains(v4 & _ipv4Mask))
            return false;
        if (_claimed.Contains(r.RsaIdentity))
        {
            foreach (var c in _chosen)
            {
                if (NetworkDirectory.InSameFamily(r, c))
                    return false;
            }
        }
        if (_familyIds.Count > 0)
        {
            var ids = r.FamilyIds;
            for (var i = 0; i < ids.Count; i++)
            {
                if (_familyIds.Contains(ids[i]))
                    return false;
            }
        }
        if (r.IPv6OrPorts.Count > 0)
        {
            foreach (var c in _chosen)
            {
                if (c.IPv6OrPorts.Count > 0 && _rules.InSameSubnet(r, c))
                    return false;
            }
        }
        return true;
    }

    private static uint? Ipv4(Relay r)
    {
        var a = r.OrPort.Address;
        if (a.AddressFamily != AddressFamily.InterNetwork)
            return null;
        Span<byte> b = stackalloc byte[4];
        a.TryWriteBytes(b, out _);
        return BinaryPrimitives.ReadUInt32BigEndian(b);
    }
}
