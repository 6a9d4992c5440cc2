using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Burrow.Core.Configuration;
using Burrow.Core.Flows;
using Burrow.Core.Recovery;
using Burrow.Core.Transparent;
using Burrow.Core.Upstreams;
using Microsoft.Extensions.Logging;

namespace Burrow.Core.Networks;

/// <summary>
/// One Burrow network: a transparent listener whose redirected connections are forwarded through
/// an upstream Tor connector, with the flows it has seen. Registered by name while it runs.
/// </summary>
public sealed partial class TorNetwork : IAsyncDisposable
{
    private readonly ITorConnector _connector;
    private readonly IOriginalDestinationResolver _resolver;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<long, Task> _connections = new();
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly object _gate = new();
    private TransparentListener? _listener;
    private long _connectionSeq;
    private int _active;
    private Task? _stopTask;

    public TorNetwork(string name, TorNetworkOptions options, ITorConnector connector, IOriginalDestinationResolver resolver,
        ILoggerFactory loggerFactory, TimeProvider? time = null)
    {
        if (string.IsNullOrWhiteSpace(name))
            throw new ArgumentException("a network needs a name", nameof(name));
        Name = name;
        Options = options;
        _connector = connector;
        _resolver = resolver;
        _time = time ?? TimeProvider.System;
        _logger = loggerFactory.CreateLogger("Burrow.Network." + name);
        Flows = new FlowTable(name, FlowTable.DefaultRecentCapacity, _time);
    }

    /// <summary>Builds a network for this OS from validated options: the OS's resolver and the configured upstream.</summary>
    public static TorNetwork Create(string name, TorNetworkOptions options, ILoggerFactory loggerFactory)
    {
        var logger = loggerFactory.CreateLogger("Burrow.Network." + name);
        var resolver = OriginalDestinationResolvers.Create(options, logger);
        ITorConnector connector = options.Upstream.Kind switch
        {
            UpstreamKind.Socks5 => new Socks5Connector(options.Upstream.Socks5Address!),
            UpstreamKind.InProcess => new InProcessTorConnector(new Burrow.Tor.Client.TorClientOptions
            {
                StateDir = options.Arti.StateDir,
                CacheDir = options.Arti.CacheDir,
                Authorities = options.Arti.Authorities,
                FallbackCaches = options.Arti.FallbackCaches,
                Ipv4SubnetFamilyPrefix = options.Arti.Ipv4SubnetFamilyPrefix,
                Ipv6SubnetFamilyPrefix = options.Arti.Ipv6SubnetFamilyPrefix,
            }, loggerFactory),
            _ => throw new ArgumentOutOfRangeException(nameof(options), options.Upstream.Kind, "upstream.kind: not a known kind"),
        };
        return new TorNetwork(name, options, connector, resolver, loggerFactory);
    }

    public string Name { get; }
    public TorNetworkOptions Options { get; }
    public NetworkState State { get; private set; } = NetworkState.Starting;
    public DateTimeOffset? StartedAt { get; private set; }
    public DateTimeOffset? StoppedAt { get; private set; }
    public string? Error { get; private set; }
    public FlowTable Flows { get; }
    public string Upstream => _connector.Description;
    public string RecoveryMethod => _resolver.Method;

    /// <summary>The address the listener is bound to (known once running).</summary>
    public IPEndPoint? ListenEndPoint => _listener?.EndPoint;

    /// <summary>No byte in either direction for this long ends a flow.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Connections beyond this many live flows are refused (memory stays bounded).</summary>
    public int MaxFlows { get; init; } = 10_000;

    /// <summary>Completes when the network is running (bootstrapped and listening); faults if it fails to start.</summary>
    public Task Ready => _ready.Task;

    /// <summary>Completes when the network has stopped (or failed).</summary>
    public Task Completion => _stopped.Task;

    /// <summary>Starts the upstream and the listener and registers the network. On failure nothing is left running.</summary>
    public async Task StartAsync(IProgress<UpstreamProgress>? progress, CancellationToken cancellationToken)
    {
        if (!NetworkRegistry.TryAdd(this))
            throw new InvalidOperationException($"a network named '{Name}' is already running; stop it first or choose another -Name");
        try
        {
            LogStarting(Name, _connector.Description);
            await _connector.StartAsync(progress, cancellationToken).ConfigureAwait(false);
            _listener = TransparentListener.Start(Options.TcpStack.Listen, HandleAcceptedAsync, _logger);
            lock (_gate)
            {
                StartedAt = _time.GetUtcNow();
                State = NetworkState.Running;
            }
            LogRunning(Name, _listener.EndPoint, _resolver.Method);
            _ready.TrySetResult();
        }
        catch (Exception e)
        {
            Error = e.Message;
            _ready.TrySetException(e);
            _ = _ready.Task.Exception; // observed: callers that never wait must not see an unobserved fault
            await StopCoreAsync(NetworkState.Failed).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Stops accepting, ends every flow, closes the upstream. Safe to call more than once.</summary>
    public Task StopAsync() => StopCoreAsync(NetworkState.Stopped);

    private Task StopCoreAsync(NetworkState final)
    {
        lock (_gate)
        {
            _stopTask ??= StopOnceAsync(final);
            return _stopTask;
        }
    }

    private async Task StopOnceAsync(NetworkState final)
    {
        var wasRunning = State == NetworkState.Running;
        State = NetworkState.Stopping;
        if (wasRunning) LogStopping(Name);
        try
        {
            if (_listener != null)
                await _listener.DisposeAsync().ConfigureAwait(false);
            _stopping.Cancel();
            var pending = _connections.Values.ToArray();
            if (pending.Length > 0)
                await Task.WhenAny(Task.WhenAll(pending), Task.Delay(TimeSpan.FromSeconds(10))).ConfigureAwait(false);
            foreach (var flow in Flows.Live)
                Flows.End(flow, FlowState.Closed, "network stopped");
            await _connector.DisposeAsync().ConfigureAwait(false);
            // Some resolvers own devices and readers (macOS: /dev/pf, a BPF device, the pflog0 reader).
            if (_resolver is IAsyncDisposable disposable)
                await disposable.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception e)
        {
            LogStopError(Name, e.Message);
        }
        finally
        {
            NetworkRegistry.Remove(this);
            StoppedAt = _time.GetUtcNow();
            State = final;
            _ready.TrySetException(new InvalidOperationException($"network '{Name}' stopped"));
            _ = _ready.Task.Exception;
            if (wasRunning) LogStopped(Name, Flows.TotalStarted);
            _stopped.TrySetResult();
        }
    }

    private Task HandleAcceptedAsync(Socket client)
    {
        var id = Interlocked.Increment(ref _connectionSeq);
        var task = Task.Run(() => HandleConnectionAsync(client));
        _connections[id] = task;
        _ = task.ContinueWith(_ => _connections.TryRemove(id, out var _), TaskScheduler.Default);
        return task;
    }

    private async Task HandleConnectionAsync(Socket client)
    {
        var ct = _stopping.Token;
        var source = NormalizeSource(client.RemoteEndPoint);
        var listener = (IPEndPoint)client.LocalEndPoint!;
        RecoveryResult recovery;
        try
        {
            recovery = await _resolver.ResolveAsync(client, ct).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            recovery = RecoveryResult.Failed(_resolver.Method, e.Message);
        }

        if (ProbeRegistry.TryObserve(source, Name, listener, recovery))
        {
            // Test-BurrowRedirect's probe: seen, answered by closing, never forwarded.
            client.Dispose();
            return;
        }

        var flow = Flows.Add(source);
        flow.SetDestination(recovery.Destination, recovery.Method);
        if (recovery.Status != RecoveryStatus.Found)
        {
            LogRefused(flow.Id, recovery.Reason ?? recovery.Status.ToString());
            Reset(client);
            Flows.End(flow, FlowState.Refused, recovery.Status == RecoveryStatus.NotRedirected ? "not redirected" : "recovery failed", recovery.Reason);
            return;
        }
        var destination = recovery.Destination!;
        if (Interlocked.Increment(ref _active) > MaxFlows)
        {
            Interlocked.Decrement(ref _active);
            Reset(client);
            Flows.End(flow, FlowState.Refused, "too many flows", $"the network already carries {MaxFlows} flows");
            return;
        }
        try
        {
            client.NoDelay = true;
            LogConnecting(flow.Id, destination);
            UpstreamConnection upstream;
            try
            {
                upstream = await _connector.ConnectAsync(destination, source.Address.ToString(), ct).ConfigureAwait(false);
            }
            catch (UpstreamException e)
            {
                LogUpstreamFailed(flow.Id, e.Kind, e.Message);
                Reset(client);
                Flows.End(flow, FlowState.Failed, "upstream " + e.Kind, e.Message);
                return;
            }
            catch (OperationCanceledException)
            {
                Reset(client);
                Flows.End(flow, FlowState.Closed, "network stopped");
                return;
            }
            await using (upstream.ConfigureAwait(false))
            {
                flow.SetCircuit(upstream.Circuit);
                flow.MarkOpen();
                var result = await DuplexCopy.RunAsync(client, upstream, flow, IdleTimeout, _time, ct).ConfigureAwait(false);
                switch (result.Outcome)
                {
                    case CopyOutcome.Completed:
                        client.Dispose();
                        Flows.End(flow, FlowState.Closed, result.Detail);
                        break;
                    case CopyOutcome.ClientError:
                    case CopyOutcome.UpstreamError:
                        upstream.Abort();
                        Reset(client);
                        Flows.End(flow, FlowState.Closed, result.Outcome == CopyOutcome.ClientError ? "client error" : "upstream error", result.Detail);
                        break;
                    default:
                        upstream.Abort();
                        Reset(client);
                        Flows.End(flow, FlowState.Closed, result.Detail);
                        break;
                }
                LogClosed(flow.Id, flow.BytesUp, flow.BytesDown, result.Detail);
            }
        }
        catch (Exception e)
        {
            // Never let one connection take the network down.
            Reset(client);
            Flows.End(flow, FlowState.Failed, "internal error", e.Message);
            LogInternalError(flow.Id, e.ToString());
        }
        finally
        {
            Interlocked.Decrement(ref _active);
        }
    }

    private static IPEndPoint NormalizeSource(EndPoint? ep)
        => ep is IPEndPoint ip ? Recovery.Linux.SoOriginalDstResolver.Normalize(ip) : new IPEndPoint(IPAddress.None, 0);

    /// <summary>Closes with RST so the client sees a failed connection, not a clean empty answer.</summary>
    private static void Reset(Socket socket)
    {
        try { socket.LingerState = new LingerOption(true, 0); }
        catch (Exception e) when (e is SocketException or ObjectDisposedException) { }
        socket.Dispose();
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

    [LoggerMessage(EventId = 10, Level = LogLevel.Warning, Message = "Flow {Id}: refused, never forwarded: {Reason}")]
    private partial void LogRefused(long id, string reason);

    // Destinations are user activity: Debug only.
    [LoggerMessage(EventId = 11, Level = LogLevel.Debug, Message = "Flow {Id}: connecting to {Destination}")]
    private partial void LogConnecting(long id, IPEndPoint destination);

    [LoggerMessage(EventId = 12, Level = LogLevel.Warning, Message = "Flow {Id}: the upstream could not connect ({Kind}); client reset")]
    private partial void LogUpstreamFailedCore(long id, UpstreamErrorKind kind);

    private void LogUpstreamFailed(long id, UpstreamErrorKind kind, string detail)
    {
        LogUpstreamFailedCore(id, kind);
        LogUpstreamDetail(id, detail);
    }

    [LoggerMessage(EventId = 13, Level = LogLevel.Debug, Message = "Flow {Id}: upstream said: {Detail}")]
    private partial void LogUpstreamDetail(long id, string detail);

    [LoggerMessage(EventId = 14, Level = LogLevel.Debug, Message = "Flow {Id}: closed, {Up} bytes up, {Down} bytes down ({Detail})")]
    private partial void LogClosed(long id, long up, long down, string detail);

    [LoggerMessage(EventId = 15, Level = LogLevel.Error, Message = "Flow {Id}: internal error: {Detail}")]
    private partial void LogInternalError(long id, string detail);
}
