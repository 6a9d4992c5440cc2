using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Burrow.Core.Net;
using Burrow.Core.Networks;
using Burrow.Core.Recovery;

namespace Burrow.Core.Transparent;

/// <summary>
/// Proves that a connection from this host to a destination is redirected to a network's listener:
/// a probe socket is bound first (its source address and port registered with <see cref="ProbeRegistry"/>), then
/// connected; a listener that accepts it reports what it recovered and closes it without forwarding.
/// A missing redirect is a result with Redirected = false and the reason, never an exception.
/// </summary>
public static class RedirectTester
{
    /// <summary>TEST-NET-2 (RFC 5737): reserved for documentation, so an unredirected probe reaches nobody.</summary>
    public static readonly IPEndPoint DefaultDestination = new(IPAddress.Parse("198.51.100.7"), 443);

    public static async Task<RedirectTestResult> TestAsync(BurrowNetwork network, IPEndPoint destination, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        using var socket = new Socket(destination.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(SourceAddressFor(destination), 0));
        using var probe = ProbeRegistry.Register((IPEndPoint)socket.LocalEndPoint!);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);

        string? connectError = null;
        try
        {
            await socket.ConnectAsync(destination, cts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            connectError = $"no answer within {timeout.TotalSeconds:0.#} s";
        }
        catch (SocketException e)
        {
            connectError = e.SocketErrorCode switch
            {
                SocketError.ConnectionRefused => "connection refused",
                SocketError.NetworkUnreachable => "network unreachable",
                SocketError.HostUnreachable => "host unreachable",
                _ => e.Message,
            };
        }

        ProbeObservation? seen = null;
        if (connectError == null)
        {
            // The kernel completes the handshake before the listener's accept() returns: wait for it.
            try { seen = await probe.Seen.WaitAsync(cts.Token).ConfigureAwait(false); }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested) { }
        }
        else if (probe.Seen.IsCompleted)
        {
            seen = probe.Seen.Result;
        }
        var elapsed = watch.Elapsed;

        if (seen == null)
        {
            var detail = connectError != null
                ? $"not redirected: connecting to {destination} failed ({connectError}) and no Burrow listener saw the probe"
                : $"not redirected: {destination} answered, but no Burrow listener saw the probe (something else accepted it)";
            return new RedirectTestResult(network.Name, false, destination, null, null, detail, elapsed);
        }
        var recovery = seen.Recovery;
        if (!string.Equals(seen.Network, network.Name, StringComparison.OrdinalIgnoreCase))
            return new RedirectTestResult(network.Name, false, destination, recovery.Destination, recovery.Method,
                $"the probe reached network '{seen.Network}' ({seen.Listener}), not '{network.Name}'", elapsed);
        if (recovery.Status != RecoveryStatus.Found)
            return new RedirectTestResult(network.Name, false, destination, null, recovery.Method,
                $"the probe reached the listener {seen.Listener} but was not redirected: {recovery.Reason}", elapsed);
        var matches = recovery.Destination!.Equals(EndPoints.Unmap(destination));
        var text = matches
            ? $"probe seen by the listener in {elapsed.TotalMilliseconds:0} ms"
            : $"probe seen by the listener in {elapsed.TotalMilliseconds:0} ms, but it recovered {recovery.Destination} instead of {destination}";
        return new RedirectTestResult(network.Name, matches, destination, recovery.Destination, recovery.Method, text, elapsed);
    }

    /// <summary>
    /// The source address this host would use for <paramref name="destination"/>: a connected UDP socket
    /// asks the routing table without sending anything. The probe binds to it so it is registered by its
    /// full source endpoint. Without a route the wildcard is returned; the probe's connect then fails
    /// (unreachable) and no listener can see it, which is the answer.
    /// </summary>
    private static IPAddress SourceAddressFor(IPEndPoint destination)
    {
        var any = destination.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any;
        try
        {
            using var route = new Socket(destination.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            route.Connect(destination);
            return route.LocalEndPoint is IPEndPoint local ? local.Address : any;
        }
        catch (SocketException)
        {
            return any;
        }
    }
}
