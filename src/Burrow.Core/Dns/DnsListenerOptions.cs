using System.Net;
using System.Net.Sockets;

namespace Burrow.Core.Dns;

/// <summary>Where the DNS listener listens and the bounds it keeps.</summary>
internal sealed record DnsListenerOptions
{
    /// <summary>UDP and TCP, each endpoint; port 0 picks a free port shared by UDP and TCP (on a later endpoint: the first one's port).</summary>
    public IReadOnlyList<IPEndPoint> Endpoints { get; init; } = [new(IPAddress.Loopback, 53), new(IPAddress.IPv6Loopback, 53)];

    /// <summary>TTL of an answer carrying a virtual address: short, so clients come back and refresh the mapping.</summary>
    public TimeSpan AutomapTtl { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Upstream TTLs are capped at this, so a changed exit answer is seen soon.</summary>
    public TimeSpan MaxAnswerTtl { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>How long one upstream lookup may take before the client gets SERVFAIL.</summary>
    public TimeSpan LookupTimeout { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>Upstream lookups in progress at once, over every client; beyond it: SERVFAIL at once.</summary>
    public int MaxConcurrentLookups { get; init; } = 64;

    /// <summary>TCP connections at once; beyond it new connections are closed at once.</summary>
    public int MaxTcpConnections { get; init; } = 32;

    /// <summary>Pipelined queries in progress on one TCP connection; beyond it the connection is not read (backpressure).</summary>
    public int MaxQueriesPerTcpConnection { get; init; } = 16;

    /// <summary>A TCP connection with no new query for this long is closed (RFC 7766 section 6.2.3).</summary>
    public TimeSpan TcpIdleTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Addresses per answer, at most.</summary>
    public int MaxAddressesPerAnswer { get; init; } = 16;

    /// <summary>
    /// Withhold upstream answers that are internal addresses (C tor's ClientDNSRejectInternalAddresses).
    /// Only a private test network, whose exits resolve to loopback, should turn this off.
    /// </summary>
    public bool RejectInternalAnswers { get; init; } = true;

    /// <summary>
    /// False until the onion-service client exists: .onion names are still automapped (so the connection
    /// reaches Burrow and its flow can say why it fails), and the answer carries an Extended DNS Error saying so.
    /// </summary>
    public bool OnionServicesSupported { get; init; }

    /// <summary>
    /// Makes the listener's sockets (address family, type, protocol). Invoke-BurrowCommand makes them on its
    /// namespace's thread, so they live in that network namespace. Null: plain sockets of this thread's namespace.
    /// </summary>
    public Func<AddressFamily, SocketType, ProtocolType, Socket>? SocketFactory { get; init; }

    internal void Validate()
    {
        if (Endpoints is null || Endpoints.Count == 0)
            throw new ArgumentException("the DNS listener needs at least one endpoint, e.g. 127.0.0.1:53");
        Positive(AutomapTtl, nameof(AutomapTtl));
        Positive(MaxAnswerTtl, nameof(MaxAnswerTtl));
        Positive(LookupTimeout, nameof(LookupTimeout));
        Positive(TcpIdleTimeout, nameof(TcpIdleTimeout));
        AtLeastOne(MaxConcurrentLookups, nameof(MaxConcurrentLookups));
        AtLeastOne(MaxTcpConnections, nameof(MaxTcpConnections));
        AtLeastOne(MaxQueriesPerTcpConnection, nameof(MaxQueriesPerTcpConnection));
        AtLeastOne(MaxAddressesPerAnswer, nameof(MaxAddressesPerAnswer));
    }

    private static void Positive(TimeSpan value, string name)
    {
        if (value <= TimeSpan.Zero || value.TotalSeconds > uint.MaxValue)
            throw new ArgumentException($"{name} must be a positive duration; got {value}");
    }

    private static void AtLeastOne(int value, string name)
    {
        if (value < 1)
            throw new ArgumentException($"{name} must be at least 1; got {value}");
    }
}
