using System.Net;
using Burrow.Core.Dns;

namespace Burrow.Core.Tests.Dns;

public class InternalAddressTests
{
    [Theory]
    [InlineData("10.1.2.3")]
    [InlineData("172.16.0.1")]
    [InlineData("172.31.255.255")]
    [InlineData("192.168.1.1")]
    [InlineData("127.0.0.1")]
    [InlineData("127.53.0.9")]
    [InlineData("169.254.169.254")]
    [InlineData("100.64.0.1")]
    [InlineData("0.0.0.0")]
    [InlineData("224.0.0.251")]
    [InlineData("255.255.255.255")]
    [InlineData("::1")]
    [InlineData("::")]
    [InlineData("fc00::1")]
    [InlineData("fd12:3456::1")]
    [InlineData("fe80::1")]
    [InlineData("ff02::1")]
    [InlineData("::ffff:192.168.0.1")]   // IPv4-mapped
    [InlineData("::ffff:127.0.0.1")]
    [InlineData("64:ff9b::10.0.0.1")]    // NAT64 of a private address
    [InlineData("2002:c0a8:0101::1")]    // 6to4 of 192.168.1.1
    public void InternalAddressesAreRecognised(string address) =>
        Assert.True(InternalAddress.IsInternal(IPAddress.Parse(address)), address);

    [Theory]
    [InlineData("198.51.100.7")]
    [InlineData("8.8.8.8")]
    [InlineData("172.32.0.1")]
    [InlineData("100.128.0.1")]
    [InlineData("2001:db8::7")]
    [InlineData("2606:4700::1111")]
    [InlineData("::ffff:8.8.8.8")]
    [InlineData("64:ff9b::8.8.8.8")]
    public void PublicAddressesPass(string address) =>
        Assert.False(InternalAddress.IsInternal(IPAddress.Parse(address)), address);
}
