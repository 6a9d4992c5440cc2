namespace Burrow.Tor.Crypto;

/// <summary>One EXT_FIELD of an ntor v3 message: its type and up to 255 bytes of body.</summary>
internal readonly record struct NtorV3Extension(byte Type, ReadOnlyMemory<byte> Data);
