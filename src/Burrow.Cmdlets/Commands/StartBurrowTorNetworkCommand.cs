using System.Collections;
using System.Management.Automation;
using Burrow.Cmdlets.Jobs;
using Burrow.Cmdlets.Logging;
using Burrow.Core.Configuration;
using Burrow.Core.Networks;
using Microsoft.Extensions.Logging;

namespace Burrow.Cmdlets.Commands;

/// <summary>
/// <para type="synopsis">Starts a Burrow network: a transparent listener whose redirected TCP goes through Tor.</para>
/// </summary>
[Cmdlet(VerbsLifecycle.Start, "BurrowTorNetwork", SupportsShouldProcess = true, DefaultParameterSetName = DefaultSet)]
[OutputType(typeof(BurrowNetworkJob))]
public sealed class StartBurrowTorNetworkCommand : BurrowCmdlet
{
    private const string DefaultSet = "Default";
    private const string PathSet = "Path";
    private const string PayloadSet = "Payload";

    /// <summary>The network's name (also the job's name). Default: burrow.</summary>
    [Parameter(Position = 0)]
    [ValidateNotNullOrEmpty]
    [ValidatePattern(@"^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$")]
    public string Name { get; set; } = "burrow";

    /// <summary>A payload file: .json or .toml.</summary>
    [Parameter(Mandatory = true, ParameterSetName = PathSet)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = "";

    /// <summary>The payload itself: a JSON or TOML string, or a hashtable of the same shape.</summary>
    [Parameter(Mandatory = true, ParameterSetName = PayloadSet, ValueFromPipeline = true)]
    [ValidateNotNull]
    public object Payload { get; set; } = null!;

    /// <summary>Stay in the foreground: show bootstrap progress and the log until Ctrl+C, then stop the network.</summary>
    [Parameter]
    public SwitchParameter Wait { get; set; }

    protected override void ProcessCore()
    {
        var options = ReadPayload();
        if (BurrowNetworkRegistry.Find(Name) is { } running)
            throw new TerminatingException(new ErrorRecord(new InvalidOperationException(
                $"a Burrow network named '{Name}' is already running (listening on {running.ListenEndPoint}); stop it first or choose another -Name"),
                "NetworkAlreadyRunning", ErrorCategory.ResourceExists, Name));

        var target = $"{Name} (listen {options.TcpStack.Listen}, upstream {options.Upstream.Kind})";
        if (BurrowNetworkFactory.PreviewRedirectScript(Name, options) is { } script)
        {
            // The install is part of the start: -WhatIf shows the exact table, -Confirm asks for it.
            target += $", installing this nft ruleset (table inet {Burrow.Core.Redirect.NftTableName.For(Name)}, removed on stop or exit; ports as configured):\n{script}";
        }
        if (!ShouldProcess(target, "Start Burrow Tor network"))
            return;

        var logBridge = new JobLoggerProvider();
        var loggerFactory = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Debug).AddProvider(logBridge));
        BurrowNetwork network;
        try
        {
            network = BurrowNetworkFactory.Create(Name, options, loggerFactory);
        }
        catch (PlatformNotSupportedException e)
        {
            throw new TerminatingException(new ErrorRecord(e, "PlatformNotSupported", ErrorCategory.NotImplemented, Name));
        }
        catch (Burrow.Core.Recovery.MacOS.MacOSRecoveryException e)
        {
            throw new TerminatingException(new ErrorRecord(e, "RecoveryUnavailable", ErrorCategory.ResourceUnavailable, Name));
        }

        var job = new BurrowNetworkJob(network, MyInvocation.MyCommand.Name, loggerFactory);
        logBridge.Attach(job);
        JobRepository.Add(job);
        job.StartJob();

        if (Wait)
            RunInForeground(job);
        else
            WriteObject(job);
    }

    private BurrowOptions ReadPayload()
    {
        try
        {
            return ParameterSetName switch
            {
                PathSet => PayloadParser.ParseFile(GetUnresolvedProviderPathFromPSPath(Path)),
                PayloadSet => (Payload is PSObject pso ? pso.BaseObject : Payload) switch
                {
                    string text => PayloadParser.Parse(text, SessionState.Path.CurrentFileSystemLocation.ProviderPath),
                    IDictionary tree => PayloadParser.Parse(tree, SessionState.Path.CurrentFileSystemLocation.ProviderPath, o => o is PSObject p ? p.BaseObject : o),
                    var other => throw new TerminatingException(new ErrorRecord(new ArgumentException(
                        $"-Payload: a {other.GetType().Name} is not a payload; accepted: a JSON or TOML string, or a hashtable"),
                        "PayloadTypeInvalid", ErrorCategory.InvalidArgument, other)),
                },
                _ => PayloadParser.Parse("{}", SessionState.Path.CurrentFileSystemLocation.ProviderPath),
            };
        }
        catch (PayloadException e) when (e.FileProblem is { } problem)
        {
            var category = problem switch
            {
                PayloadFileProblem.NotFound => ErrorCategory.ObjectNotFound,
                PayloadFileProblem.AccessDenied => ErrorCategory.PermissionDenied,
                PayloadFileProblem.IsDirectory or PayloadFileProblem.NotRegularFile or PayloadFileProblem.Binary => ErrorCategory.InvalidType,
                PayloadFileProblem.TooLarge => ErrorCategory.LimitsExceeded,
                _ => ErrorCategory.ReadError,
            };
            throw new TerminatingException(new ErrorRecord(e, "PayloadFileUnreadable", category, e.FilePath ?? Path));
        }
        catch (PayloadException e)
        {
            throw new TerminatingException(new ErrorRecord(e, "PayloadInvalid", ErrorCategory.InvalidArgument, e.KeyPath));
        }
        catch (IOException e)
        {
            throw new TerminatingException(new ErrorRecord(e, "PayloadFileUnreadable", ErrorCategory.ReadError, Path));
        }
        catch (UnauthorizedAccessException e)
        {
            throw new TerminatingException(new ErrorRecord(e, "PayloadFileUnreadable", ErrorCategory.PermissionDenied, Path));
        }
    }

    /// <summary>-Wait: relay the job's streams on this (the pipeline) thread until the network ends or Ctrl+C.</summary>
    private void RunInForeground(BurrowNetworkJob job)
    {
        try
        {
            while (!CancelToken.IsCancellationRequested)
            {
                var done = job.Network.Completion.Wait(TimeSpan.FromMilliseconds(200));
                Drain(job);
                if (done) break;
            }
        }
        finally
        {
            if (!BurrowNetworkJob.IsFinishedState(job.JobStateInfo.State))
            {
                job.StopJob();
            }
            Drain(job);
        }
        if (job.JobStateInfo.State == System.Management.Automation.JobState.Failed && job.JobStateInfo.Reason is { } reason)
            ThrowTerminatingError(new ErrorRecord(reason, "NetworkStartFailed", ErrorCategory.OpenError, job.Name));
    }

    private void Drain(BurrowNetworkJob job)
    {
        foreach (var r in job.Progress.ReadAll()) WriteProgress(r);
        foreach (var r in job.Verbose.ReadAll()) WriteVerbose(r.Message);
        foreach (var r in job.Warning.ReadAll()) WriteWarning(r.Message);
        foreach (var r in job.Debug.ReadAll()) WriteDebug(r.Message);
        foreach (var r in job.Error.ReadAll()) WriteError(r);
    }
}
