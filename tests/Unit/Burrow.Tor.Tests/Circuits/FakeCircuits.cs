using Burrow.Tor.Channels;
using Burrow.Tor.Circuits;
using Burrow.Tor.Tests.Channels;

namespace Burrow.Tor.Tests.Circuits;

internal static class FakeCircuits
{
    /// <summary>A circuit through the first <paramref name="hops"/> relays the fake plays.</summary>
    public static async Task<Circuit> BuildAsync(Channel channel, FakeRelay fake, int hops = 3, CircuitParameters? parameters = null,
        TimeSpan? streamOpenTimeout = null, TimeProvider? time = null)
    {
        var circuit = new Circuit(channel, parameters)
        {
            StreamOpenTimeout = streamOpenTimeout ?? TimeSpan.FromSeconds(20),
            TimeProvider = time ?? TimeProvider.System,
        };
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await circuit.CreateFirstHopAsync(fake.Relays[0].Target, cts.Token);
        for (var i = 1; i < hops; i++)
            await circuit.ExtendAsync(fake.Relays[i].Target, cts.Token);
        circuit.MarkBuilt();
        return circuit;
    }

    /// <summary>Waits (bounded) until <paramref name="condition"/> holds; fails the test otherwise.</summary>
    public static async Task EventuallyAsync(Func<bool> condition, string what, int timeoutSeconds = 20)
    {
        var deadline = DateTime.UtcNow.AddSeconds(timeoutSeconds);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
                Assert.Fail("timed out waiting for: " + what);
            await Task.Delay(10);
        }
    }
}
