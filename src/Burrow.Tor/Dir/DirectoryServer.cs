using System.Net;
using Burrow.Tor.Client;
using Burrow.Tor.Identities;
using Burrow.Tor.NetDir;
using Burrow.Tor.NetDoc;

namespace Burrow.Tor.Dir;

/// <summary>
/// A relay to fetch directory documents from over a one-hop BEGIN_DIR circuit: its identities
/// (the channel handshake must prove them) and ORPorts. The ntor key is known only once the
/// relay's microdescriptor is (caches chosen from the consensus); configured fallbacks have none.
/// </summary>
internal sealed record DirectoryServer(string Name, RsaIdentity RsaIdentity, Ed25519Identity? Ed25519Identity,
    IReadOnlyList<IPEndPoint> OrPorts, ReadOnlyMemory<byte> NtorOnionKey = default)
{
    public static DirectoryServer FromFallback(FallbackDir fallback, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(fallback);
        if (!RsaIdentity.TryFromHex(fallback.RsaIdentity, out var id))
            throw new ArgumentException($"fallback cache identity must be 40 hexadecimal digits, got '{fallback.RsaIdentity}'", nameof(fallback));
        Ed25519Identity? ed = null;
        if (fallback.Ed25519Identity is { Length: > 0 } edText)
        {
            if (!Identities.Ed25519Identity.TryFromBase64(edText, out var e))
                throw new ArgumentException($"fallback cache {fallback.RsaIdentity}: Ed25519 identity must be 43 base64 characters, got '{edText}'", nameof(fallback));
            ed = e;
        }
        if (fallback.OrPorts.Count == 0)
            throw new ArgumentException($"fallback cache {fallback.RsaIdentity} lists no ORPort", nameof(fallback));
        return new DirectoryServer(name ?? "$" + id.ToHex()[..8], id, ed, fallback.OrPorts);
    }

    public static DirectoryServer FromRelay(Relay relay)
    {
        ArgumentNullException.ThrowIfNull(relay);
        return new DirectoryServer(relay.Nickname, relay.RsaIdentity, relay.Ed25519Identity, [relay.OrPort, .. relay.IPv6OrPorts], relay.NtorOnionKey);
    }

    public override string ToString() => $"{Name} (${RsaIdentity.ToHex()})";
}
