using System.Collections.Concurrent;
using System.Net;
using Burrow.Core.Dns;

namespace Burrow.Core.Tests.Dns;

/// <summary>Answers from a table; records every lookup; can hold lookups until released.</summary>
internal sealed class FakeDnsResolver : IDnsResolver
{
    private readonly Dictionary<(string, DnsQueryKind), DnsLookup> _answers = [];
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly SemaphoreSlim _entered = new(0);

    public ConcurrentQueue<(string Name, DnsQueryKind Kind, string IsolationKey)> Lookups { get; } = new();

    /// <summary>When true, lookups wait for <see cref="Release"/> (or cancellation).</summary>
    public bool Hold { get; init; }

    public FakeDnsResolver Add(string name, DnsQueryKind kind, params string[] addresses)
    {
        _answers[(name, kind)] = DnsLookup.Found([.. addresses.Select(IPAddress.Parse)], TimeSpan.FromSeconds(3600));
        return this;
    }

    public FakeDnsResolver Add(string name, DnsQueryKind kind, DnsLookup lookup)
    {
        _answers[(name, kind)] = lookup;
        return this;
    }

    public void Release() => _release.TrySetResult();

    /// <summary>Waits until <paramref name="count"/> lookups have started (bounded, so a broken listener fails rather than hangs).</summary>
    public async Task WaitForLookupsAsync(int count)
    {
        for (var i = 0; i < count; i++)
            Assert.True(await _entered.WaitAsync(TimeSpan.FromSeconds(30)), $"only {i} of {count} lookups reached the resolver");
    }

    public async ValueTask<DnsLookup> ResolveAsync(string name, DnsQueryKind kind, string isolationKey, CancellationToken cancellationToken)
    {
        Lookups.Enqueue((name, kind, isolationKey));
        _entered.Release();
        if (Hold)
            await _release.Task.WaitAsync(cancellationToken);
        return _answers.TryGetValue((name, kind), out var lookup) ? lookup : DnsLookup.Failed(DnsLookupFailure.NotFound);
    }
}
