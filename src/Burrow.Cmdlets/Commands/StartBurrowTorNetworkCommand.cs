using System.Collections;
using System.Management.Automation;
using Burrow.Cmdlets.Jobs;
using Burrow.Cmdlets.Logging;
using Burrow.Cmdlets.Validation;
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
    [ValidateNetworkName]
    public string Name { get; set; } = "burrow";

    /// <summary>A payload file: .json or .toml.</summary>
    [Parameter(Mandatory = true, Position = 1, ParameterSetName = PathSet)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = "";

    /// <summary>The payload itself: a JSON or TOML string, or a hashtable of the same shape.</summary>
    [Parameter(Mandatory = true, ParameterSetName = PayloadSet, ValueFromPipeline = true)]
    [ValidateNotNull]
    public object Payload { get; set; } = null!;

    /// <summary>Stay in the foreground: show bootstrap progress and the log until Ctrl+C, then stop the network.</summary>
    [Parameter]
    public SwitchParameter Wait { get; set; }

    // Piped payload pieces: Get-Content without -Raw sends one line at a time; they make one payload.
    private readonly List<object> _pieces = [];

    /// <summary>Collects -Payload (each piped object); the network starts in EndProcessing, once.</summary>
    protected override void ProcessCore()
    {
        if (ParameterSetName == PayloadSet && Payload != null)
        {
            if (_pieces.Count >= MaxPieces)
                throw new TerminatingException(new ErrorRecord(new ArgumentException(
                    $"-Payload: more than {MaxPieces} objects were piped; a payload is one JSON or TOML text (Get-Content -Raw) or one hashtable"),
                    "PayloadTypeInvalid", ErrorCategory.LimitsExceeded, null));
            _pieces.Add(Payload is PSObject pso ? pso.BaseObject : Payload);
        }
    }

    // Lines of a 1 MiB payload file; more pieces than this is not a payload.
    private const int MaxPieces = 100_000;

    protected override void EndProcessing()
    {
        try { StartNetwork(); }
        catch (TerminatingException e) { ThrowTerminatingError(e.Record); }
    }

    private void StartNetwork()
    {
        var options = ReadPayload();
        if (BurrowNetworkRegistry.Find(Name) is { } running)
            throw new TerminatingException(new ErrorRecord(new InvalidOperationException(
                $"a Burrow network named '{Name}' is already running (listening on {running.ListenEndPoint}); stop it first or choose another -Name"),
                "NetworkAlreadyRunning", ErrorCategory.ResourceExists, Name));

        // Said before -WhatIf's line too: an empty payload quietly meaning the public network surprised users.
        var torNetwork = PayloadDescription.TorNetwork(options);
        var joining = $"Network {Name} joins {torNetwork}" +
            (options.Upstream.Kind == Core.Configuration.UpstreamKind.InProcess && options.Arti.Authorities.Count == 0
                ? " (the payload names no authorities under [arti.tor_network])." : ".");
        WriteVerbose(joining);
        var target = $"{Name} (listen {options.TcpStack.Listen}, upstream {PayloadDescription.Upstream(options)}, joining {torNetwork})";
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
        job.AddVerbose(new VerboseRecord(joining));
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
                PayloadSet => JoinPieces() switch
                {
                    null => PayloadParser.Parse("{}", SessionState.Path.CurrentFileSystemLocation.ProviderPath),
                    string text => PayloadParser.Parse(text, SessionState.Path.CurrentFileSystemLocation.ProviderPath),
                    IDictionary tree => PayloadParser.Parse(tree, SessionState.Path.CurrentFileSystemLocation.ProviderPath, o => o is PSObject p ? p.BaseObject : o),
                    var other => throw new TerminatingException(new ErrorRecord(new ArgumentException(
                        $"-Payload: a {TypeName(other)} is not a payload; accepted: a JSON or TOML string, or a hashtable" + Hint(other)),
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

    /// <summary>
    /// The one payload the pieces make: lines (piped from Get-Content, or an array of strings) are joined
    /// with newlines, so a file read line by line is still one payload; a single object stays itself;
    /// several objects that are not all text cannot be one payload. Null when nothing came.
    /// </summary>
    private object? JoinPieces()
    {
        var pieces = _pieces.Count == 1 && _pieces[0] is object[] array ? array.Select(o => o is PSObject p ? p.BaseObject : o).ToList() : _pieces;
        if (pieces.Count == 0)
            return null;
        if (pieces.All(p => p is string))
            return pieces.Count == 1 ? pieces[0] : string.Join("\n", pieces.Cast<string>());
        if (pieces.Count == 1)
            return pieces[0];
        var kinds = string.Join(", ", pieces.Select(TypeName).Distinct());
        throw new TerminatingException(new ErrorRecord(new ArgumentException(
            $"-Payload: {pieces.Count} objects ({kinds}) make no single payload; accepted: one JSON or TOML text (lines are joined), or one hashtable"),
            "PayloadTypeInvalid", ErrorCategory.InvalidArgument, null));
    }

    private static string TypeName(object o) => o is PSCustomObject ? "PSCustomObject" : o.GetType().Name;

    private static string Hint(object o) => o switch
    {
        PSCustomObject => ". ConvertFrom-Json makes PSCustomObjects: use ConvertFrom-Json -AsHashtable, or pass the JSON text itself (Get-Content -Raw)",
        System.IO.FileInfo f => $". For a file use -Path {f.FullName}",
        _ => "",
    };

    /// <summary>-Wait: relay the job's streams on this (the pipeline) thread until the network ends or Ctrl+C.</summary>
    private void RunInForeground(BurrowNetworkJob job)
    {
        var announced = false;
        try
        {
            while (!CancelToken.IsCancellationRequested)
            {
                var done = job.Network.Completion.Wait(TimeSpan.FromMilliseconds(200));
                Drain(job);
                if (!announced && job.Network.Ready.IsCompletedSuccessfully)
                {
                    // Once the progress bar is gone the screen is blank: say, once, that it is up and where (as services do).
                    announced = true;
                    WriteInformation(new HostInformationMessage { Message = ListeningLine(job.Network) }, ["PSHOST", "Burrow", "Listening"]);
                }
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

    internal static string ListeningLine(BurrowNetwork network)
        => $"Network {network.Name} is listening on {network.ListenEndPoint} (upstream {network.Upstream}); press Ctrl+C to stop it.";

    private void Drain(BurrowNetworkJob job)
    {
        foreach (var r in job.Progress.ReadAll()) WriteProgress(r);
        foreach (var r in job.Verbose.ReadAll()) WriteVerbose(r.Message);
        foreach (var r in job.Warning.ReadAll()) WriteWarning(r.Message);
        foreach (var r in job.Debug.ReadAll()) WriteDebug(r.Message);
        foreach (var r in job.Error.ReadAll()) WriteError(r);
        foreach (var r in job.Information.ReadAll()) WriteInformation(r);
    }
}
