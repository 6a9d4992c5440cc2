using System.Net;
using System.Net.Sockets;
using System.Text;
using Burrow.Core.Flows;
using Burrow.Core.Networks;

namespace Burrow.Core.Tests.Integration;

/// <summary>What the transparent-path tests do as the redirected client, and how they wait for flows.</summary>
internal static class PathTestClient
{
    /// <summary>A plain HTTP/1.0 GET over a socket; returns request bytes sent, all bytes received and the body.</summary>
    public static async Task<(int Sent, int Received, byte[] Body)> HttpGetAsync(IPEndPoint server, string path, CancellationToken ct)
    {
        using var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await s.ConnectAsync(server, ct);
        var request = Encoding.ASCII.GetBytes($"GET {path} HTTP/1.0\r\nHost: {server}\r\n\r\n");
        await s.SendAsync(request, ct);
        var ms = new MemoryStream();
        var buf = new byte[128 * 1024];
        int n;
        while ((n = await s.ReceiveAsync(buf, ct)) > 0) ms.Write(buf, 0, n);
        var all = ms.ToArray();
        var split = all.AsSpan().IndexOf("\r\n\r\n"u8);
        Assert.True(split > 0, "no HTTP header in the answer");
        Assert.StartsWith("HTTP/1.", Encoding.ASCII.GetString(all, 0, 8));
        return (request.Length, all.Length, all[(split + 4)..]);
    }

    /// <summary>Waits (up to a minute) until at least <paramref name="count"/> flows have ended.</summary>
    public static async Task<IReadOnlyList<FlowInfo>> WaitForEndedAsync(BurrowNetwork network, int count)
    {
        for (var i = 0; i < 3000; i++)
        {
            var ended = network.Flows.Snapshot().Where(f => f.End != null).ToList();
            if (ended.Count >= count) return ended;
            await Task.Delay(20);
        }
        throw new TimeoutException($"fewer than {count} flows ended");
    }
}
