// v3 onion addresses (rend-spec-v3 6 [ONIONADDRESS], 2.2.7): base32(PUBKEY | CHECKSUM | VERSION) + ".onion",
// CHECKSUM = H(".onion checksum" | PUBKEY | VERSION)[:2], VERSION = 3.
using System.Diagnostics.CodeAnalysis;

namespace Burrow.Tor.Protocol.Onion;

/// <summary>A checked v3 onion address: its service's Ed25519 identity key (KP_hs_id).</summary>
internal sealed class OnionAddress : IEquatable<OnionAddress>
{
    public const string Suffix = ".onion";
    public const int LabelLength = 56;
    public const byte Version = 3;

    private const string Alphabet = "abcdefghijklmnopqrstuvwxyz234567";

    private OnionAddress(byte[] identityKey, string label)
    {
        IdentityKey = identityKey;
        Label = label;
    }

    /// <summary>KP_hs_id, the service's 32-byte Ed25519 identity public key.</summary>
    public byte[] IdentityKey { get; }

    /// <summary>The 56-character base32 label, lower case, without ".onion".</summary>
    public string Label { get; }

    /// <summary>"label.onion".</summary>
    public string Host => Label + Suffix;

    /// <summary>True for any name that ends in ".onion" (with or without a trailing dot), valid or not.</summary>
    public static bool IsOnionName(string host)
    {
        ArgumentNullException.ThrowIfNull(host);
        var h = host.EndsWith('.') ? host[..^1] : host;
        return h.EndsWith(Suffix, StringComparison.OrdinalIgnoreCase) || h.Equals("onion", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// Parses "label.onion", "sub.label.onion" (labels before the service label are ignored, as
    /// address-spec allows) or a bare label, case-insensitively.
    /// </summary>
    /// <exception cref="OnionException">Kind <see cref="OnionErrorKind.MalformedAddress"/>, naming what is wrong.</exception>
    public static OnionAddress Parse(string host)
    {
        if (!TryParse(host, out var address, out var error))
            throw new OnionException(OnionErrorKind.MalformedAddress, error);
        return address;
    }

    public static bool TryParse(string host, [NotNullWhen(true)] out OnionAddress? address, [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(host);
        address = null;
        var h = host.EndsWith('.') ? host[..^1] : host;
        if (h.EndsWith(Suffix, StringComparison.OrdinalIgnoreCase))
            h = h[..^Suffix.Length];
        var dot = h.LastIndexOf('.');
        var label = (dot >= 0 ? h[(dot + 1)..] : h).ToLowerInvariant();
        var shown = Shorten(host);
        if (label.Length == 16)
        {
            error = $"'{shown}' is a v2 onion address; v2 onion services no longer exist (only v3 addresses of {LabelLength} characters are accepted)";
            return false;
        }
        if (label.Length != LabelLength)
        {
            error = $"'{shown}' is not a v3 onion address: the name before .onion has {label.Length} characters, a v3 address has {LabelLength} (base32 a-z, 2-7)";
            return false;
        }
        var raw = new byte[35];
        if (!TryBase32Decode(label, raw))
        {
            error = $"'{shown}' is not a v3 onion address: it has characters outside base32 (a-z, 2-7)";
            return false;
        }
        var key = raw[..32];
        var version = raw[34];
        if (version != Version)
        {
            error = $"'{shown}' has onion address version {version}; only version 3 is supported";
            return false;
        }
        var checksum = Checksum(key, version);
        if (checksum[0] != raw[32] || checksum[1] != raw[33])
        {
            error = $"'{shown}' has a wrong checksum: it is mistyped or not an onion address";
            return false;
        }
        // rend-spec-v3 2.2.7: a key with a torsion component would give several addresses for one service.
        if (!Ed25519Point.IsValidPrimeOrderPoint(key))
        {
            error = $"'{shown}' does not hold a valid Ed25519 key (not on the curve, small order or with a torsion component)";
            return false;
        }
        address = new OnionAddress(key, label);
        error = null;
        return true;
    }

    /// <summary>The address of a service identity key.</summary>
    public static OnionAddress FromIdentityKey(ReadOnlySpan<byte> identityKey)
    {
        if (identityKey.Length != 32)
            throw new ArgumentException($"an onion service identity key is 32 bytes, got {identityKey.Length}", nameof(identityKey));
        var raw = new byte[35];
        identityKey.CopyTo(raw);
        var checksum = Checksum(identityKey.ToArray(), Version);
        raw[32] = checksum[0];
        raw[33] = checksum[1];
        raw[34] = Version;
        return new OnionAddress(identityKey.ToArray(), Base32Encode(raw));
    }

    public bool Equals(OnionAddress? other) => other != null && other.Label == Label;

    public override bool Equals(object? obj) => obj is OnionAddress a && Equals(a);

    public override int GetHashCode() => Label.GetHashCode(StringComparison.Ordinal);

    public override string ToString() => Host;

    private static byte[] Checksum(byte[] key, byte version) =>
        OnionHash.H(OnionHash.Ascii(".onion checksum"), key, [version]);

    private static string Shorten(string s) => s.Length <= 80 ? s : s[..77] + "...";

    /// <summary>RFC 4648 base32 without padding, lower case; <paramref name="output"/> must fit exactly.</summary>
    internal static bool TryBase32Decode(string text, Span<byte> output)
    {
        if (text.Length * 5 / 8 != output.Length)
            return false;
        ulong buffer = 0;
        var bits = 0;
        var o = 0;
        foreach (var c in text)
        {
            var v = Alphabet.IndexOf(char.ToLowerInvariant(c));
            if (v < 0)
                return false;
            buffer = (buffer << 5) | (uint)v;
            bits += 5;
            if (bits >= 8)
            {
                bits -= 8;
                output[o++] = (byte)(buffer >> bits);
            }
        }
        return o == output.Length;
    }

    internal static string Base32Encode(ReadOnlySpan<byte> data)
    {
        var sb = new System.Text.StringBuilder((data.Length * 8 + 4) / 5);
        ulong buffer = 0;
        var bits = 0;
        foreach (var b in data)
        {
            buffer = (buffer << 8) | b;
            bits += 8;
            while (bits >= 5)
            {
                bits -= 5;
                sb.Append(Alphabet[(int)((buffer >> bits) & 31)]);
            }
        }
        if (bits > 0)
            sb.Append(Alphabet[(int)((buffer << (5 - bits)) & 31)]);
        return sb.ToString();
    }
}
