using Burrow.Core.Recovery.MacOS;

namespace Burrow.Core.Tests.Recovery.MacOS;

public class XnuIoctlTests
{
    [Fact]
    public void DiocNatLookIsIowrD23Of84Bytes()
    {
        Assert.Equal(0xC0544417u, XnuIoctl.IoWR('D', 23, 84));
        Assert.Equal(XnuIoctl.DiocNatLook, XnuIoctl.IoWR('D', 23, PfNatLook.Size));
    }

    [Fact]
    public void BpfRequestsFollowTheBsdEncoding()
    {
        Assert.Equal(XnuIoctl.BiocGBLen, XnuIoctl.IoR('B', 102, 4));
        Assert.Equal(XnuIoctl.BiocGDlt, XnuIoctl.IoR('B', 106, 4));
        Assert.Equal(XnuIoctl.BiocSetIf, XnuIoctl.IoW('B', 108, XnuIoctl.IfReqSize));
        Assert.Equal(XnuIoctl.BiocSRTimeout, XnuIoctl.IoW('B', 109, XnuIoctl.TimevalSize));
        Assert.Equal(XnuIoctl.BiocImmediate, XnuIoctl.IoW('B', 112, 4));
        Assert.Equal(XnuIoctl.BiocSSeeSent, XnuIoctl.IoW('B', 119, 4));

        // The literal values, as a second check on the constants themselves.
        Assert.Equal(0x40044266u, XnuIoctl.IoR('B', 102, 4));
        Assert.Equal(0x8020426Cu, XnuIoctl.IoW('B', 108, 32));
        Assert.Equal(0x80044270u, XnuIoctl.IoW('B', 112, 4));
    }

    [Fact]
    public void EncodingPutsEachPartInItsBits()
    {
        Assert.Equal(0x2000_4268u, XnuIoctl.Io('B', 104));     // BIOCFLUSH: IOC_VOID, no size
        Assert.Equal(0x4000_0000u, XnuIoctl.IoR('\0', 0, 0) & 0xE000_0000);
        Assert.Equal(0x8000_0000u, XnuIoctl.IoW('\0', 0, 0));
        Assert.Equal(0x1FFFu << 16, XnuIoctl.IoWR('\0', 0, 0x1FFF) & 0x1FFF_0000);
        Assert.Throws<ArgumentOutOfRangeException>(() => XnuIoctl.IoW('B', 1, 0x2000));
    }
}
