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

    /// <summary>IPv6 documentation prefix (RFC 3849), for the TcpIPv6 check.</summary>
    public static readonly IPEndPoint DefaultDestinationV6 = new(IPAddress.Parse("2001:db8::7"), 443);

    /// <summary>Where the FailClosed check sends its datagram (discard port of a documentation address).</summary>
    public static readonly IPEndPoint BlockedUdpDestination = new(IPAddress.Parse("198.51.100.7"), 9);

    public const string CheckTcpIPv4 = "TcpIPv4";
    public const string CheckTcpIPv6 = "TcpIPv6";
    public const string CheckDns = "Dns";
    public const string CheckFailClosed = "FailClosed";

    /// <summary>The checks that apply to a network: TCP IPv4 always; IPv6, DNS and fail-closed when its installed rules do them.</summary>
    public static IReadOnlyList<string> ApplicableChecks(BurrowNetwork network)
    {
        var checks = new List<string> { CheckTcpIPv4 };
        var redirect = network.Options.Redirect;
        if (redirect.Install && redirect.Ipv6)
            checks.Add(CheckTcpIPv6);
        if (network.Options.DnsListenerEnabled)
            checks.Add(CheckDns);
        if (redirect.Install && redirect.FailClosed)
            checks.Add(CheckFailClosed);
        return checks;
    }

    /// <summary>
    /// DNS captured: a fresh probe name is resolved through the system resolver (getaddrinfo, as any program
    /// would); it passes when the network's DNS listener answered it itself and nothing was looked up upstream.
    /// </summary>
    public static async Task<RedirectTestResult> TestDnsAsync(BurrowNetwork network, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        var name = $"p{Guid.NewGuid():N}.probe.burrow.invalid";
        var destination = new IPEndPoint(IPAddress.Any, 53);
        using var probe = network.RegisterDnsProbe(name);
        if (probe is null)
            return new RedirectTestResult(network.Name, false, destination, null, "DNS", "the network runs no DNS listener (set redirect.install or dns.enable)", watch.Elapsed, CheckDns);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        string? error = null;
        IPAddress[] answer = [];
        try { answer = await System.Net.Dns.GetHostAddressesAsync(name, AddressFamily.InterNetwork, cts.Token).ConfigureAwait(false); }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested) { error = $"no answer within {timeout.TotalSeconds:0.#} s"; }
        catch (SocketException e) { error = e.Message; }
        var seen = probe.Seen.IsCompleted;
        if (!seen)
            return new RedirectTestResult(network.Name, false, destination, null, "DNS",
                $"not captured: the system resolver's query for the probe name never reached Burrow's DNS listener ({error ?? "it was answered elsewhere"})", watch.Elapsed, CheckDns);
        var record = probe.Seen.Result;
        var observed = new IPEndPoint(record.Client.Address, 53);
        if (!answer.Contains(probe.AddressV4))
            return new RedirectTestResult(network.Name, false, destination, observed, "DNS",
                $"Burrow's DNS listener saw the probe, but the system resolver returned {(answer.Length == 0 ? error ?? "nothing" : string.Join(", ", answer.Select(a => a.ToString())))} instead of its answer {probe.AddressV4}", watch.Elapsed, CheckDns);
        return new RedirectTestResult(network.Name, true, destination, observed, "DNS",
            $"probe name answered by Burrow's DNS listener in {watch.Elapsed.TotalMilliseconds:0} ms, never forwarded", watch.Elapsed, CheckDns);
    }

    /// <summary>Fail closed: a datagram to a documentation address must be dropped by the table (its dropped_udp counter moves).</summary>
    public static async Task<RedirectTestResult> TestFailClosedAsync(BurrowNetwork network, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        var destination = BlockedUdpDestination;
        var before = network.ReadRedirectCounters();
        if (before is null || !before.TryGetValue(Redirect.NftCounterNames.DroppedUdp, out var b))
            return new RedirectTestResult(network.Name, false, destination, null, "nft counter", "the network has no fail-closed table installed (redirect.install and redirect.fail_closed)", watch.Elapsed, CheckFailClosed);
        string sendResult;
        using (var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp))
        {
            try
            {
                await socket.SendToAsync(new byte[] { 0x42 }, SocketFlags.None, destination, cancellationToken).ConfigureAwait(false);
                sendResult = "the datagram was sent";
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.AccessDenied)
            {
                sendResult = "the send was refused (EPERM)";
            }
            catch (SocketException e)
            {
                sendResult = "the send failed: " + e.Message;
            }
        }
        var after = network.ReadRedirectCounters();
        var moved = after is not null && after.TryGetValue(Redirect.NftCounterNames.DroppedUdp, out var a) && a.Packets > b.Packets;
        return moved
            ? new RedirectTestResult(network.Name, true, destination, null, "nft counter", $"UDP probe dropped by the table ({Redirect.NftCounterNames.DroppedUdp} moved; {sendResult})", watch.Elapsed, CheckFailClosed)
            : new RedirectTestResult(network.Name, false, destination, null, "nft counter", $"not dropped: {Redirect.NftCounterNames.DroppedUdp} did not move ({sendResult}), so other UDP can leave", watch.Elapsed, CheckFailClosed);
    }

    public static async Task<RedirectTestResult> TestAsync(BurrowNetwork network, IPEndPoint destination, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var result = await TestTcpAsync(network, destination, timeout, cancellationToken).ConfigureAwait(false);
        return destination.AddressFamily == AddressFamily.InterNetworkV6 && !destination.Address.IsIPv4MappedToIPv6 ? result with { Check = CheckTcpIPv6 } : result;
    }

    private static async Task<RedirectTestResult> TestTcpAsync(BurrowNetwork network, IPEndPoint destination, TimeSpan timeout, CancellationToken cancellationToken)
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
