namespace Burrow.Cmdlets.Jobs;

/// <summary>
/// One thing that happened in a network: the MessageData of the job's Information records (tags Burrow,
/// BurrowEvent and the kind) and the arguments of the job's NetworkEvent event, which
/// Register-ObjectEvent can subscribe to. Data is the object it is about (a FlowInfo, a TorCircuitInfo, ...).
/// </summary>
public sealed class BurrowEvent(BurrowEventKind kind, string network, string message, object? data) : EventArgs
{
    public BurrowEventKind Kind { get; } = kind;

    public string Network { get; } = network;

    public DateTimeOffset Time { get; } = DateTimeOffset.Now;

    /// <summary>What happened, in words (no destinations: those are in Data).</summary>
    public string Message { get; } = message;

    public object? Data { get; } = data;

    public override string ToString() => $"{Network}: {Message}";
}
