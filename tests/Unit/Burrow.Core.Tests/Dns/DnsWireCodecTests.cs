using System.Net;
using Burrow.Core.Dns;
using Makaretu.Dns;
using Microsoft.Extensions.Logging.Abstractions;

namespace Burrow.Core.Tests.Dns;

/// <summary>The wire codec (Makaretu.Dns) and the query handler against hostile input, without sockets.</summary>
public class DnsWireCodecTests
{
    private static readonly IPEndPoint Client = new(IPAddress.Loopback, 5353);

    private static DnsQueryHandler Handler(IDnsResolver resolver) => new(
        new DnsListenerOptions(),
        new VirtualAddressMap(new VirtualAddressMapOptions { Suffixes = [".onion"] }),
        resolver,
        (_, name) => name,
        NullLogger.Instance,
        TimeProvider.System);

    [Fact]
    public async Task EveryHostileMessageGetsAParseableAnswerWithItsIdOrNothing()
    {
        var handler = Handler(new FakeDnsResolver().Add("example.com", DnsQueryKind.A, "198.51.100.7"));
        var valid = DnsTestClient.Query("example.com", DnsType.A, edns: true).ToByteArray();
        var random = new Random(20261202);
        var corpus = new List<byte[]>
        {
            // A compression pointer to itself, and a chain of pointers.
            new byte[] { 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xC0, 12, 0, 1, 0, 1 },
            new byte[] { 0, 2, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, (byte)'a', 0xC0, 12, 0, 1, 0, 1 },
            // A label length running past the end.
            new byte[] { 0, 3, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 63, (byte)'a' },
        };
        for (var i = 0; i < 2_000; i++)
        {
            var bytes = new byte[random.Next(0, 600)];
            random.NextBytes(bytes);
            corpus.Add(bytes);
        }

        for (var i = 0; i < 2_000; i++)
        {
            var bytes = (byte[])valid.Clone();
            for (var k = random.Next(1, 5); k > 0; k--)
                bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
            corpus.Add(random.Next(3) == 0 ? bytes[..random.Next(bytes.Length)] : bytes);
        }

        var answered = 0;
        foreach (var message in corpus)
        {
            var (response, record) = await handler.HandleAsync(message, Client, DnsTransport.Udp, CancellationToken.None);
            if (response is null)
            {
                Assert.Equal(DnsQueryOutcome.Dropped, record.Outcome);
                continue;
            }

            answered++;
            var parsed = DnsTestClient.Parse(response);
            Assert.True(parsed.QR);
            Assert.Equal((message[0] << 8) | message[1], parsed.Id);
            Assert.True(response.Length <= 512 || parsed.AdditionalRecords.OfType<OPTRecord>().Any());
        }

        Assert.True(answered > 1_000, $"only {answered} of {corpus.Count} got an answer");
    }

    [Theory]
    [InlineData(43, "1234080201020304050607080910111213141516171819202122232425262728293031")] // DS
    [InlineData(50, "01000001040102030404AABBCCDD000140")] // NSEC3
    [InlineData(51, "0100000104AABBCCDD")] // NSEC3PARAM
    public void RecordsWhosePresentationFormUsesSimpleBaseStillRoundTripOnTheWire(ushort type, string rdata)
    {
        // Makaretu.Dns was built against SimpleBase 1.3.1; 3.0.0 is what is served. Its wire paths must not touch it.
        var data = Convert.FromHexString(rdata);
        var message = new List<byte>(Convert.FromHexString("123401000001000000000001" + "076578616D706C6503636F6D0000010001"));
        message.AddRange([0, (byte)(type >> 8), (byte)type, 0, 1, 0, 0, 0, 60, (byte)(data.Length >> 8), (byte)data.Length]);
        message.AddRange(data);

        var parsed = DnsTestClient.Parse([.. message]);
        var record = Assert.Single(parsed.AdditionalRecords);
        Assert.Equal((DnsType)type, record.Type);
        Assert.Equal(message.Count, parsed.ToByteArray().Length);
    }
}
