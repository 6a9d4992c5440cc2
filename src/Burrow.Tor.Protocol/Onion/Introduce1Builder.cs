// INTRODUCE1 (rend-spec-v3 3.2.1 [FMT_INTRO1]) and the plaintext it encrypts (3.3 [PROCESS_INTRO2]):
//   LEGACY_KEY_ID[20]=0 | AUTH_KEY_TYPE[1]=02 | AUTH_KEY_LEN[2] | AUTH_KEY | N_EXTENSIONS[1] | ENCRYPTED
//   plaintext: RENDEZVOUS_COOKIE[20] | N_EXTENSIONS[1] | ONION_KEY_TYPE[1]=01 | ONION_KEY_LEN[2] | ONION_KEY
//              | NSPEC[1] | link specifiers | PAD
using System.Buffers.Binary;
using Burrow.Tor.Cells;

namespace Burrow.Tor.Protocol.Onion;

internal static class Introduce1Builder
{
    /// <summary>
    /// The plaintext is padded so that the header and plaintext together are at least this long (as in the
    /// rend-spec-v3 appendix G vector: a 56-byte header and 190 bytes of plaintext). Intro points refuse an
    /// INTRODUCE1 that fills the whole cell: INTRODUCE2 must still fit when they relay it.
    /// </summary>
    public const int MinHeaderAndPlaintext = 246;

    public static byte[] Header(ReadOnlySpan<byte> authKey)
    {
        var h = new byte[20 + 1 + 2 + authKey.Length + 1];
        h[20] = 2;
        BinaryPrimitives.WriteUInt16BigEndian(h.AsSpan(21), (ushort)authKey.Length);
        authKey.CopyTo(h.AsSpan(23));
        return h;
    }

    /// <summary>The plaintext naming the rendezvous point, padded with zeros to fill the cell.</summary>
    public static byte[] Plaintext(ReadOnlySpan<byte> cookie, ReadOnlySpan<byte> rendOnionKey, IReadOnlyList<LinkSpecifier> rendSpecifiers, int headerLength)
    {
        if (cookie.Length != 20 || rendOnionKey.Length != 32)
            throw new ArgumentException("a rendezvous cookie is 20 bytes and an ntor onion key 32");
        var specLength = 1 + rendSpecifiers.Sum(s => 2 + s.SpecLength);
        var used = 20 + 1 + 1 + 2 + 32 + specLength;
        var length = Math.Max(used, MinHeaderAndPlaintext - headerLength);
        var p = new byte[length];
        cookie.CopyTo(p);
        p[21] = 1;
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(22), 32);
        rendOnionKey.CopyTo(p.AsSpan(24));
        var w = WireWriter.Create(p.AsSpan(56), specLength, RelayCommand.Extend2);
        w.WriteByte((byte)rendSpecifiers.Count);
        foreach (var s in rendSpecifiers)
        {
            w.WriteByte((byte)s.Type);
            w.WriteByte((byte)s.SpecLength);
            s.WriteSpec(ref w);
        }
        return p;
    }

    /// <summary>INTRODUCE_ACK STATUS (3.2.2): 0 = relayed to the service.</summary>
    public static ushort AckStatus(ReadOnlySpan<byte> body)
    {
        if (body.Length < 3)
            throw new OnionException(OnionErrorKind.ProtocolViolation, $"INTRODUCE_ACK of {body.Length} bytes is too short");
        return BinaryPrimitives.ReadUInt16BigEndian(body);
    }

    public static string AckStatusText(ushort status) => status switch
    {
        0 => "success",
        1 => "service not recognized by the introduction point",
        2 => "bad message format",
        3 => "introduction point cannot relay to the service",
        _ => $"unknown status {status}",
    };
}
