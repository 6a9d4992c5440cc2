using System.Net;

namespace Burrow.Core.Configuration;

/// <summary>[tcp_stack]</summary>
public sealed class TcpStackSection
{
    public TcpStackKind Kind { get; init; } = TcpStackKind.System;
    public IPEndPoint Listen { get; init; } = IPEndPoint.Parse(BurrowOptions.DefaultListen);
}
