using System.Net;
using Burrow.Core.Dns;
using Makaretu.Dns;
using Microsoft.Extensions.Logging.Abstractions;

namespace Burrow.Core.Tests.Dns;

/// <summary>Queries the fuzzer (bench/Fuzz, target "dns") found crashing the query handler.</summary>
public class DnsFuzzRegressionTests
{
    private static readonly IPEndPoint Client = new(IPAddress.Loopback, 5353);

    private static DnsQueryHandler Handler() => new(
        new DnsListenerOptions(),
        new VirtualAddressMap(new VirtualAddressMapOptions { Suffixes = [".onion"] }),
        new UnavailableResolver("test"),
        (_, name) => name,
        NullLogger.Instance,
        TimeProvider.System);

    private static byte[] Query(byte[] label) =>
        [0xAB, 0xCD, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, (byte)label.Length, .. label, 3, (byte)'c', (byte)'o', (byte)'m', 0, 0, 1, 0, 1];

    [Theory]
    [InlineData(63)]
    [InlineData(22)]
    public async Task LabelOfNonUtf8BytesIsAFormatErrorNotACrash(int length)
    {
        // 0xFF bytes decode to U+FFFD, 3 bytes each in UTF-8: a 22-byte label comes back as 66 bytes, past the limit.
        var request = Query(Enumerable.Repeat((byte)0xFF, length).ToArray());
        var (response, record) = await Handler().HandleAsync(request, Client, DnsTransport.Udp, CancellationToken.None);

        Assert.Equal(DnsQueryOutcome.Malformed, record.Outcome);
        Assert.Contains("longer than 63 bytes", record.Detail);
        var parsed = DnsTestClient.Parse(Assert.IsType<byte[]>(response));
        Assert.Equal(0xABCD, parsed.Id);
        Assert.Equal(MessageStatus.FormatError, parsed.Status);
        Assert.Empty(parsed.Questions);
    }

    [Fact]
    public async Task AShortNonUtf8LabelIsStillRepeatedAndRefused()
    {
        // Under the limit once decoded: the question is repeated and the name refused as before.
        var (response, record) = await Handler().HandleAsync(Query([0xFF, 0xFE]), Client, DnsTransport.Udp, CancellationToken.None);
        Assert.NotEqual(DnsQueryOutcome.Malformed, record.Outcome);
        Assert.Single(DnsTestClient.Parse(Assert.IsType<byte[]>(response)).Questions);
    }
}
