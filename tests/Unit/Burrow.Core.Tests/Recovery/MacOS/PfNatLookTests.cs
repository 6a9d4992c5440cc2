using System.Net;
using Burrow.Core.Recovery.MacOS;

namespace Burrow.Core.Tests.Recovery.MacOS;

public class PfNatLookTests
{
    [Fact]
    public void Ipv4LookupIsLaidOutAtTheDocumentedOffsets()
    {
        var buffer = new byte[84];
        PfNatLook.Encode(buffer, IPEndPoint.Parse("192.0.2.10:51544"), IPEndPoint.Parse("127.0.0.1:9040"), PfDirection.Out);

        var expected = new byte[84];
        expected[0] = 192; expected[1] = 0; expected[2] = 2; expected[3] = 10;   // saddr (pf_addr, v4 in the first 4 bytes)
        expected[16] = 127; expected[17] = 0; expected[18] = 0; expected[19] = 1; // daddr
        expected[64] = 0xC9; expected[65] = 0x58;                                // sxport: 51544, network order
        expected[68] = 0x23; expected[69] = 0x50;                                // dxport: 9040
        expected[80] = 2;                                                        // af AF_INET
        expected[81] = 6;                                                        // proto TCP
        expected[82] = 0;                                                        // proto_variant
        expected[83] = 2;                                                        // direction PF_OUT
        Assert.Equal(expected, buffer);
    }

    [Fact]
    public void Ipv6LookupIsLaidOutAtTheDocumentedOffsets()
    {
        var buffer = new byte[84];
        PfNatLook.Encode(buffer, IPEndPoint.Parse("[2001:db8::5]:40000"), IPEndPoint.Parse("[::1]:9040"), PfDirection.In);

        var expected = new byte[84];
        IPAddress.Parse("2001:db8::5").GetAddressBytes().CopyTo(expected, 0);
        IPAddress.IPv6Loopback.GetAddressBytes().CopyTo(expected, 16);
        expected[64] = 0x9C; expected[65] = 0x40; // 40000
        expected[68] = 0x23; expected[69] = 0x50; // 9040
        expected[80] = 30;                        // AF_INET6 on macOS
        expected[81] = 6;
        expected[83] = 1;                         // PF_IN
        Assert.Equal(expected, buffer);
    }

    [Fact]
    public void EncodeClearsWhateverTheBufferHeld()
    {
        var buffer = Enumerable.Repeat((byte)0xAA, 84).ToArray();
        PfNatLook.Encode(buffer, IPEndPoint.Parse("10.0.0.1:1"), IPEndPoint.Parse("10.0.0.2:2"), PfDirection.Out);
        Assert.All(buffer[32..64], b => Assert.Equal(0, b)); // rsaddr, rdaddr
        Assert.All(buffer[72..80], b => Assert.Equal(0, b)); // rsxport, rdxport
        Assert.Equal(0, buffer[66]); // upper half of sxport
    }

    [Fact]
    public void Ipv4MappedEndpointsAreLookedUpAsIpv4()
    {
        var buffer = new byte[84];
        PfNatLook.Encode(buffer, IPEndPoint.Parse("[::ffff:192.0.2.10]:1000"), IPEndPoint.Parse("[::ffff:127.0.0.1]:9040"), PfDirection.Out);
        Assert.Equal(2, buffer[80]);
        Assert.Equal(new byte[] { 192, 0, 2, 10, 0, 0, 0, 0 }, buffer[0..8]);
    }

    [Fact]
    public void MixedFamiliesAreRejected()
    {
        var buffer = new byte[84];
        var e = Assert.Throws<ArgumentException>(() =>
            PfNatLook.Encode(buffer, IPEndPoint.Parse("[2001:db8::5]:1"), IPEndPoint.Parse("127.0.0.1:9040"), PfDirection.Out));
        Assert.Contains("one address family", e.Message);
    }

    [Fact]
    public void ShortBufferIsRejected()
    {
        Assert.Throws<ArgumentException>(() =>
            PfNatLook.Encode(new byte[83], IPEndPoint.Parse("10.0.0.1:1"), IPEndPoint.Parse("10.0.0.2:2"), PfDirection.Out));
    }

    [Fact]
    public void KernelAnswerIsReadFromRdaddrAndRdxport()
    {
        // The buffer after a PF_OUT lookup as the kernel leaves it (bytes placed by hand).
        var buffer = new byte[84];
        PfNatLook.Encode(buffer, IPEndPoint.Parse("192.0.2.10:51544"), IPEndPoint.Parse("127.0.0.1:9040"), PfDirection.Out);
        buffer[32] = 192; buffer[33] = 0; buffer[34] = 2; buffer[35] = 10; // rsaddr
        buffer[72] = 0xC9; buffer[73] = 0x58;                              // rsxport
        buffer[48] = 198; buffer[49] = 51; buffer[50] = 100; buffer[51] = 7; // rdaddr
        buffer[76] = 0x01; buffer[77] = 0xBB;                              // rdxport 443

        Assert.Equal(IPEndPoint.Parse("198.51.100.7:443"), PfNatLook.ReadRedirectDestination(buffer));

        var fields = PfNatLook.Decode(buffer);
        Assert.Equal(IPEndPoint.Parse("192.0.2.10:51544"), fields.Source);
        Assert.Equal(IPEndPoint.Parse("127.0.0.1:9040"), fields.Destination);
        Assert.Equal(IPEndPoint.Parse("192.0.2.10:51544"), fields.RedirectSource);
        Assert.Equal(IPEndPoint.Parse("198.51.100.7:443"), fields.RedirectDestination);
        Assert.Equal(2, fields.AddressFamily);
        Assert.Equal(6, fields.Protocol);
        Assert.Equal(0, fields.ProtocolVariant);
        Assert.Equal(PfDirection.Out, fields.Direction);
    }

    [Fact]
    public void Ipv6RoundTripsThroughEncodeAndDecode()
    {
        var buffer = new byte[84];
        var peer = IPEndPoint.Parse("[fd00::1:2]:65535");
        var local = IPEndPoint.Parse("[fd00::9]:1");
        PfNatLook.Encode(buffer, peer, local, PfDirection.InOut);
        IPAddress.Parse("2001:db8:1::443").GetAddressBytes().CopyTo(buffer, 48);
        buffer[76] = 0x20; buffer[77] = 0xFB; // 8443

        var fields = PfNatLook.Decode(buffer);
        Assert.Equal(peer, fields.Source);
        Assert.Equal(local, fields.Destination);
        Assert.Equal(IPEndPoint.Parse("[2001:db8:1::443]:8443"), fields.RedirectDestination);
        Assert.Equal(30, fields.AddressFamily);
        Assert.Equal(PfDirection.InOut, fields.Direction);
    }

    [Fact]
    public void DecodeRejectsAnUnknownFamilyWithAClearMessage()
    {
        var buffer = new byte[84];
        buffer[80] = 10; // Linux's AF_INET6, not macOS's
        var e = Assert.Throws<ArgumentException>(() => PfNatLook.Decode(buffer));
        Assert.Contains("pfioc_natlook.af is 10", e.Message);
    }

    [Fact]
    public void OffsetsTileTheWholeStruct()
    {
        Assert.Equal(84, PfNatLook.Size);
        int[] starts =
        [
            PfNatLook.SourceAddressOffset, PfNatLook.DestinationAddressOffset, PfNatLook.RedirectSourceAddressOffset,
            PfNatLook.RedirectDestinationAddressOffset, PfNatLook.SourcePortOffset, PfNatLook.DestinationPortOffset,
            PfNatLook.RedirectSourcePortOffset, PfNatLook.RedirectDestinationPortOffset, PfNatLook.AddressFamilyOffset,
            PfNatLook.ProtocolOffset, PfNatLook.ProtocolVariantOffset, PfNatLook.DirectionOffset,
        ];
        int[] sizes = [16, 16, 16, 16, 4, 4, 4, 4, 1, 1, 1, 1];
        var position = 0;
        for (var i = 0; i < starts.Length; i++)
        {
            Assert.Equal(position, starts[i]);
            position += sizes[i];
        }

        Assert.Equal(PfNatLook.Size, position);
    }
}
