using System.Collections.Concurrent;
using System.Diagnostics;
using System.Management.Automation;
using System.Text;
using Burrow.Cmdlets.Completers;
using Burrow.Core.Dns;
using Burrow.Core.Namespaces;
using Burrow.Core.Networks;
using Burrow.Core.Redirect;
using Burrow.Core.Transparent;

namespace Burrow.Cmdlets.Commands;

/// <summary>
/// <para type="synopsis">Runs one command (a program or a script block) in a network namespace of its own whose only way out is a running Burrow network's Tor client.</para>
/// </summary>
[Cmdlet(VerbsLifecycle.Invoke, "BurrowCommand", DefaultParameterSetName = ScriptBlockSet)]
[OutputType(typeof(BurrowCommandResult), typeof(string), typeof(PSObject))]
public sealed class InvokeBurrowCommandCommand : BurrowCmdlet
{
    private const string ScriptBlockSet = "ScriptBlock";
    private const string FilePathSet = "FilePath";

    /// <summary>Lines and records waiting for the pipeline thread, at most (the child's pipes wait beyond it).</summary>
    private const int QueueCapacity = 4096;

    private static long s_invocations;

    /// <summary>The running network whose Tor client carries the command. Default: the only running network.</summary>
    [Parameter]
    [Alias("Network")]
    [ArgumentCompleter(typeof(NetworkNameCompleter))]
    public string? Name { get; set; }

    /// <summary>The script block to run, in a child pwsh inside the namespace; its output comes back as deserialized objects.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = ScriptBlockSet)]
    public ScriptBlock? ScriptBlock { get; set; }

    /// <summary>The program to run (a name found on PATH, or a path).</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = FilePathSet)]
    [ValidateNotNullOrEmpty]
    public string? FilePath { get; set; }

    /// <summary>Arguments: the program's, each passed as one argument; or the script block's ($args, parameters by position).</summary>
    [Parameter(Position = 1)]
    [Alias("Args")]
    public object[]? ArgumentList { get; set; }

    /// <summary>Also return a BurrowCommandResult: exit code, duration, flows, DNS names, bytes and blocked packets.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessCore()
    {
        var network = ResolveSingleNetwork(Name);
        if (network.State != BurrowNetworkState.Running)
            throw new TerminatingException(new ErrorRecord(new InvalidOperationException(
                $"network '{network.Name}' is {network.State}, not Running; its Tor client cannot carry a command yet"), "NetworkNotRunning", ErrorCategory.ResourceUnavailable, network.Name));

        var (file, arguments, display) = ParameterSetName == FilePathSet ? ResolveProgram() : ResolveScriptBlock();
        var invocation = Interlocked.Increment(ref s_invocations);
        var ns = CreateNamespace(network, invocation);
        var started = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        int? exitCode = null;
        var networkStopped = false;
        try
        {
            (exitCode, networkStopped) = Run(ns, network, file, arguments);
        }
        finally
        {
            ns.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
        clock.Stop();
        if (networkStopped)
            throw new TerminatingException(new ErrorRecord(new InvalidOperationException(
                $"network '{network.Name}' stopped while the command ran: its connections failed, the command was stopped and its namespace removed"),
                "NetworkStopped", ErrorCategory.ResourceUnavailable, network.Name));
        if (exitCode is not { } code)
            return; // stopped (Ctrl+C): the pipeline is being torn down
        SessionState.PSVariable.Set("global:LASTEXITCODE", code);
        if (PassThru)
            WriteObject(new BurrowCommandResult(invocation, network.Name, display, code, started, clock.Elapsed, ns.Flows, ns.DnsNames, ns.ReadCounters()));
    }

    private (string File, List<string> Arguments, string Display) ResolveProgram()
    {
        var path = FilePath!;
        var command = path.Contains('/')
            ? (File.Exists(GetUnresolvedProviderPathFromPSPath(path)) ? GetUnresolvedProviderPathFromPSPath(path) : null)
            : InvokeCommand.GetCommands(path, CommandTypes.Application, nameIsPattern: false).OfType<ApplicationInfo>().FirstOrDefault()?.Path;
        if (command is null)
        {
            // The error pwsh itself gives for a native command that does not exist.
            var e = new CommandNotFoundException(
                $"The term '{path}' is not recognized as a name of a cmdlet, function, script file, or executable program.\n" +
                "Check the spelling of the name, or if a path was included, verify that the path is correct and try again.")
            { CommandName = path };
            throw new TerminatingException(new ErrorRecord(e, "CommandNotFoundException", ErrorCategory.ObjectNotFound, path));
        }
        var args = (ArgumentList ?? []).Select(a => LanguagePrimitives.ConvertTo<string>(a is PSObject p ? p.BaseObject : a) ?? "").ToList();
        var display = string.Join(' ', new[] { path }.Concat(args.Select(a => a.Contains(' ') ? "'" + a + "'" : a)));
        return (command, args, display);
    }

    private (string File, List<string> Arguments, string Display) ResolveScriptBlock()
    {
        try
        {
            var (file, args) = ScriptBlockChild.Command(ScriptBlock!, ArgumentList);
            return (file, args, "{ " + Shorten(ScriptBlock!.ToString().Trim(), 60) + " }");
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            throw new TerminatingException(new ErrorRecord(e, "ScriptBlockNotRunnable", ErrorCategory.InvalidArgument, ScriptBlock));
        }
    }

    private CommandNamespace CreateNamespace(BurrowNetwork network, long invocation)
    {
        var dns = network.Options.Dns;
        var options = new CommandNamespaceOptions
        {
            Invocation = invocation,
            Network = network.Name,
            Connector = network.Connector,
            Flows = network.Flows,
            Isolation = network.Options.Isolate,
            AddressMap = new VirtualAddressMapOptions { Suffixes = dns.AutomapSuffixes, NetworkV4 = dns.VirtualNetworkV4, NetworkV6 = dns.VirtualNetworkV6 },
            IdleTimeout = network.IdleTimeout,
            MaxFlows = network.MaxFlows,
            Logger = network.Logger,
        };
        try
        {
            return CommandNamespace.CreateAsync(options, CancelToken).GetAwaiter().GetResult();
        }
        catch (CommandNamespaceException e)
        {
            var (id, category) = e.Kind switch
            {
                CommandNamespaceErrorKind.NotPermitted => ("NamespaceNotPermitted", ErrorCategory.PermissionDenied),
                CommandNamespaceErrorKind.NotSupported => ("NamespaceNotSupported", ErrorCategory.NotImplemented),
                CommandNamespaceErrorKind.ToolMissing => ("NamespaceToolMissing", ErrorCategory.NotInstalled),
                _ => ("NamespaceSetupFailed", ErrorCategory.ResourceUnavailable),
            };
            throw new TerminatingException(new ErrorRecord(e, id, category, network.Name));
        }
        catch (NftablesException e)
        {
            var category = e.Kind == NftablesErrorKind.NotPermitted ? ErrorCategory.PermissionDenied : ErrorCategory.ResourceUnavailable;
            throw new TerminatingException(new ErrorRecord(new InvalidOperationException(
                "the command's namespace could not get its fail-closed rules: " + e.Message + (e.NftMessage is { } m ? " (" + m.Trim() + ")" : ""), e),
                "NamespaceRulesFailed", category, network.Name));
        }
        catch (Exception e) when (e is ListenerException or DnsListenerException)
        {
            throw new TerminatingException(new ErrorRecord(e, "NamespaceSetupFailed", ErrorCategory.ResourceUnavailable, network.Name));
        }
    }

    /// <summary>Starts the child, streams its output until it exits; kills its whole tree on Ctrl+C or when the network stops.
    /// Returns the exit code (null when stopped) and whether the network stopped under it.</summary>
    private (int? ExitCode, bool NetworkStopped) Run(CommandNamespace ns, BurrowNetwork network, string file, List<string> arguments)
    {
        var psi = ChildLauncher.Wrap(file, arguments);
        psi.RedirectStandardOutput = true;
        psi.RedirectStandardError = true;
        psi.StandardOutputEncoding = Encoding.UTF8;
        psi.StandardErrorEncoding = Encoding.UTF8;
        psi.WorkingDirectory = SessionState.Path.CurrentFileSystemLocation.ProviderPath;
        var scriptBlock = ParameterSetName == ScriptBlockSet;
        // A script block's pwsh must not read this console; a program keeps it (an interactive prompt still works).
        psi.RedirectStandardInput = scriptBlock;

        using var queue = new BlockingCollection<Item>(QueueCapacity);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(CancelToken);
        Process process;
        try
        {
            process = ns.StartProcess(psi, CancelToken);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new TerminatingException(new ErrorRecord(e, "CommandNotStarted", ErrorCategory.InvalidOperation, file));
        }
        using (process)
        {
            if (scriptBlock)
                process.StandardInput.Close();
            var readers = new[]
            {
                PumpAsync(process.StandardOutput, ItemKind.Stdout, queue, stop.Token),
                PumpAsync(process.StandardError, ItemKind.Stderr, queue, stop.Token),
            };
            var done = Task.Run(async () =>
            {
                try
                {
                    await Task.WhenAll(readers).ConfigureAwait(false);
                    await process.WaitForExitAsync(stop.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) { }
                finally
                {
                    queue.CompleteAdding();
                }
            });
            // Through WaitAsync: the network's Completion keeps no continuation of this invocation once it ends (stop is cancelled).
            _ = network.Completion.WaitAsync(stop.Token).ContinueWith(t =>
                {
                    if (!t.IsCompletedSuccessfully) return;
                    try { queue.Add(new Item(ItemKind.NetworkStopped, null)); }
                    catch (Exception e) when (e is InvalidOperationException or ObjectDisposedException) { }
                }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            var networkStopped = false;
            try
            {
                foreach (var item in queue.GetConsumingEnumerable(CancelToken))
                {
                    if (item.Kind == ItemKind.NetworkStopped)
                    {
                        networkStopped = true;
                        Kill(process);
                        continue;
                    }
                    Write(item, scriptBlock);
                }
            }
            catch (OperationCanceledException)
            {
                // Ctrl+C / Stop: the child tree goes, then the namespace (the caller's finally).
                Kill(process);
                stop.Cancel();
                WaitBounded(done);
                return (null, false);
            }
            catch
            {
                Kill(process);
                stop.Cancel();
                WaitBounded(done);
                throw;
            }
            stop.Cancel();
            WaitBounded(done);
            if (!process.HasExited)
            {
                Kill(process);
                process.WaitForExit(10_000);
            }
            return (process.HasExited ? process.ExitCode : -1, networkStopped);
        }
    }

    private void Write(Item item, bool scriptBlock)
    {
        var line = item.Line!;
        if (item.Kind == ItemKind.Stderr)
        {
            // As pwsh records a native command's redirected stderr: one error record per line.
            WriteError(new ErrorRecord(new RemoteException(line), "NativeCommandError", ErrorCategory.NotSpecified, line));
            return;
        }
        if (!scriptBlock || ScriptBlockChild.Decode(line) is not { } record)
        {
            WriteObject(line);
            return;
        }
        switch (ScriptBlockChild.RecordKind(record))
        {
            case "Error": WriteError(ScriptBlockChild.ToErrorRecord(record)); break;
            case "Warning": WriteWarning(ScriptBlockChild.Message(record)); break;
            case "Verbose": WriteVerbose(ScriptBlockChild.Message(record)); break;
            case "Debug": WriteDebug(ScriptBlockChild.Message(record)); break;
            case "Information": WriteInformation(ScriptBlockChild.ToInformationRecord(record)); break;
            case "Progress": break;
            default: WriteObject(record); break;
        }
    }

    private static async Task PumpAsync(StreamReader reader, ItemKind kind, BlockingCollection<Item> queue, CancellationToken cancellationToken)
    {
        try
        {
            while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
                queue.Add(new Item(kind, line), cancellationToken); // blocks when the pipeline lags: the child's pipe fills and it waits
        }
        catch (OperationCanceledException) { }
        catch (InvalidOperationException) { } // the queue was completed
        catch (IOException) { }
    }

    private static void Kill(Process process)
    {
        try
        {
            if (!process.HasExited)
                process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException) { }
        catch (System.ComponentModel.Win32Exception) { }
    }

    private static void WaitBounded(Task task)
    {
        try { task.Wait(TimeSpan.FromSeconds(15)); }
        catch (AggregateException) { }
    }

    private static string Shorten(string text, int max)
    {
        text = text.ReplaceLineEndings(" ");
        return text.Length <= max ? text : text[..(max - 3)] + "...";
    }

    private enum ItemKind { Stdout, Stderr, NetworkStopped }

    private readonly record struct Item(ItemKind Kind, string? Line);
}
