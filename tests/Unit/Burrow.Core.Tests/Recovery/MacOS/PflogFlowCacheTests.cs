using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Burrow.Core.Recovery.MacOS;
using Burrow.Tests;

namespace Burrow.Core.Tests.Recovery.MacOS;

public class PflogFlowCacheTests
{
    private static readonly TimeSpan Ttl = TimeSpan.FromSeconds(30);

    private static PflogFlowKey Key(int port, string address = "192.0.2.10") =>
        new(AddressFamily.InterNetwork, 6, IPAddress.Parse(address), (ushort)port);

    private static IPEndPoint Destination(int n) => new(IPAddress.Parse("198.51.100.7"), n);

    [Fact]
    public void AnEntryIsTakenOnce()
    {
        var cache = new PflogFlowCache(Ttl, 16, new ManualTimeProvider());
        cache.Add(Key(1000), Destination(443));

        Assert.Equal(Destination(443), cache.TryTake(Key(1000)));
        Assert.Null(cache.TryTake(Key(1000)));
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public void KeysDifferByFamilyAddressAndPort()
    {
        var cache = new PflogFlowCache(Ttl, 16, new ManualTimeProvider());
        cache.Add(Key(1000), Destination(1));

        Assert.Null(cache.TryTake(Key(1001)));
        Assert.Null(cache.TryTake(Key(1000, "192.0.2.11")));
        Assert.Null(cache.TryTake(new PflogFlowKey(AddressFamily.InterNetworkV6, 6, IPAddress.Parse("::ffff:192.0.2.10"), 1000)));
        Assert.Equal(Destination(1), cache.TryTake(Key(1000)));
    }

    [Fact]
    public void AccessorPeerKeysMatchLoggedKeys()
    {
        // A dual-stack socket's mapped peer and an IPv6 peer with a scope id key like the logged SYN.
        Assert.Equal(Key(1000), PflogFlowKey.ForTcpPeer(IPEndPoint.Parse("[::ffff:192.0.2.10]:1000")));
        var scoped = new IPEndPoint(IPAddress.Parse("fe80::1%4"), 2000);
        Assert.Equal(new PflogFlowKey(AddressFamily.InterNetworkV6, 6, IPAddress.Parse("fe80::1"), 2000), PflogFlowKey.ForTcpPeer(scoped));
    }

    [Fact]
    public void ANewerRecordForTheSameSourceReplacesTheOlder()
    {
        var cache = new PflogFlowCache(Ttl, 16, new ManualTimeProvider());
        cache.Add(Key(1000), Destination(1));
        cache.Add(Key(1000), Destination(2));

        Assert.Equal(1, cache.Count);
        Assert.Equal(Destination(2), cache.TryTake(Key(1000)));
    }

    [Fact]
    public void EntriesExpireAfterTheTtl()
    {
        var time = new ManualTimeProvider();
        var cache = new PflogFlowCache(Ttl, 16, time);
        cache.Add(Key(1), Destination(1));
        cache.Add(Key(2), Destination(2));

        time.Advance(Ttl - TimeSpan.FromTicks(1));
        Assert.Equal(Destination(1), cache.TryTake(Key(1)));

        time.Advance(TimeSpan.FromTicks(1));
        Assert.Null(cache.TryTake(Key(2)));
    }

    [Fact]
    public void ExpiredEntriesAreSweptOnAdd()
    {
        var time = new ManualTimeProvider();
        var cache = new PflogFlowCache(Ttl, 16, time);
        for (var i = 0; i < 10; i++)
        {
            cache.Add(Key(i), Destination(i));
        }

        time.Advance(Ttl);
        cache.Add(Key(100), Destination(100));

        Assert.Equal(1, cache.Count);
        Assert.Equal(0, cache.Evicted);
    }

    [Fact]
    public void TheOldestIsEvictedAtTheSizeBound()
    {
        var time = new ManualTimeProvider();
        var cache = new PflogFlowCache(Ttl, 3, time);
        for (var i = 1; i <= 4; i++)
        {
            cache.Add(Key(i), Destination(i));
            time.Advance(TimeSpan.FromMilliseconds(1));
        }

        Assert.Equal(3, cache.Count);
        Assert.Equal(1, cache.Evicted);
        Assert.Null(cache.TryTake(Key(1)));
        Assert.Equal(Destination(2), cache.TryTake(Key(2)));
        Assert.Equal(Destination(4), cache.TryTake(Key(4)));
    }

    [Fact]
    public void ReplacingAnEntryMovesItToTheNewestEnd()
    {
        var cache = new PflogFlowCache(Ttl, 2, new ManualTimeProvider());
        cache.Add(Key(1), Destination(1));
        cache.Add(Key(2), Destination(2));
        cache.Add(Key(1), Destination(11));
        cache.Add(Key(3), Destination(3)); // evicts 2, the oldest now

        Assert.Null(cache.TryTake(Key(2)));
        Assert.Equal(Destination(11), cache.TryTake(Key(1)));
    }

    [Fact]
    public void DiscardDropsAnEntry()
    {
        var cache = new PflogFlowCache(Ttl, 4, new ManualTimeProvider());
        cache.Add(Key(1), Destination(1));
        cache.Discard(Key(1));
        cache.Discard(Key(2));
        Assert.Null(cache.TryTake(Key(1)));
    }

    [Fact]
    public async Task APresentEntryIsTakenWithoutWaiting()
    {
        var time = new ManualTimeProvider();
        var cache = new PflogFlowCache(Ttl, 4, time);
        cache.Add(Key(1), Destination(1));

        var task = cache.TakeAsync(Key(1), TimeSpan.FromMilliseconds(250), CancellationToken.None);

        Assert.True(task.IsCompleted);
        Assert.Equal(Destination(1), await task.Guarded());
        Assert.Equal(0, time.ActiveTimers);
    }

    [Fact]
    public async Task ALateRecordIsHandedToTheWaitingLookup()
    {
        var time = new ManualTimeProvider();
        var cache = new PflogFlowCache(Ttl, 4, time);

        var task = cache.TakeAsync(Key(1), TimeSpan.FromMilliseconds(250), CancellationToken.None).AsTask();
        Assert.False(task.IsCompleted);

        time.Advance(TimeSpan.FromMilliseconds(100));
        Assert.False(task.IsCompleted);
        cache.Add(Key(1), Destination(1));

        Assert.Equal(Destination(1), await task.Guarded());
        Assert.Equal(0, cache.Count); // handed over, not stored: single use
    }

    [Fact]
    public async Task TheWaitTimesOutCleanly()
    {
        var time = new ManualTimeProvider();
        var cache = new PflogFlowCache(Ttl, 4, time);

        var task = cache.TakeAsync(Key(1), TimeSpan.FromMilliseconds(250), CancellationToken.None).AsTask();
        time.Advance(TimeSpan.FromMilliseconds(249));
        Assert.False(task.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(1));

        Assert.Null(await task.Guarded());

        // The waiter is gone: a record arriving now is stored for a later lookup, not lost.
        cache.Add(Key(1), Destination(1));
        Assert.Equal(1, cache.Count);
        Assert.Equal(Destination(1), cache.TryTake(Key(1)));
    }

    [Fact]
    public async Task ARecordForAnotherSourceDoesNotWakeTheWait()
    {
        var time = new ManualTimeProvider();
        var cache = new PflogFlowCache(Ttl, 4, time);

        var task = cache.TakeAsync(Key(1), TimeSpan.FromMilliseconds(250), CancellationToken.None).AsTask();
        cache.Add(Key(2), Destination(2));
        Assert.False(task.IsCompleted);

        time.Advance(TimeSpan.FromMilliseconds(250));
        Assert.Null(await task.Guarded());
        Assert.Equal(Destination(2), cache.TryTake(Key(2)));
    }

    [Fact]
    public async Task CancellingTheWaitThrowsAndLeavesNoWaiter()
    {
        var time = new ManualTimeProvider();
        var cache = new PflogFlowCache(Ttl, 4, time);
        using var cts = new CancellationTokenSource();

        var task = cache.TakeAsync(Key(1), TimeSpan.FromSeconds(1), cts.Token).AsTask();
        cts.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => task.Guarded());
        cache.Add(Key(1), Destination(1));
        Assert.Equal(1, cache.Count);
    }

    [Fact]
    public async Task WaitersAreBoundedLikeEntries()
    {
        var time = new ManualTimeProvider();
        var cache = new PflogFlowCache(Ttl, 2, time);

        var first = cache.TakeAsync(Key(1), TimeSpan.FromSeconds(1), CancellationToken.None).AsTask();
        var second = cache.TakeAsync(Key(2), TimeSpan.FromSeconds(1), CancellationToken.None).AsTask();
        var third = cache.TakeAsync(Key(3), TimeSpan.FromSeconds(1), CancellationToken.None).AsTask();

        Assert.True(third.IsCompleted);
        Assert.Null(await third.Guarded());
        Assert.False(first.IsCompleted || second.IsCompleted);

        cache.Add(Key(1), Destination(1));
        cache.Add(Key(2), Destination(2));
        Assert.Equal(Destination(1), await first.Guarded());
        Assert.Equal(Destination(2), await second.Guarded());
    }

    [Fact]
    public async Task ManyThreadsAddAndTakeWithoutLosingOrDuplicating()
    {
        const int threads = 8;
        const int perThread = 2_000;
        var cache = new PflogFlowCache(Ttl, threads * perThread, new ManualTimeProvider());
        var taken = new ConcurrentBag<int>();
        // An async gate, not a Barrier: blocked pool threads would make the pool grow slowly.
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var producers = Enumerable.Range(0, threads).Select(t => Task.Run(async () =>
        {
            await start.Task;
            for (var i = 0; i < perThread; i++)
            {
                var port = t * perThread + i;
                cache.Add(Key(port % 65536, $"10.0.{t}.1"), Destination(port));
            }
        }));

        // Consumers take every key, waiting for the ones not added yet (capacity bounds waiters too).
        var consumers = Enumerable.Range(0, threads).Select(t => Task.Run(async () =>
        {
            await start.Task;
            for (var i = 0; i < perThread; i++)
            {
                var port = t * perThread + i;
                var key = Key(port % 65536, $"10.0.{t}.1");
                // The manual clock never moves, so a lookup ends only when its record is handed over.
                var found = await cache.TakeAsync(key, TimeSpan.FromSeconds(1), CancellationToken.None).Guarded();
                taken.Add(found!.Port);
            }
        }));

        start.SetResult();

        // A hang guard, not a timing assertion: a lost record would leave a lookup waiting forever.
        await Task.WhenAll(producers.Concat(consumers)).WaitAsync(TimeSpan.FromMinutes(2));

        Assert.Equal(threads * perThread, taken.Count);
        Assert.Equal(Enumerable.Range(0, threads * perThread), taken.Order());
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public void ConcurrentTakesOfOneEntryGiveItToExactlyOne()
    {
        const int takers = 4;
        for (var round = 0; round < 100; round++)
        {
            var cache = new PflogFlowCache(Ttl, 64, new ManualTimeProvider());
            cache.Add(Key(1), Destination(1));
            using var start = new Barrier(takers);
            var results = new IPEndPoint?[takers];

            // Dedicated threads, so the Barrier releases them together without starving the pool.
            var errors = new ConcurrentBag<Exception>();
            var threads = Enumerable.Range(0, takers).Select(i => new Thread(() =>
            {
                try
                {
                    start.SignalAndWait();
                    results[i] = cache.TryTake(Key(1));
                }
                catch (Exception e)
                {
                    // An exception on a bare thread would crash the test host instead of failing the test.
                    errors.Add(e);
                }
            })).ToList();
            threads.ForEach(t => t.Start());
            threads.ForEach(t => t.Join());

            Assert.Empty(errors);

            Assert.Single(results, r => r is not null);
        }
    }

    [Fact]
    public async Task ConcurrentWaitersAndLateRecordsAllMeet()
    {
        var cache = new PflogFlowCache(Ttl, 4096, TimeProvider.System);
        const int flows = 500;

        // Generous wait: this checks the hand-over, not timing; each lookup ends as soon as its record lands.
        var lookups = Enumerable.Range(0, flows)
            .Select(i => Task.Run(async () => await cache.TakeAsync(Key(i), TimeSpan.FromSeconds(30), CancellationToken.None)))
            .ToArray();
        await Task.WhenAll(Enumerable.Range(0, flows).Select(i => Task.Run(() => cache.Add(Key(i), Destination(i)))));

        var found = await Task.WhenAll(lookups).Guarded();
        Assert.Equal(Enumerable.Range(0, flows), found.Select(f => f!.Port));
        Assert.Equal(0, cache.Count);
    }
}
