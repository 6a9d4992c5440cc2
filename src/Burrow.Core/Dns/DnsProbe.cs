using System.Net;

namespace Burrow.Core.Dns;

/// <summary>
/// A name the DNS listener answers itself, without any upstream lookup, and reports when it is
/// asked (Test-BurrowRedirect's "DNS captured" check). Dispose it to unregister the name.
/// </summary>
internal sealed class DnsProbe : IDisposable
{
    private readonly TaskCompletionSource<DnsQueryRecord> _seen = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Action<DnsProbe> _unregister;
    private int _timesSeen;

    internal DnsProbe(string name, IPAddress v4, IPAddress v6, Action<DnsProbe> unregister)
    {
        Name = name;
        AddressV4 = v4;
        AddressV6 = v6;
        _unregister = unregister;
    }

    /// <summary>The normalised probe name.</summary>
    public string Name { get; }

    /// <summary>The answer to an A query for the name.</summary>
    public IPAddress AddressV4 { get; }

    /// <summary>The answer to an AAAA query for the name.</summary>
    public IPAddress AddressV6 { get; }

    /// <summary>Completes with the first query for the name.</summary>
    public Task<DnsQueryRecord> Seen => _seen.Task;

    public int TimesSeen => Volatile.Read(ref _timesSeen);

    internal void Observed(DnsQueryRecord record)
    {
        Interlocked.Increment(ref _timesSeen);
        _seen.TrySetResult(record);
    }

    public void Dispose() => _unregister(this);
}
