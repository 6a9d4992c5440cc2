using System.Text;
using Burrow.Tor.Dir;

namespace Burrow.Tor.Tests.Dir;

/// <summary>Responses the fuzzer (bench/Fuzz, target "dir-response") found crashing the directory response parser.</summary>
public class DirHttpFuzzRegressionTests
{
    [Theory]
    [InlineData("deflate")]
    [InlineData("x-deflate")]
    public void ZlibHeaderAskingForAPresetDictionaryIsACorruptBody(string encoding)
    {
        // 78 20: a valid zlib header (CMF*256+FLG divisible by 31) with FDICT set; zlib answers Z_NEED_DICT, which
        // .NET raises as ZLibException (an IOException), not InvalidDataException, and it used to escape.
        byte[] raw = [.. Encoding.ASCII.GetBytes($"HTTP/1.0 200 OK\nContent-Encoding: {encoding}\n\n"), 0x78, 0x20, 0xE7, 0x7D, 0x0A, 0xA4, 0xDC, 0x4D, 0x9C, 0xB5];
        var e = Assert.Throws<DirectoryException>(() => DirHttp.Parse(raw, 1 << 20));
        Assert.Equal(DirectoryErrorKind.CorruptBody, e.Kind);
        Assert.Contains("does not decompress", e.Message);
    }
}
