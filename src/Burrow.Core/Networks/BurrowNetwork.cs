using System.Net;
using Burrow.Core.Configuration;
using Burrow.Core.Dns;
using Burrow.Core.Flows;
using Burrow.Core.Recovery;
using Burrow.Core.Redirect;
using Burrow.Core.Transparent;
using Burrow.Core.Upstreams;
using Microsoft.Extensions.Logging;

namespace Burrow.Core.Networks;

/// <summary>
/// One running Burrow instance: its lifecycle (start, stop, state, registration by name) over the
/// parts <see cref="BurrowNetworkFactory.ComposeParts"/> lists (resolver, upstream, DNS listener, forwarder,
/// listeners, redirect rules), and the flows it has seen. Parts start in order; stopping, or a failed start, stops
/// them all in reverse. Connections are the <see cref="ConnectionForwarder"/>'s business.
/// </summary>
public sealed partial class BurrowNetwork : IAsyncDisposable
{
    private readonly ITorConnector _connector;
    private readonly IOriginalDestinationResolver _resolver;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly ConnectionForwarder _forwarder;
    private readonly TransparentListener _listener;
    private readonly IReadOnlyList<TransparentListener> _listeners;
    private readonly DnsPart? _dns;
    private readonly RulesPart? _rules;
    private readonly IReadOnlyList<INetworkPart> _parts;
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly object _gate = new();
    private Task? _stopTask;

    public BurrowNetwork(string name, BurrowOptions options, ITorConnector connector, IOriginalDestinationResolver resolver,
        ILoggerFactory loggerFactory, TimeProvider? time = null)
    {
        if (string.IsNullOrWhiteSpace(name))
            throw new ArgumentException("a network needs a name", nameof(name));
        Name = name;
        Options = options;
        _connector = connector;
        _resolver = resolver;
        _time = time ?? TimeProvider.System;
        _logger = loggerFactory.CreateLogger(LoggerCategory(name));
        Flows = new FlowTable(name, FlowTable.DefaultRecentCapacity, _time);
        AddressMap = BurrowNetworkFactory.CreateAddressMap(options, _time);
        _forwarder = new ConnectionForwarder(name, connector, resolver, Flows, _logger, _time, AddressMap, options.Isolate);
        _parts = BurrowNetworkFactory.ComposeParts(name, options, resolver, connector, _forwarder, AddressMap, _logger);
        _listeners = _parts.OfType<TransparentListener>().ToArray();
        _listener = _listeners[0];
        _dns = _parts.OfType<DnsPart>().SingleOrDefault();
        _rules = _parts.OfType<RulesPart>().SingleOrDefault();
    }

    internal static string LoggerCategory(string name) => "Burrow.Network." + name;

    public string Name { get; }
    public BurrowOptions Options { get; }
    public BurrowNetworkState State { get; private set; } = BurrowNetworkState.Starting;
    public DateTimeOffset? StartedAt { get; private set; }
    public DateTimeOffset? StoppedAt { get; private set; }
    public string? Error { get; private set; }
    public FlowTable Flows { get; }
    public string Upstream => _connector.Description;
    public string RecoveryMethod => _resolver.Method;

    /// <summary>The upstream the network's flows use (Invoke-BurrowCommand opens its streams through it too).</summary>
    internal ITorConnector Connector => _connector;

    /// <summary>The network's logger (an invocation's flows log where the network's do).</summary>
    internal ILogger Logger => _logger;

    /// <summary>The in-process Tor client carrying the flows; null for a SOCKS upstream (that Tor is not ours to show).</summary>
    public Burrow.Tor.Client.TorClient? TorClient => (_connector as InProcessTorConnector)?.Client;

    /// <summary>The address the listener is bound to (known once running).</summary>
    public IPEndPoint? ListenEndPoint => _listener.EndPoint;

    /// <summary>Every listener's bound address: tcp_stack.listen, and its IPv6 twin when redirect.ipv6 adds one.</summary>
    public IReadOnlyList<IPEndPoint> ListenEndPoints => _listeners.Select(l => l.EndPoint).OfType<IPEndPoint>().ToArray();

    /// <summary>Where the DNS listener listens (UDP and TCP); empty when it does not run.</summary>
    public IReadOnlyList<IPEndPoint> DnsEndPoints => _dns?.Endpoints ?? [];

    /// <summary>The nft table the network installed (<c>inet burrow_&lt;name&gt;</c>), while it is installed.</summary>
    public string? RedirectTable => _rules?.Session is { } s ? $"{NftRuleset.Family} {s.TableName}" : null;

    /// <summary>The nft script the network installed (with the bound ports), while it is installed.</summary>
    public string? RedirectScript => _rules?.Session?.Script;

    /// <summary>True when the installed table carries the owner flag (the kernel removes it with this process).</summary>
    public bool? RedirectOwned => _rules?.Session?.Owned;

    /// <summary>The installed plan (other networks check theirs against it).</summary>
    internal RedirectPlan? RedirectPlan => _rules?.Plan;

    /// <summary>The table's named counters (redirected_tcp_v4, dropped_udp, ...), or null when no table is installed.</summary>
    internal IReadOnlyDictionary<string, NftCounter>? ReadRedirectCounters()
    {
        try { return _rules?.Session?.ReadCounters(); }
        catch (ObjectDisposedException) { return null; }
    }

    /// <summary>The table as nft lists it, or null when none is installed.</summary>
    public string? ListRedirectRules()
    {
        try { return _rules?.Session?.List(); }
        catch (ObjectDisposedException) { return null; }
    }

    /// <summary>The DNS listener's counters, or null when it does not run.</summary>
    internal DnsCounters? DnsCounters => _dns?.Listener.Counters;

    /// <summary>The names the DNS listener handed virtual addresses to, or null when it does not run.</summary>
    internal VirtualAddressMap? AddressMap { get; }

    /// <summary>A name the DNS listener answers itself and reports (Test-BurrowRedirect's DNS check); null without a listener.</summary>
    internal DnsProbe? RegisterDnsProbe(string name) => _dns?.Listener.RegisterProbe(name);

    /// <summary>No byte in either direction for this long ends a flow.</summary>
    public TimeSpan IdleTimeout
    {
        get => _forwarder.IdleTimeout;
        init => _forwarder.IdleTimeout = value;
    }

    /// <summary>Connections beyond this many live flows are refused (memory stays bounded).</summary>
    public int MaxFlows
    {
        get => _forwarder.MaxFlows;
        init => _forwarder.MaxFlows = value;
    }

    /// <summary>Completes when the network is running (bootstrapped and listening); faults if it fails to start.</summary>
    public Task Ready => _ready.Task;

    /// <summary>Completes when the network has stopped (or failed).</summary>
    public Task Completion => _stopped.Task;

    /// <summary>Starts every part in order and registers the network. On failure nothing is left running.</summary>
    public async Task StartAsync(IProgress<UpstreamProgress>? progress, CancellationToken cancellationToken)
    {
        if (!BurrowNetworkRegistry.TryAdd(this))
            throw new InvalidOperationException($"a network named '{Name}' is already running; stop it first or choose another -Name");
        try
        {
            LogStarting(Name, _connector.Description);
            foreach (var part in _parts)
                await part.StartAsync(progress, cancellationToken).ConfigureAwait(false);
            lock (_gate)
            {
                StartedAt = _time.GetUtcNow();
                State = BurrowNetworkState.Running;
            }
            LogRunning(Name, _listener.EndPoint!, _resolver.Method);
            _ready.TrySetResult();
        }
        catch (Exception e)
        {
            // Stopped while starting (a stop, or the caller's cancellation): the start's error is the stop's doing.
            bool stopping;
            lock (_gate) stopping = _stopTask != null || cancellationToken.IsCancellationRequested;
            if (!stopping) Error = e.Message;
            _ready.TrySetException(e);
            _ = _ready.Task.Exception; // observed: callers that never wait must not see an unobserved fault
            await StopCoreAsync(stopping ? BurrowNetworkState.Stopped : BurrowNetworkState.Failed).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Stops accepting, ends every flow, closes the upstream. Safe to call more than once.</summary>
    public Task StopAsync() => StopCoreAsync(BurrowNetworkState.Stopped);

    private Task StopCoreAsync(BurrowNetworkState final)
    {
        lock (_gate)
        {
            _stopTask ??= StopOnceAsync(final);
            return _stopTask;
        }
    }

    private async Task StopOnceAsync(BurrowNetworkState final)
    {
        var wasRunning = State == BurrowNetworkState.Running;
        State = BurrowNetworkState.Stopping;
        if (wasRunning) LogStopping(Name);
        try
        {
            // Every part, in reverse: one that fails to stop must not keep the others running.
            for (var i = _parts.Count - 1; i >= 0; i--)
            {
                try { await _parts[i].StopAsync().ConfigureAwait(false); }
                catch (Exception e) { LogStopError(Name, $"{_parts[i].Name}: {e.Message}"); }
            }
        }
        finally
        {
            BurrowNetworkRegistry.Remove(this);
            StoppedAt = _time.GetUtcNow();
            State = final;
            _ready.TrySetException(new InvalidOperationException($"network '{Name}' stopped"));
            _ = _ready.Task.Exception;
            if (wasRunning) LogStopped(Name, Flows.TotalStarted);
            _stopped.TrySetResult();
        }
    }

    public ValueTask DisposeAsync() => new(StopAsync());

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Network {Name}: starting (upstream {Upstream})")]
    private partial void LogStarting(string name, string upstream);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Network {Name}: listening on {Listen}, recovering destinations with {Method}")]
    private partial void LogRunning(string name, IPEndPoint listen, string method);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "Network {Name}: stopping")]
    private partial void LogStopping(string name);

    [LoggerMessage(EventId = 4, Level = LogLevel.Information, Message = "Network {Name}: stopped after {Flows} flows")]
    private partial void LogStopped(string name, long flows);

    [LoggerMessage(EventId = 5, Level = LogLevel.Warning, Message = "Network {Name}: error while stopping: {Detail}")]
    private partial void LogStopError(string name, string detail);
}
