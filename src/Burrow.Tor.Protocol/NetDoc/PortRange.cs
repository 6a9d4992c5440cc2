namespace Burrow.Tor.NetDoc;

/// <summary>An inclusive port range.</summary>
internal readonly record struct PortRange(ushort Low, ushort High);
