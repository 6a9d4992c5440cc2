using System.Net;
using Burrow.Tor.Cells;
using Burrow.Tor.Streams;

namespace Burrow.Tor.Tests.Streams;

public class StreamTargetTests
{
    [Theory]
    [InlineData("1.2.3.4:80", "1.2.3.4", 80)]
    [InlineData("[::1]:443", "::1", 443)]
    [InlineData("[2001:DB8::A]:1", "2001:db8::a", 1)]
    [InlineData("Host.Example:65535", "host.example", 65535)]
    [InlineData("1.2.3:80", "1.2.3", 80)] // not a dotted quad: a (strange) name
    public void Parse_accepts_the_three_forms(string text, string host, int port)
    {
        var target = StreamTarget.Parse(text);
        Assert.Equal(host, target.Host);
        Assert.Equal(port, target.Port);
    }

    [Theory]
    [InlineData("")]
    [InlineData("host")]
    [InlineData("host:0")]
    [InlineData("host:65536")]
    [InlineData("host:-1")]
    [InlineData("host:+80")]
    [InlineData("::1:80")]
    [InlineData("[::1]80")]
    [InlineData("[not-v6]:80")]
    [InlineData("[1.2.3.4]:80")]
    [InlineData(":80")]
    [InlineData("bad host:80")]
    [InlineData("host/x:80")]
    public void Parse_rejects_malformed_targets(string text)
    {
        if (text.Length == 0)
            Assert.Throws<ArgumentException>(() => StreamTarget.Parse(text));
        else
            Assert.Throws<FormatException>(() => StreamTarget.Parse(text));
    }

    [Fact]
    public void Endpoints_map_to_begin_messages()
    {
        Assert.Equal(new BeginMessage("127.0.0.2", 80), StreamTarget.For(new IPEndPoint(IPAddress.Parse("127.0.0.2"), 80)).ToBegin());
        Assert.Equal(new BeginMessage("127.0.0.2", 80), StreamTarget.For(new IPEndPoint(IPAddress.Parse("::ffff:127.0.0.2"), 80)).ToBegin());
        Assert.Equal(new BeginMessage("::1", 80, BeginFlags.IPv6Okay), StreamTarget.For(new IPEndPoint(IPAddress.IPv6Loopback, 80)).ToBegin());
        Assert.Equal("[::1]:80", StreamTarget.For(IPAddress.IPv6Loopback, 80).ToString());
        Assert.Throws<ArgumentOutOfRangeException>(() => StreamTarget.For("host", 0));
        Assert.Throws<ArgumentException>(() => StreamTarget.For(IPAddress.Parse("fe80::1%2"), 80));
    }
}
