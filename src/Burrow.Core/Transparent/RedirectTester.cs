using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Burrow.Core.Networks;
using Burrow.Core.Recovery;

namespace Burrow.Core.Transparent;

/// <summary>
/// Proves that a connection from this host to a destination is redirected to a network's listener:
/// a probe socket is bound first (its source port registered with <see cref="ProbeRegistry"/>), then
/// connected; a listener that accepts it reports what it recovered and closes it without forwarding.
/// A missing redirect is a result with Redirected = false and the reason, never an exception.
/// </summary>
public static class RedirectTester
{
    /// <summary>TEST-NET-2 (RFC 5737): reserved for documentation, so an unredirected probe reaches nobody.</summary>
    public static readonly IPEndPoint DefaultDestination = new(IPAddress.Parse("198.51.100.7"), 443);

    public static async Task<RedirectTestResult> TestAsync(TorNetwork network, IPEndPoint destination, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        using var socket = new Socket(destination.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(destination.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0));
        using var probe = ProbeRegistry.Register(((IPEndPoint)socket.LocalEndPoint!).Port);
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
        var matches = recovery.Destination!.Equals(Normalize(destination));
        var text = matches
            ? $"probe seen by the listener in {elapsed.TotalMilliseconds:0} ms"
            : $"probe seen by the listener in {elapsed.TotalMilliseconds:0} ms, but it recovered {recovery.Destination} instead of {destination}";
        return new RedirectTestResult(network.Name, matches, destination, recovery.Destination, recovery.Method, text, elapsed);
    }

    private static IPEndPoint Normalize(IPEndPoint ep)
        => ep.Address.IsIPv4MappedToIPv6 ? new IPEndPoint(ep.Address.MapToIPv4(), ep.Port) : ep;
}
