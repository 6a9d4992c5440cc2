using Burrow.Tor.Channels;

namespace Burrow.Tor.Tests.Channels;

public class AsyncSignalTests
{
    [Fact]
    public async Task A_set_without_a_waiter_is_remembered_once()
    {
        var signal = new AsyncSignal();
        signal.Set();
        signal.Set();
        Assert.True(signal.WaitAsync().IsCompletedSuccessfully);
        var second = signal.WaitAsync().AsTask();
        Assert.False(second.IsCompleted);
        signal.Set();
        await second.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task The_waiter_resumes_on_another_thread_not_inside_Set()
    {
        var signal = new AsyncSignal();
        var setter = -1;
        var resumedInsideSet = new TaskCompletionSource<bool>();
        var inSet = false;
        var waiter = Task.Run(async () =>
        {
            await signal.WaitAsync();
            resumedInsideSet.SetResult(Volatile.Read(ref inSet) && Environment.CurrentManagedThreadId == setter);
        });
        await Task.Delay(100);
        var t = new Thread(() =>
        {
            setter = Environment.CurrentManagedThreadId;
            Volatile.Write(ref inSet, true);
            signal.Set();
            Thread.Sleep(200);
            Volatile.Write(ref inSet, false);
        });
        t.Start();
        Assert.False(await resumedInsideSet.Task.WaitAsync(TimeSpan.FromSeconds(10)));
        t.Join();
        await waiter;
    }

    [Fact]
    public async Task A_wait_can_be_cancelled_and_the_signal_reused()
    {
        var signal = new AsyncSignal();
        using var cts = new CancellationTokenSource();
        var wait = signal.WaitAsync(cts.Token).AsTask();
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => wait);
        Assert.ThrowsAny<OperationCanceledException>(() => signal.WaitAsync(cts.Token).GetAwaiter().GetResult());
        var next = signal.WaitAsync(CancellationToken.None).AsTask();
        signal.Set();
        await next.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public void Two_waiters_at_once_are_refused()
    {
        var signal = new AsyncSignal();
        _ = signal.WaitAsync();
        Assert.Throws<InvalidOperationException>(() => signal.WaitAsync());
    }
}
