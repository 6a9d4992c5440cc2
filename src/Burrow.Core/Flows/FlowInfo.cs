using System.Globalization;
using System.Net;
using Burrow.Core.Upstreams;

namespace Burrow.Core.Flows;

/// <summary>An immutable view of a flow at one moment: what Get-BurrowFlow returns.</summary>
/// <param name="Destination">The recovered original destination (null when recovery found none).</param>
/// <param name="Method">How the destination was recovered (SO_ORIGINAL_DST, DIOCNATLOOK, ...).</param>
/// <param name="Circuit">The Tor path that carries the flow, as far as the upstream knows it.</param>
/// <param name="EndKind">Why the flow ended (null while live); <paramref name="EndReason"/> says it in words.</param>
/// <param name="UpstreamError">The upstream's error kind when it could not connect.</param>
/// <param name="CircuitId">The in-process Tor client's number for the circuit (Get-BurrowCircuit -Id), or null.</param>
/// <param name="Hostname">When <paramref name="Destination"/> is a virtual address of the DNS listener: the name it
/// stands for, which the Tor stream was opened to (the exit resolved it).</param>
/// <param name="Invocation">The Invoke-BurrowCommand invocation whose command made the connection, or null.</param>
public sealed record FlowInfo(
    long Id,
    string Network,
    IPEndPoint Source,
    IPEndPoint? Destination,
    string? Method,
    FlowState State,
    long BytesUp,
    long BytesDown,
    DateTimeOffset Start,
    DateTimeOffset? End,
    TimeSpan Age,
    string? EndReason,
    string? Error,
    string? Circuit,
    FlowEndKind? EndKind = null,
    UpstreamErrorKind? UpstreamError = null,
    long? CircuitId = null,
    string? Hostname = null,
    long? Invocation = null)
{
    /// <summary>Where the flow went, as Get-BurrowFlow shows it: <c>www.example.com:443 (10.192.0.5)</c> for a
    /// name behind a virtual address, else the destination address.</summary>
    public string? Target => Hostname is { } name && Destination is { } d
        ? string.Create(CultureInfo.InvariantCulture, $"{name}:{d.Port} ({d.Address})")
        : Destination?.ToString();
}
