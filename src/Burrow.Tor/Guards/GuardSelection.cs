using Burrow.Tor.NetDir;

namespace Burrow.Tor.Guards;

/// <summary>
/// A guard handed out for one circuit attempt. Report the outcome with
/// <see cref="GuardManager.ReportSuccess"/>, <see cref="GuardManager.ReportFailure"/> or
/// <see cref="GuardManager.ReportIndeterminate"/>.
/// </summary>
internal sealed class GuardSelection
{
    internal GuardSelection(Relay relay, bool isPrimary, GuardUsage usage)
    {
        Relay = relay;
        IsPrimary = isPrimary;
        Usage = usage;
    }

    public Relay Relay { get; }

    /// <summary>A primary guard: the circuit is &lt;usable_on_completion&gt;. Otherwise it is
    /// &lt;usable_if_no_better_guard&gt; (guard-spec 4.6).</summary>
    public bool IsPrimary { get; }

    public GuardUsage Usage { get; }

    public override string ToString() => $"{Relay.Nickname} ({(IsPrimary ? "primary" : "non-primary")} guard)";
}
