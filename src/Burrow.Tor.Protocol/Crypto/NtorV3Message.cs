// The ntor v3 message encoding (proposal 332 A.2, with the N_EXTENSIONS count that the
// extension-list format in tor-spec and rend-spec uses): N_EXTENSIONS [1] then, N times,
// EXT_FIELD_TYPE [1] EXT_FIELD_LEN [1] EXT_FIELD [EXT_FIELD_LEN].
namespace Burrow.Tor.Crypto;

internal static class NtorV3Message
{
    public static byte[] Encode(IReadOnlyList<NtorV3Extension> extensions)
    {
        if (extensions.Count > byte.MaxValue)
            throw new ArgumentException($"an ntor v3 message holds at most 255 extensions, got {extensions.Count}", nameof(extensions));
        var size = 1;
        foreach (var e in extensions)
        {
            if (e.Data.Length > byte.MaxValue)
                throw new ArgumentException($"ntor v3 extension {e.Type}: body is {e.Data.Length} bytes, at most 255 allowed", nameof(extensions));
            size += 2 + e.Data.Length;
        }
        var buf = new byte[size];
        buf[0] = (byte)extensions.Count;
        var pos = 1;
        foreach (var e in extensions)
        {
            buf[pos] = e.Type;
            buf[pos + 1] = (byte)e.Data.Length;
            e.Data.Span.CopyTo(buf.AsSpan(pos + 2));
            pos += 2 + e.Data.Length;
        }
        return buf;
    }

    /// <summary>
    /// Parses a message strictly (the proposal: reject messages that are not well-formed). An empty
    /// message is read as no extensions. Every occurrence is returned in order; callers use the
    /// first of each type and ignore types they do not know.
    /// </summary>
    /// <exception cref="TorCryptoException">Truncated, or bytes left over after the last extension.</exception>
    public static IReadOnlyList<NtorV3Extension> Parse(ReadOnlySpan<byte> message)
    {
        if (message.IsEmpty)
            return [];
        var n = message[0];
        var list = new List<NtorV3Extension>(n);
        var pos = 1;
        for (var i = 0; i < n; i++)
        {
            if (message.Length - pos < 2)
                throw new TorCryptoException($"ntor v3 message: extension {i + 1} of {n} is truncated (no type/length header)");
            var type = message[pos];
            var len = message[pos + 1];
            if (message.Length - pos - 2 < len)
                throw new TorCryptoException($"ntor v3 message: extension {i + 1} of {n} (type {type}) declares {len} bytes, only {message.Length - pos - 2} remain");
            list.Add(new NtorV3Extension(type, message.Slice(pos + 2, len).ToArray()));
            pos += 2 + len;
        }
        if (pos != message.Length)
            throw new TorCryptoException($"ntor v3 message: {message.Length - pos} bytes after the last of {n} extensions");
        return list;
    }
}
