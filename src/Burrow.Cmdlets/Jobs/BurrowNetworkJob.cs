using System.ComponentModel;
using System.Management.Automation;
using Burrow.Core.Networks;
using Burrow.Core.Flows;
using Burrow.Core.Upstreams;
using Burrow.Tor.Client;

namespace Burrow.Cmdlets.Jobs;

/// <summary>
/// The background job that runs one network: a <see cref="Job2"/> (as PowerShell's ThreadJob is)
/// added to the session's job repository, so Get-Job, Receive-Job, Wait-Job, Stop-Job and Remove-Job
/// work. It owns its stream collections (enumerators never block, so reading a live job returns what
/// is there), reports <see cref="HasMoreData"/> from their counts, and moves between states only
/// through <see cref="Job2"/>'s SetJobState. The streams carry the network's log and bootstrap
/// progress; each is capped so a long-running network that nobody receives from does not grow without bound.
/// </summary>
public sealed class BurrowNetworkJob : Job2
{
    public const string JobTypeName = "BurrowTorNetwork";
    internal const int StreamCap = 2000;
    private const int ProgressActivityId = 0x7e;
    private const string NotSuspendable = "a Burrow network job cannot be suspended, resumed or unblocked; stop it with Stop-Job or Stop-BurrowTorNetwork";

    private readonly IDisposable _loggerFactory;
    private readonly object _stateGate = new();
    // Cancelled by a stop: a bootstrap in progress ends at once instead of failing on a disposed client.
    private readonly CancellationTokenSource _stopping = new();
    private int _started;
    private int _stopRequested;

    internal BurrowNetworkJob(BurrowNetwork network, string command, IDisposable loggerFactory) : base(command, network.Name)
    {
        Network = network;
        _loggerFactory = loggerFactory;
        PSJobTypeName = JobTypeName;
        Output = NewStream<PSObject>();
        Error = NewStream<ErrorRecord>();
        Warning = NewStream<WarningRecord>();
        Verbose = NewStream<VerboseRecord>();
        Debug = NewStream<DebugRecord>();
        Progress = NewStream<ProgressRecord>();
        Information = NewStream<InformationRecord>();
    }

    /// <summary>The network this job runs.</summary>
    public BurrowNetwork Network { get; }

    /// <summary>Raised for each <see cref="BurrowEvent"/> (bootstrap done, circuit built or failed, flow opened or closed),
    /// on a background thread: subscribe with Register-ObjectEvent -InputObject $job -EventName NetworkEvent.
    /// The same events are the job's Information records.</summary>
    public event EventHandler<BurrowEvent>? NetworkEvent;

    public override string Location => Environment.MachineName;

    public override string StatusMessage => Network.State switch
    {
        BurrowNetworkState.Failed => "failed: " + Network.Error,
        BurrowNetworkState.Running => $"listening on {Network.ListenEndPoint}, {Network.Flows.LiveCount} live flows",
        var s => s.ToString().ToLowerInvariant(),
    };

    public override bool HasMoreData =>
        Output.Count > 0 || Error.Count > 0 || Warning.Count > 0 || Verbose.Count > 0 || Debug.Count > 0 || Progress.Count > 0 || Information.Count > 0;

    /// <summary>Starts the network in the background; the job is Running at once and follows the network's fate.</summary>
    public override void StartJob()
    {
        if (Interlocked.Exchange(ref _started, 1) != 0)
            throw new InvalidOperationException($"the job for network '{Name}' has already been started");
        SetJobState(JobState.Running);
        _ = Task.Run(RunAsync);
    }

    public override void StartJobAsync()
    {
        StartJob();
        OnStartJobCompleted(new AsyncCompletedEventArgs(null, false, null));
    }

    private async Task RunAsync()
    {
        var progress = new BootstrapProgress(this);
        Subscribe();
        try
        {
            await Network.StartAsync(progress, _stopping.Token).ConfigureAwait(false);
            AddProgress(new ProgressRecord(ProgressActivityId, "Bootstrapping Tor", "done") { PercentComplete = 100, RecordType = ProgressRecordType.Completed });
            Raise(BurrowEventKind.BootstrapDone, $"ready: listening on {Network.ListenEndPoint} (upstream {Network.Upstream})", Network.TorClient?.GetStatus());
        }
        catch (Exception) when (Volatile.Read(ref _stopRequested) != 0)
        {
            // Stop-Job or Ctrl+C during bootstrap: what the start threw is the stop's consequence, not a failure.
            AddProgress(new ProgressRecord(ProgressActivityId, "Bootstrapping Tor", "stopped") { RecordType = ProgressRecordType.Completed });
            await Network.Completion.ConfigureAwait(false);
            Finish(JobState.Stopped, null);
            return;
        }
        catch (Exception e)
        {
            AddProgress(new ProgressRecord(ProgressActivityId, "Bootstrapping Tor", "failed") { RecordType = ProgressRecordType.Completed });
            // The reason travels in JobStateInfo.Reason: Receive-Job and Wait-Job report it from there.
            Finish(JobState.Failed, e);
            return;
        }
        await Network.Completion.ConfigureAwait(false);
        Finish(Network.State == BurrowNetworkState.Failed ? JobState.Failed : JobState.Stopped, null);
    }

    /// <summary>Stop-Job, Stop-BurrowTorNetwork: stops the network; returns when it has stopped.</summary>
    public override void StopJob()
    {
        BeginStopping();
        // The Cmdlet API is synchronous; stopping is bounded (the network gives flows 10 s at most).
        Network.StopAsync().GetAwaiter().GetResult();
        Finish(JobState.Stopped, null);
    }

    public override void StopJob(bool force, string reason) => StopJob();

    /// <summary>Stop-Job and Remove-Job -Force on a Job2 call this and wait for StopJobCompleted.</summary>
    public override void StopJobAsync()
    {
        BeginStopping();
        _ = Task.Run(async () =>
        {
            Exception? error = null;
            try { await Network.StopAsync().ConfigureAwait(false); }
            catch (Exception e) { error = e; }
            Finish(JobState.Stopped, null);
            OnStopJobCompleted(new AsyncCompletedEventArgs(error, false, null));
        });
    }

    public override void StopJobAsync(bool force, string reason) => StopJobAsync();

    public override void SuspendJob() => throw new NotSupportedException(NotSuspendable);
    public override void SuspendJobAsync() => throw new NotSupportedException(NotSuspendable);
    public override void SuspendJob(bool force, string reason) => throw new NotSupportedException(NotSuspendable);
    public override void SuspendJobAsync(bool force, string reason) => throw new NotSupportedException(NotSuspendable);
    public override void ResumeJob() => throw new NotSupportedException(NotSuspendable);
    public override void ResumeJobAsync() => throw new NotSupportedException(NotSuspendable);
    public override void UnblockJob() => throw new NotSupportedException(NotSuspendable);
    public override void UnblockJobAsync() => throw new NotSupportedException(NotSuspendable);

    private void BeginStopping()
    {
        if (Interlocked.Exchange(ref _stopRequested, 1) != 0)
            return;
        try { _stopping.Cancel(); }
        catch (ObjectDisposedException) { }
        lock (_stateGate)
        {
            if (!IsFinishedState(JobStateInfo.State))
                SetJobState(JobState.Stopping);
        }
    }

    /// <summary>The one move to a finished state: whichever of the run loop and a stop gets here first decides.</summary>
    private void Finish(JobState state, Exception? reason)
    {
        lock (_stateGate)
        {
            if (IsFinishedState(JobStateInfo.State))
                return;
            SetJobState(state, reason);
        }
    }

    private void Subscribe()
    {
        Network.Flows.FlowOpened += OnFlowOpened;
        Network.Flows.FlowClosed += OnFlowClosed;
        if (Network.TorClient is { } client)
        {
            client.CircuitBuilt += OnCircuitBuilt;
            client.CircuitFailed += OnCircuitFailed;
        }
    }

    private void Unsubscribe()
    {
        Network.Flows.FlowOpened -= OnFlowOpened;
        Network.Flows.FlowClosed -= OnFlowClosed;
        if (Network.TorClient is { } client)
        {
            client.CircuitBuilt -= OnCircuitBuilt;
            client.CircuitFailed -= OnCircuitFailed;
        }
    }

    private void OnFlowOpened(object? sender, FlowInfo flow) =>
        Raise(BurrowEventKind.FlowOpened, $"flow {flow.Id} opened" + (flow.CircuitId is { } c ? $" on circuit {c}" : "") + (flow.Circuit is { } exit ? $" via {exit}" : ""), flow);

    private void OnFlowClosed(object? sender, FlowInfo flow) =>
        Raise(BurrowEventKind.FlowClosed, $"flow {flow.Id} {flow.State.ToString().ToLowerInvariant()}: {flow.EndReason}", flow);

    private void OnCircuitBuilt(object? sender, TorCircuitInfo circuit) =>
        Raise(BurrowEventKind.CircuitBuilt, $"circuit {circuit.Id} built: {circuit.Path}", circuit);

    private void OnCircuitFailed(object? sender, TorCircuitFailure failure) =>
        Raise(BurrowEventKind.CircuitFailed, failure.ToString(), failure);

    private void Raise(BurrowEventKind kind, string message, object? data)
    {
        var e = new BurrowEvent(kind, Network.Name, message, data);
        AddCapped(Information, new InformationRecord(e, Network.Name) { Tags = { "Burrow", "BurrowEvent", kind.ToString() } });
        try { NetworkEvent?.Invoke(this, e); }
        catch (Exception) { /* a subscriber's failure must not reach the network */ }
    }

    internal static bool IsFinishedState(JobState state)
        => state is JobState.Completed or JobState.Failed or JobState.Stopped;

    internal void AddDebug(DebugRecord r) => AddCapped(Debug, r);
    internal void AddVerbose(VerboseRecord r) => AddCapped(Verbose, r);
    internal void AddWarning(WarningRecord r) => AddCapped(Warning, r);
    internal void AddError(ErrorRecord r) => AddCapped(Error, r);
    internal void AddProgress(ProgressRecord r) => AddCapped(Progress, r);

    private static PSDataCollection<T> NewStream<T>() => new() { EnumeratorNeverBlocks = true };

    private static void AddCapped<T>(PSDataCollection<T> collection, T item)
    {
        try
        {
            collection.Add(item);
            while (collection.Count > StreamCap)
                collection.RemoveAt(0);
        }
        catch (InvalidOperationException)
        {
            // The collection was closed (job removed): nothing to deliver to.
        }
        catch (ArgumentOutOfRangeException)
        {
            // Received concurrently: fine.
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            if (!IsFinishedState(JobStateInfo.State))
                Network.StopAsync().GetAwaiter().GetResult();
            Unsubscribe();
            _loggerFactory.Dispose();
            _stopping.Dispose();
        }
        base.Dispose(disposing);
    }

    // The phase's own text (e.g. "loading microdescriptors 62%") is the status; the overall percent is
    // the bar's PercentComplete, not appended to the text again.
    private sealed class BootstrapProgress(BurrowNetworkJob job) : IProgress<UpstreamProgress>
    {
        public void Report(UpstreamProgress value)
            => job.AddProgress(new ProgressRecord(ProgressActivityId, "Bootstrapping Tor", value.Phase)
            { PercentComplete = Math.Clamp(value.Percent, 0, 100) });
    }
}
