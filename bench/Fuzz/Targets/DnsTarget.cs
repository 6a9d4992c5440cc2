using System.Net;
using Burrow.Core.Dns;
using Makaretu.Dns;
using Microsoft.Extensions.Logging.Abstractions;

namespace Burrow.Fuzz.Targets;

/// <summary>The DNS listener's query handling (RFC 1035 message parsing, EDNS, name rules, automap, PTR) as one
/// UDP datagram from a client. Nothing is a typed error here: every datagram must get an answer or a counted
/// drop, never an exception. A resolver that cannot look names up keeps it offline.</summary>
internal sealed class DnsTarget : FuzzTarget
{
    private static readonly IPEndPoint Client = new(IPAddress.Loopback, 40000);
    private readonly DnsQueryHandler _handler = new(
        new DnsListenerOptions { OnionServicesSupported = true },
        new VirtualAddressMap(new VirtualAddressMapOptions { Capacity = 256 }),
        new UnavailableResolver("fuzzing: no resolver"),
        static (_, _) => "fuzz",
        NullLogger.Instance,
        TimeProvider.System);

    public override string Name => "dns";

    public override string Description => "DnsQueryHandler.HandleAsync on a UDP or TCP query, and the answer re-read";

    public override int MaxInputLength => 4096;

    public override void Run(ReadOnlySpan<byte> input)
    {
        if (input.Length == 0)
            return;
        // Byte 0 picks the transport (the UDP size limit and truncation only apply to UDP).
        var transport = (input[0] & 1) == 0 ? DnsTransport.Udp : DnsTransport.Tcp;
        var pending = _handler.HandleAsync(input[1..].ToArray(), Client, transport, CancellationToken.None);
        if (!pending.IsCompleted)
            throw new InvalidOperationException("the handler did not complete synchronously with an offline resolver");
        var (response, record) = pending.Result;
        if (record is null)
            throw new InvalidOperationException("no query record");
        if (response is null)
            return;
        if (transport == DnsTransport.Udp && response.Length > 1232)
            throw new InvalidOperationException($"a {response.Length}-byte UDP answer, past the 1232-byte limit");
        // What we send must be a message a client can read.
        var reply = new Message();
        reply.Read(response);
        if (!reply.QR)
            throw new InvalidOperationException("the answer is not marked as a response");
    }

    public override IEnumerable<byte[]> Seeds(SeedData data)
    {
        static byte[] Query(string name, DnsType type, bool edns, byte transport = 0)
        {
            var m = new Message { Id = 0x1234, RD = true };
            m.Questions.Add(new Question { Name = name, Type = type, Class = DnsClass.IN });
            if (edns)
                m.AdditionalRecords.Add(new OPTRecord { RequestorPayloadSize = 1232 });
            return [transport, .. m.ToByteArray()];
        }
        yield return Query("example.com", DnsType.A, edns: true);
        yield return Query("example.com", DnsType.AAAA, edns: false, transport: 1);
        yield return Query("duckduckgogg42xjoc72x3sjasowoarfbgcmvfimaftt6twagswzczad.onion", DnsType.A, edns: true);
        yield return Query("duckduckgogg42xjoc72x3sjasowoarfbgcmvfimaftt6twagswzczad.onion", DnsType.AAAA, edns: false);
        yield return Query("1.0.192.10.in-addr.arpa", DnsType.PTR, edns: true);
        yield return Query("example.com", DnsType.TXT, edns: true);
        yield return Query("_sip._tcp.example.com", DnsType.SRV, edns: false);
    }
}
