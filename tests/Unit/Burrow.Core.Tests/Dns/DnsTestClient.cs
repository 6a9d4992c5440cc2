using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Makaretu.Dns;

namespace Burrow.Core.Tests.Dns;

/// <summary>Sends queries to a listener over real loopback sockets; every wait is bounded so a broken listener fails the test.</summary>
internal static class DnsTestClient
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    public static Message Query(string name, DnsType type, ushort id = 0x4242, bool edns = false)
    {
        var query = new Message { Id = id, RD = true };
        query.Questions.Add(new Question { Name = name, Type = type });
        if (edns)
            query.AdditionalRecords.Add(new OPTRecord { RequestorPayloadSize = 1232 });
        return query;
    }

    public static async Task<Message> AskUdpAsync(IPEndPoint server, Message query) => Parse(await AskUdpRawAsync(server, query.ToByteArray()));

    public static async Task<byte[]> AskUdpRawAsync(IPEndPoint server, byte[] datagram)
    {
        using var socket = new Socket(server.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        socket.Connect(server);
        await socket.SendAsync(datagram);
        return await ReceiveAsync(socket);
    }

    /// <summary>Sends without waiting (for datagrams that may get no answer), from the given socket.</summary>
    public static async Task<byte[]> ReceiveAsync(Socket socket)
    {
        var buffer = new byte[65535];
        using var timeout = new CancellationTokenSource(Patience);
        var n = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
        return buffer[..n];
    }

    public static Message Parse(byte[] bytes)
    {
        var message = new Message();
        message.Read(bytes);
        return message;
    }

    public static byte[] Frame(byte[] message)
    {
        var frame = new byte[2 + message.Length];
        BinaryPrimitives.WriteUInt16BigEndian(frame, (ushort)message.Length);
        message.CopyTo(frame, 2);
        return frame;
    }

    /// <summary>Reads one length-prefixed message; null when the server closed the connection.</summary>
    public static async Task<byte[]?> ReadFrameAsync(Stream stream)
    {
        using var timeout = new CancellationTokenSource(Patience);
        var prefix = new byte[2];
        if (!await ReadExactlyOrEndAsync(stream, prefix, timeout.Token))
            return null;
        var message = new byte[BinaryPrimitives.ReadUInt16BigEndian(prefix)];
        Assert.True(await ReadExactlyOrEndAsync(stream, message, timeout.Token), "the server closed in the middle of an answer");
        return message;
    }

    private static async Task<bool> ReadExactlyOrEndAsync(Stream stream, byte[] buffer, CancellationToken token)
    {
        var read = 0;
        while (read < buffer.Length)
        {
            int n;
            try
            {
                n = await stream.ReadAsync(buffer.AsMemory(read), token);
            }
            catch (IOException) when (read == 0)
            {
                return false; // reset by the server: closed
            }

            if (n == 0)
            {
                Assert.True(read == 0, "the server closed in the middle of a message");
                return false;
            }

            read += n;
        }

        return true;
    }

    /// <summary>The Extended DNS Error (RFC 8914) of an answer: info code and text, or null.</summary>
    public static (ushort Code, string Text)? ExtendedError(Message answer)
    {
        var option = answer.AdditionalRecords.OfType<OPTRecord>().SelectMany(o => o.Options).FirstOrDefault(o => (ushort)o.Type == 15);
        if (option is not UnknownEdnsOption { Data: { Length: >= 2 } data })
            return null;
        return (BinaryPrimitives.ReadUInt16BigEndian(data), System.Text.Encoding.UTF8.GetString(data, 2, data.Length - 2));
    }
}
