using System.Management.Automation;
using Burrow.Core.Networks;
using Burrow.Core.Upstreams;

namespace Burrow.Cmdlets.Jobs;

/// <summary>
/// The background job that runs one network. A plain <see cref="Job"/> added to the session's job
/// repository (like PowerShell's own PSTaskJob), so Get-Job, Receive-Job, Wait-Job, Stop-Job and
/// Remove-Job work. Its streams carry the network's log and bootstrap progress; each is capped so a
/// long-running network that nobody receives from does not grow without bound.
/// </summary>
public sealed class BurrowNetworkJob : Job
{
    public const string JobTypeName = "BurrowTorNetwork";
    internal const int StreamCap = 2000;
    private const int ProgressActivityId = 0x7e;
    private int _stopRequested;

    private readonly IDisposable _loggerFactory;

    internal BurrowNetworkJob(BurrowNetwork network, string command, IDisposable loggerFactory) : base(command, network.Name)
    {
        Network = network;
        _loggerFactory = loggerFactory;
        PSJobTypeName = JobTypeName;
    }

    /// <summary>The network this job runs.</summary>
    public BurrowNetwork Network { get; }

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
    internal void Start()
    {
        SetJobState(JobState.Running);
        _ = Task.Run(RunAsync);
    }

    private async Task RunAsync()
    {
        var progress = new BootstrapProgress(this);
        try
        {
            await Network.StartAsync(progress, CancellationToken.None).ConfigureAwait(false);
            AddProgress(new ProgressRecord(ProgressActivityId, "Bootstrapping Tor", "done") { PercentComplete = 100, RecordType = ProgressRecordType.Completed });
        }
        catch (Exception e)
        {
            AddProgress(new ProgressRecord(ProgressActivityId, "Bootstrapping Tor", "failed") { RecordType = ProgressRecordType.Completed });
            // The reason travels in JobStateInfo.Reason: Receive-Job and Wait-Job report it from there.
            SetFailed(e);
            return;
        }
        await Network.Completion.ConfigureAwait(false);
        SetJobState(Network.State == BurrowNetworkState.Failed ? JobState.Failed : JobState.Stopped);
    }

    /// <summary>Stop-Job: stops the network; returns when it has stopped.</summary>
    public override void StopJob()
    {
        if (Interlocked.Exchange(ref _stopRequested, 1) == 0 && !IsFinishedState(JobStateInfo.State))
            SetJobState(JobState.Stopping);
        // Cmdlet API is synchronous; stopping is bounded (the network gives flows 10 s at most).
        Network.StopAsync().GetAwaiter().GetResult();
        if (!IsFinishedState(JobStateInfo.State))
            SetJobState(JobState.Stopped);
    }

    // PowerShell's Job.SetJobState(JobState, Exception) (the overload that fills JobStateInfo.Reason)
    // is not in the PowerShellStandard reference assembly; it is in every PowerShell 7 runtime.
    private static readonly System.Reflection.MethodInfo? SetJobStateWithReason = typeof(Job).GetMethod("SetJobState",
        System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Public,
        null, [typeof(JobState), typeof(Exception)], null);

    private void SetFailed(Exception reason)
    {
        if (SetJobStateWithReason != null)
            SetJobStateWithReason.Invoke(this, [JobState.Failed, reason]);
        else
            SetJobState(JobState.Failed);
    }

    internal static bool IsFinishedState(JobState state)
        => state is JobState.Completed or JobState.Failed or JobState.Stopped;

    internal void AddDebug(DebugRecord r) => AddCapped(Debug, r);
    internal void AddVerbose(VerboseRecord r) => AddCapped(Verbose, r);
    internal void AddWarning(WarningRecord r) => AddCapped(Warning, r);
    internal void AddError(ErrorRecord r) => AddCapped(Error, r);
    internal void AddProgress(ProgressRecord r) => AddCapped(Progress, r);

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
            _loggerFactory.Dispose();
        }
        base.Dispose(disposing);
    }

    private sealed class BootstrapProgress(BurrowNetworkJob job) : IProgress<UpstreamProgress>
    {
        public void Report(UpstreamProgress value)
            => job.AddProgress(new ProgressRecord(ProgressActivityId, "Bootstrapping Tor", value.Phase + $" {value.Percent}%")
            { PercentComplete = Math.Clamp(value.Percent, 0, 100) });
    }
}
