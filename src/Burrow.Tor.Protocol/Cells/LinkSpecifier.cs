using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Burrow.Tor.Identities;

namespace Burrow.Tor.Cells;

/// <summary>One link specifier of an EXTEND2 message (tor-spec 5.1.2): LSTYPE, LSLEN, LSPEC.
/// Recognized types must have their exact length; unrecognized ones are kept as
/// <see cref="UnknownLinkSpecifier"/> (nodes MUST ignore, not reject, them).</summary>
internal abstract record LinkSpecifier
{
    public abstract LinkSpecifierType Type { get; }

    /// <summary>LSLEN: bytes of LSPEC.</summary>
    public abstract int SpecLength { get; }

    /// <summary>Writes LSPEC only.</summary>
    internal abstract void WriteSpec(ref WireWriter w);

    internal static LinkSpecifier Read(ref WireReader r, int index)
    {
        var type = (LinkSpecifierType)r.ReadByte($"link specifier {index} LSTYPE");
        var len = r.ReadByte($"link specifier {index} LSLEN");
        var spec = r.ReadBytes(len, $"link specifier {index} LSPEC (LSLEN {len})");
        var expected = type switch
        {
            LinkSpecifierType.IPv4 => 6,
            LinkSpecifierType.IPv6 => 18,
            LinkSpecifierType.LegacyId => LegacyIdLinkSpecifier.IdLength,
            LinkSpecifierType.Ed25519Id => Ed25519IdLinkSpecifier.IdLength,
            _ => -1,
        };
        if (expected >= 0 && len != expected)
            throw new CellFormatException($"RELAY_EXTEND2: link specifier {index} of type {type} has LSLEN {len}; it must be {expected}.");
        return type switch
        {
            LinkSpecifierType.IPv4 => new IPv4LinkSpecifier(new IPAddress(spec[..4]), BinaryPrimitives.ReadUInt16BigEndian(spec[4..])),
            LinkSpecifierType.IPv6 => new IPv6LinkSpecifier(new IPAddress(spec[..16]), BinaryPrimitives.ReadUInt16BigEndian(spec[16..])),
            LinkSpecifierType.LegacyId => new LegacyIdLinkSpecifier(new RsaIdentity(spec)),
            LinkSpecifierType.Ed25519Id => new Ed25519IdLinkSpecifier(new Ed25519Identity(spec)),
            _ => new UnknownLinkSpecifier((byte)type, spec.ToArray()),
        };
    }

    private protected static void RequireFamily(IPAddress address, AddressFamily family, string what)
    {
        if (address.AddressFamily != family)
            throw new CellFormatException($"RELAY_EXTEND2: {what} link specifier holds {address}, not an {(family == AddressFamily.InterNetwork ? "IPv4" : "IPv6")} address.");
    }
}

/// <summary>[00] TLS-over-TCP, IPv4 address and ORPort.</summary>
internal sealed record IPv4LinkSpecifier(IPAddress Address, ushort Port) : LinkSpecifier
{
    public override LinkSpecifierType Type => LinkSpecifierType.IPv4;

    public override int SpecLength
    {
        get
        {
            RequireFamily(Address, AddressFamily.InterNetwork, "an IPv4");
            return 6;
        }
    }

    internal override void WriteSpec(ref WireWriter w)
    {
        WireAddress.Write(ref w, Address);
        w.WriteUInt16(Port);
    }
}

/// <summary>[01] TLS-over-TCP, IPv6 address and ORPort.</summary>
internal sealed record IPv6LinkSpecifier(IPAddress Address, ushort Port) : LinkSpecifier
{
    public override LinkSpecifierType Type => LinkSpecifierType.IPv6;

    public override int SpecLength
    {
        get
        {
            RequireFamily(Address, AddressFamily.InterNetworkV6, "an IPv6");
            return 18;
        }
    }

    internal override void WriteSpec(ref WireWriter w)
    {
        WireAddress.Write(ref w, Address);
        w.WriteUInt16(Port);
    }
}

/// <summary>[02] Legacy identity: the 20-byte SHA-1 RSA identity fingerprint. At most one per EXTEND2.</summary>
internal sealed record LegacyIdLinkSpecifier(RsaIdentity Id) : LinkSpecifier
{
    public const int IdLength = RsaIdentity.Length;

    public override LinkSpecifierType Type => LinkSpecifierType.LegacyId;

    public override int SpecLength => IdLength;

    internal override void WriteSpec(ref WireWriter w)
    {
        Span<byte> id = stackalloc byte[IdLength];
        Id.CopyTo(id);
        w.WriteBytes(id);
    }
}

/// <summary>[03] Ed25519 identity: the 32-byte key. At most one per EXTEND2.</summary>
internal sealed record Ed25519IdLinkSpecifier(Ed25519Identity Id) : LinkSpecifier
{
    public const int IdLength = Ed25519Identity.Length;

    public override LinkSpecifierType Type => LinkSpecifierType.Ed25519Id;

    public override int SpecLength => IdLength;

    internal override void WriteSpec(ref WireWriter w)
    {
        Span<byte> id = stackalloc byte[IdLength];
        Id.CopyTo(id);
        w.WriteBytes(id);
    }
}

/// <summary>A link specifier of a type this client does not know, kept byte for byte.</summary>
internal sealed record UnknownLinkSpecifier(byte RawType, ReadOnlyMemory<byte> Spec) : LinkSpecifier
{
    public override LinkSpecifierType Type => (LinkSpecifierType)RawType;

    public override int SpecLength => Spec.Length <= byte.MaxValue
        ? Spec.Length
        : throw new CellFormatException($"RELAY_EXTEND2: link specifier of {Spec.Length} bytes exceeds LSLEN (max 255).");

    internal override void WriteSpec(ref WireWriter w) => w.WriteBytes(Spec.Span);

    public bool Equals(UnknownLinkSpecifier? other) => other is not null && RawType == other.RawType && ByteEquality.Equal(Spec, other.Spec);
    public override int GetHashCode() => HashCode.Combine(RawType, ByteEquality.Hash(Spec));
}
