using Burrow.Core.Flows;
using Burrow.Core.Namespaces;

namespace Burrow.Cmdlets.Commands;

/// <summary>What one Invoke-BurrowCommand did (-PassThru): its exit code, time, flows, DNS names, bytes and what was blocked.</summary>
public sealed class BurrowCommandResult
{
    internal BurrowCommandResult(long invocation, string network, string command, int exitCode, DateTimeOffset startTime, TimeSpan duration,
        IReadOnlyList<FlowInfo> flows, IReadOnlyList<string> dnsNames, CommandNamespaceCounters counters)
    {
        Invocation = invocation;
        Network = network;
        Command = command;
        ExitCode = exitCode;
        StartTime = startTime;
        Duration = duration;
        Flows = [.. flows];
        DnsNames = [.. dnsNames];
        Counters = counters;
    }

    /// <summary>The invocation's number: its flows carry it (Get-BurrowFlow's Invocation), its circuits' isolation keys its scope.</summary>
    public long Invocation { get; }

    /// <summary>The network whose Tor client carried the command's connections.</summary>
    public string Network { get; }

    /// <summary>What ran: the program and its arguments, or "{ script block }".</summary>
    public string Command { get; }

    /// <summary>The command's exit code (also in $LASTEXITCODE); 128+N when signal N ended it.</summary>
    public int ExitCode { get; }

    public DateTimeOffset StartTime { get; }

    public TimeSpan Duration { get; }

    /// <summary>The command's flows (the same objects Get-BurrowFlow shows), in the order they began.</summary>
    public FlowInfo[] Flows { get; }

    /// <summary>The names the command looked up through Burrow's DNS listener, in first-asked order.</summary>
    public string[] DnsNames { get; }

    /// <summary>The namespace's fail-closed counters (packets redirected and dropped).</summary>
    public CommandNamespaceCounters Counters { get; }

    public long BytesUp => Flows.Sum(f => f.BytesUp);

    public long BytesDown => Flows.Sum(f => f.BytesDown);

    /// <summary>Packets dropped because only TCP and DNS may leave the namespace (UDP, ICMP, raw packets...).</summary>
    public long Blocked => Counters.Blocked;

    public long BlockedUdp => Counters.BlockedUdp;

    public long BlockedIcmp => Counters.BlockedIcmp;

    /// <summary>The distinct exits (circuits) that carried the command's flows.</summary>
    public string[] Circuits => [.. Flows.Select(f => f.Circuit).OfType<string>().Distinct(StringComparer.Ordinal)];
}
