using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Burrow.Core.Dns;
using Burrow.Core.Flows;
using Burrow.Core.Recovery.Linux;
using Burrow.Core.Redirect;
using Burrow.Core.Transparent;
using Burrow.Core.Upstreams;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Burrow.Core.Namespaces;

/// <summary>
/// The network namespace one Invoke-BurrowCommand invocation runs its command in, and whose only way out is Burrow:
/// loopback, a default route into a void, and Burrow's own fail-closed nft table (the same
/// <see cref="NftRuleset"/> a network installs) redirecting every TCP connection (IPv4 and IPv6) to a listener
/// bound inside the namespace and every DNS query to a DNS listener there (127.0.0.1:53, [::1]:53, which the
/// child's resolv.conf names); every other packet is dropped and counted. The listeners' connections go to
/// the running network's upstream from the host's namespace, so they cannot loop and need no exemption.
/// </summary>
/// <remarks>
/// Everything that must live in the namespace (the sockets, the nft context's netlink socket, the forked child)
/// is made on the <see cref="NamespaceThread"/>; the serving is ordinary async code on the host's threads.
/// Nothing is named (no /run/netns entry, no mount on the host): the namespace and its table end with the last
/// socket, the thread and the child, also when the process is killed.
/// </remarks>
internal sealed partial class CommandNamespace : IAsyncDisposable
{
    /// <summary>The namespace's resolver as the child sees it in /etc/resolv.conf.</summary>
    public const string ResolvConf = "# Burrow: this command's DNS goes to Burrow's DNS listener in its namespace, then through Tor\nnameserver 127.0.0.1\n";

    /// <summary>The mark of the table's first rule; nothing in the namespace carries it (Burrow's relay sockets are not in it).</summary>
    private const uint UnusedSocketMark = 0x4252434d;

    private const int MaxNames = 1_000;
    private const int MaxRecordedFlows = 10_000;
    private static readonly Lazy<bool> Warmed = new(WarmUp, LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly CommandNamespaceOptions _options;
    private readonly ILogger _logger;
    private readonly NamespaceThread _thread;
    private readonly ConnectionForwarder _forwarder;
    private readonly List<TransparentListener> _listeners = [];
    private readonly DnsListener _dns;
    private readonly List<FlowInfo> _flows = [];
    private readonly HashSet<string> _names = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<string> _nameOrder = [];
    private NftablesSession? _rules;
    private CommandNamespaceCounters _lastCounters = CommandNamespaceCounters.None;
    private int _disposed;

    private CommandNamespace(CommandNamespaceOptions options, NamespaceThread thread)
    {
        _options = options;
        _logger = options.Logger;
        _thread = thread;
        AddressMap = new VirtualAddressMap(options.AddressMap);
        Isolation = options.Isolation.WithScope(IsolationScope(options.Invocation));
        _forwarder = new ConnectionForwarder(options.Network, options.Connector, new SoOriginalDstResolver(), options.Flows, _logger,
            TimeProvider.System, AddressMap, Isolation, options.Invocation)
        {
            IdleTimeout = options.IdleTimeout,
            MaxFlows = options.MaxFlows,
        };
        var resolver = options.Connector as IDnsResolver ?? new UnavailableResolver($"{options.Connector.Description} cannot resolve names");
        _dns = new DnsListener(new DnsListenerOptions
        {
            Endpoints = [new IPEndPoint(IPAddress.Loopback, 53), new IPEndPoint(IPAddress.IPv6Loopback, 53)],
            SocketFactory = (family, type, protocol) => _thread.Invoke(() => new Socket(family, type, protocol), CancellationToken.None),
        }, AddressMap, resolver, (client, name) => Isolation.DnsKey(client.Address, name), _logger);
        _dns.QueryHandled += OnQuery;
        options.Flows.FlowClosed += OnFlowClosed;
    }

    public long Invocation => _options.Invocation;

    /// <summary>The isolation policy of the command's streams and lookups: the network's fields, scoped to this invocation.</summary>
    public IsolationPolicy Isolation { get; }

    /// <summary>The invocation's own virtual addresses (names the command looked up).</summary>
    public VirtualAddressMap AddressMap { get; }

    /// <summary>The table's name inside the namespace.</summary>
    public string? TableName => _rules?.TableName;

    /// <summary>The nft script installed in the namespace.</summary>
    public string? RedirectScript => _rules?.Script;

    /// <summary>The isolation scope of invocation <paramref name="invocation"/> (part of every isolation key it makes).</summary>
    public static string IsolationScope(long invocation) => "invocation=" + invocation.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// Makes the namespace and everything in it; on failure nothing is left. Blocks the caller (bounded) while the
    /// namespace's thread works. Throws <see cref="CommandNamespaceException"/>, <see cref="NftablesException"/> or
    /// <see cref="ListenerException"/> / <see cref="DnsListenerException"/>.
    /// </summary>
    public static async Task<CommandNamespace> CreateAsync(CommandNamespaceOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        _ = Warmed.Value;
        var thread = NamespaceThread.Start("burrow-ns-" + options.Invocation.ToString(System.Globalization.CultureInfo.InvariantCulture), ResolvConf, cancellationToken);
        var ns = new CommandNamespace(options, thread);
        try
        {
            await ns.StartAsync(cancellationToken).ConfigureAwait(false);
            return ns;
        }
        catch
        {
            await ns.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task StartAsync(CancellationToken cancellationToken)
    {
        Socket NewTcpSocket(AddressFamily family) => _thread.Invoke(() => new Socket(family, SocketType.Stream, ProtocolType.Tcp), cancellationToken);
        await _dns.StartAsync(cancellationToken).ConfigureAwait(false);
        // The kernel's REDIRECT sends a locally made IPv4 connection to 127.0.0.1 and an IPv6 one to ::1.
        var v4 = new TransparentListener(() => new IPEndPoint(IPAddress.Loopback, 0), _forwarder.Dispatch, _logger, socketFactory: NewTcpSocket);
        _listeners.Add(v4);
        await v4.StartAsync(null, cancellationToken).ConfigureAwait(false);
        var v6 = new TransparentListener(() => new IPEndPoint(IPAddress.IPv6Loopback, 0), _forwarder.Dispatch, _logger, dualMode: false, socketFactory: NewTcpSocket);
        _listeners.Add(v6);
        await v6.StartAsync(null, cancellationToken).ConfigureAwait(false);

        var plan = new RedirectPlan
        {
            Network = "cmd" + Invocation.ToString(System.Globalization.CultureInfo.InvariantCulture),
            Scope = RedirectScope.Host,
            Ipv6 = true,
            FailClosed = true,
            TcpPort = v4.EndPoint!.Port,
            TcpPortV6 = v6.EndPoint!.Port,
            DnsPort = 53,
            SocketMark = UnusedSocketMark,
        };
        // The nft context's netlink socket is made on the namespace's thread: the table is the namespace's,
        // owned by that socket (it goes with it). No logger there: a log sink may start tasks.
        _rules = _thread.Invoke(() => NftablesSession.Install(plan, NullLogger.Instance, cancellationToken), cancellationToken);
        LogCreated(Invocation, _options.Network, v4.EndPoint, v6.EndPoint);
    }

    /// <summary>Starts a child in the namespace (forked from its thread). The caller owns the process.</summary>
    public Process StartProcess(ProcessStartInfo startInfo, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(startInfo);
        return _thread.Invoke(() => Process.Start(startInfo) ?? throw new InvalidOperationException($"{startInfo.FileName} did not start"), cancellationToken);
    }

    /// <summary>The table's counters now; after the namespace is gone, the last ones read.</summary>
    public CommandNamespaceCounters ReadCounters()
    {
        if (_rules is not { } rules || Volatile.Read(ref _disposed) != 0)
            return _lastCounters;
        IReadOnlyDictionary<string, NftCounter> c;
        try { c = _thread.Invoke(rules.ReadCounters, CancellationToken.None); }
        catch (Exception e) when (e is ObjectDisposedException or NftablesException or CommandNamespaceException) { return _lastCounters; }
        long P(string name) => c.TryGetValue(name, out var v) ? v.Packets : 0;
        return _lastCounters = new CommandNamespaceCounters(
            P(NftCounterNames.RedirectedTcpV4) + P(NftCounterNames.RedirectedTcpV6),
            P(NftCounterNames.RedirectedDns),
            P(NftCounterNames.DroppedUdp),
            P(NftCounterNames.DroppedIcmp),
            P(NftCounterNames.DroppedTcp),
            P(NftCounterNames.DroppedOther) + P(NftCounterNames.DroppedIpv6),
            P(NftCounterNames.DroppedInvalid));
    }

    /// <summary>The command's flows that have ended (all of them once the namespace is disposed), by id.</summary>
    public IReadOnlyList<FlowInfo> Flows
    {
        get
        {
            lock (_flows)
                return [.. _flows.OrderBy(f => f.Id)];
        }
    }

    /// <summary>The names the command asked Burrow's DNS listener for, in first-asked order (at most 1,000).</summary>
    public IReadOnlyList<string> DnsNames
    {
        get
        {
            lock (_names)
                return [.. _nameOrder];
        }
    }

    private void OnFlowClosed(object? sender, FlowInfo flow)
    {
        if (flow.Invocation != Invocation)
            return;
        lock (_flows)
            if (_flows.Count < MaxRecordedFlows)
                _flows.Add(flow);
    }

    private void OnQuery(DnsQueryRecord record)
    {
        if (record.Name is not { Length: > 0 } name)
            return;
        name = name.TrimEnd('.');
        lock (_names)
            if (_names.Count < MaxNames && _names.Add(name))
                _nameOrder.Add(name);
    }

    /// <summary>Stops the listeners, ends the command's flows, removes the table and lets the namespace go.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.CompareExchange(ref _disposed, 0, 0) == 0)
            ReadCounters();
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        foreach (var listener in _listeners)
        {
            try { await listener.StopAsync().ConfigureAwait(false); }
            catch (Exception e) { LogStopError(Invocation, "listener: " + e.Message); }
        }
        try { await _forwarder.StopAsync().ConfigureAwait(false); }
        catch (Exception e) { LogStopError(Invocation, "forwarder: " + e.Message); }
        try { await _dns.DisposeAsync().ConfigureAwait(false); }
        catch (Exception e) { LogStopError(Invocation, "DNS listener: " + e.Message); }
        if (_rules is { } rules)
        {
            try { _thread.Invoke(() => { rules.Dispose(); return true; }, CancellationToken.None); }
            catch (Exception e) { LogStopError(Invocation, "rules: " + e.Message); rules.Dispose(); }
        }
        _options.Flows.FlowClosed -= OnFlowClosed;
        _dns.QueryHandled -= OnQuery;
        _thread.Dispose();
        LogRemoved(Invocation);
    }

    /// <summary>
    /// Makes the process's one-time machinery on a host thread before any namespace exists: the child-process
    /// signal handling (first Process.Start) and socket statics. Made first on a namespace's thread, a helper
    /// thread of them would live in that namespace for good.
    /// </summary>
    private static bool WarmUp()
    {
        using (new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp)) { }
        if (ExecutableSearch.Find("true") is { } tool)
        {
            using var p = Process.Start(new ProcessStartInfo(tool) { UseShellExecute = false });
            p?.WaitForExit(10_000);
        }
        return true;
    }

    [LoggerMessage(EventId = 700, Level = LogLevel.Information, Message = "Invocation {Invocation}: namespace ready (network {Network}, TCP listeners {V4} and {V6}, DNS 127.0.0.1:53 and [::1]:53, fail-closed table)")]
    private partial void LogCreated(long invocation, string network, IPEndPoint v4, IPEndPoint v6);

    [LoggerMessage(EventId = 701, Level = LogLevel.Information, Message = "Invocation {Invocation}: namespace removed")]
    private partial void LogRemoved(long invocation);

    [LoggerMessage(EventId = 702, Level = LogLevel.Warning, Message = "Invocation {Invocation}: error while removing the namespace: {Detail}")]
    private partial void LogStopError(long invocation, string detail);
}
