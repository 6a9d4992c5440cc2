namespace Burrow.Core.Upstreams;

/// <summary>An open stream through Tor plus what the connector knows of its path.</summary>
public abstract class UpstreamConnection : IAsyncDisposable
{
    /// <summary>Bytes to and from the destination.</summary>
    public abstract Stream Stream { get; }

    /// <summary>The circuit carrying the stream as far as known (exit nickname and fingerprint), or null.</summary>
    public virtual string? Circuit => null;

    /// <summary>The Tor client's number for that circuit (TorCircuitInfo.Id), when the upstream is the in-process client.</summary>
    public virtual long? CircuitId => null;

    /// <summary>Tells the destination we will send no more (TCP half-close); reading goes on.</summary>
    public abstract ValueTask CompleteWritesAsync();

    /// <summary>Ends the stream abruptly (the client connection failed).</summary>
    public abstract void Abort();

    public abstract ValueTask DisposeAsync();
}
