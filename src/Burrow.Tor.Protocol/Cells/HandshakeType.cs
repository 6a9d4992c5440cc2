namespace Burrow.Tor.Cells;

/// <summary>HTYPE of CREATE2 / EXTEND2 (tor-spec 5.1; ntor v3 from proposal 332). Others carried as-is.</summary>
internal enum HandshakeType : ushort
{
    Tap = 0,
    Ntor = 2,
    NtorV3 = 3,
}
