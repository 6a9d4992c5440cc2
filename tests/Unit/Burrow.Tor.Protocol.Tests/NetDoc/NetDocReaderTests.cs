using System.Text;
using Burrow.Tor.NetDoc;

namespace Burrow.Tor.Tests.NetDoc;

public class NetDocReaderTests
{
    private sealed record Item(string Keyword, string Args, int Line, string? Tag, byte[]? Object, bool Annotation);

    private static List<Item> ReadAll(string text, bool annotations = false)
    {
        var bytes = Encoding.ASCII.GetBytes(text);
        var reader = new NetDocReader(bytes, annotations);
        var items = new List<Item>();
        while (reader.TryRead(out var it))
        {
            items.Add(new Item(it.KeywordText, Encoding.ASCII.GetString(it.Arguments), it.Line,
                it.HasObject ? Encoding.ASCII.GetString(it.ObjectTag) : null,
                it.HasObject ? NetDocText.DecodeBase64Lines(it.ObjectBody, it.ObjectLine) : null, it.IsAnnotation));
        }
        return items;
    }

    private static NetDocException Fails(string text, bool annotations = false) =>
        Assert.Throws<NetDocException>(() => ReadAll(text, annotations));

    [Fact]
    public void ReadsKeywordsArgumentsObjectsAndLineNumbers()
    {
        var items = ReadAll("alpha 1 2  3\n\nbeta\ngamma-x\tx y \n-----BEGIN TEST OBJ-----\nAAEC\nAw==\n-----END TEST OBJ-----\ndelta\n");
        Assert.Equal(4, items.Count);
        Assert.Equal(("alpha", "1 2  3", 1), (items[0].Keyword, items[0].Args, items[0].Line));
        Assert.Equal(("beta", "", 3), (items[1].Keyword, items[1].Args, items[1].Line));
        Assert.Equal(("gamma-x", "x y", 4, "TEST OBJ"), (items[2].Keyword, items[2].Args, items[2].Line, items[2].Tag));
        Assert.Equal(new byte[] { 0, 1, 2, 3 }, items[2].Object);
        Assert.Equal(("delta", 9), (items[3].Keyword, items[3].Line));
    }

    [Fact]
    public void ArgReaderSplitsOnSpaceAndTabRuns()
    {
        var bytes = "k a  b\tc \t d"u8.ToArray();
        var reader = new NetDocReader(bytes);
        Assert.True(reader.TryRead(out var item));
        var args = item.Args;
        var got = new List<string>();
        while (args.TryNext(out var a))
            got.Add(Encoding.ASCII.GetString(a));
        Assert.Equal(["a", "b", "c", "d"], got);
    }

    [Fact]
    public void ToleratesAMissingFinalNewline()
    {
        var items = ReadAll("a 1\nb 2");
        Assert.Equal(["a", "b"], items.Select(i => i.Keyword));
        Assert.Equal("2", items[1].Args);
    }

    [Fact]
    public void ItemOffsetsCoverTheKeywordLineAndObject()
    {
        var bytes = "x\nsig\n-----BEGIN SIGNATURE-----\nAAAA\n-----END SIGNATURE-----\ny\n"u8.ToArray();
        var reader = new NetDocReader(bytes);
        Assert.True(reader.TryRead(out _));
        Assert.True(reader.TryRead(out var sig));
        Assert.Equal(2, sig.Start);
        Assert.Equal(6, sig.KeywordLineEnd);
        Assert.Equal("x\nsig\n-----BEGIN SIGNATURE-----\nAAAA\n-----END SIGNATURE-----\n".Length, sig.End);
    }

    [Fact]
    public void AnnotationsOnlyWhenAllowed()
    {
        var items = ReadAll("@last-listed 2019-12-14 21:31:11\nonion-key\n", annotations: true);
        Assert.True(items[0].Annotation);
        Assert.Equal("last-listed", items[0].Keyword);
        Assert.False(items[1].Annotation);
        Assert.Contains("expected a keyword", Fails("@", annotations: true).Message);
        var e = Fails("@type x 1.0\nk\n");
        Assert.Equal(1, e.LineNumber);
        Assert.Contains("annotation", e.Message);
    }

    [Theory]
    [InlineData("k\n-----BEGIN A-----\nAAAA\n", 2, "not terminated")]
    [InlineData("k\n-----BEGIN A-----\nAAAA\n-----END B-----\n", 4, "does not match")]
    [InlineData("k\n-----BEGIN A-----\nAA*A\n-----END A-----\n", 3, "invalid character")]
    [InlineData("k\n-----BEGIN A-----\n\n-----END A-----\n", 3, "empty line")]
    [InlineData("k\n-----BEGIN A\nAAAA\n-----END A-----\n", 2, "malformed object start")]
    [InlineData("-----BEGIN A-----\nAAAA\n-----END A-----\n", 1, "without a keyword")]
    [InlineData("k\n-----BEGIN A-----\nAAAA\n-----END A-----\n-----BEGIN A-----\nAAAA\n-----END A-----\n", 5, "more than one object")]
    [InlineData("ok 1\nbad\r\n", 2, "carriage return")]
    [InlineData("ok 1\n\r\n", 2, "carriage return")]
    [InlineData("ok 1\nbad x\ry\n", 2, "carriage return")]
    [InlineData("ok\nbad x\u0001\n", 2, "control character")]
    [InlineData("a\nke_y 1\n", 2, "invalid character")]
    [InlineData(" k 1\n", 1, "expected a keyword")]
    [InlineData("-----x\n", 1, "may not start")]
    public void RejectsMalformedInputWithTheLineNumber(string text, int line, string message)
    {
        var e = Fails(text);
        Assert.Equal(line, e.LineNumber);
        Assert.Contains(message, e.Message);
        Assert.StartsWith($"line {line}: ", e.Message);
    }

    [Fact]
    public void DecodeObjectChecksTheType()
    {
        var bytes = "k\n-----BEGIN SIGNATURE-----\nAAAA\n-----END SIGNATURE-----\n"u8.ToArray();
        var reader = new NetDocReader(bytes);
        Assert.True(reader.TryRead(out var item));
        Assert.Equal(new byte[3], item.DecodeObject("SIGNATURE"u8));
        var e = Assert.Throws<NetDocException>(() => Decode(bytes, "RSA PUBLIC KEY"));
        Assert.Contains("expected 'RSA PUBLIC KEY'", e.Message);

        static byte[] Decode(byte[] b, string tag)
        {
            var r = new NetDocReader(b);
            r.TryRead(out var it);
            return it.DecodeObject(Encoding.ASCII.GetBytes(tag));
        }
    }

    [Fact]
    public void RejectsAnOverlongObject()
    {
        var sb = new StringBuilder("k\n-----BEGIN A-----\n");
        for (var i = 0; i < NetDocReader.MaxObjectChars / 64 + 2; i++)
            sb.Append(new string('A', 64)).Append('\n');
        sb.Append("-----END A-----\n");
        Assert.Contains("longer than", Fails(sb.ToString()).Message);
    }

    [Fact]
    public void NormalizesCrlfOnly()
    {
        Assert.Null(NetDocText.NormalizeLineEndings("a\nb\n"u8));
        Assert.Equal("a\nb\nc\rd\n"u8.ToArray(), NetDocText.NormalizeLineEndings("a\r\nb\r\nc\rd\r\n"u8));
    }

    [Theory]
    [InlineData("AAoQ1DAR6kkoo19hBAX5K0QztNw", true)]
    [InlineData("AAoQ1DAR6kkoo19hBAX5K0QztNw=", true)]
    [InlineData("AAoQ1DAR6kkoo19hBAX5K0QztN", false)]
    [InlineData("AAoQ1DAR6kkoo19hBAX5K0QztNwA", false)]
    [InlineData("AAoQ1DAR6kkoo19hBAX5K0Qzt*w", false)]
    public void DecodesUnpaddedBase64OfAnExactLength(string text, bool ok)
    {
        var dest = new byte[20];
        Assert.Equal(ok, NetDocText.TryDecodeBase64Unpadded(Encoding.ASCII.GetBytes(text), dest));
    }

    [Theory]
    [InlineData("0", 0)]
    [InlineData("2147483647", int.MaxValue)]
    [InlineData("-2147483648", int.MinValue)]
    [InlineData("-1", -1)]
    public void ParsesInt32(string text, int expected)
    {
        Assert.True(NetDocText.TryParseInt32(Encoding.ASCII.GetBytes(text), out var v));
        Assert.Equal(expected, v);
    }

    [Theory]
    [InlineData("2147483648")]
    [InlineData("-2147483649")]
    [InlineData("+1")]
    [InlineData("")]
    [InlineData("-")]
    [InlineData("1x")]
    [InlineData("99999999999999999999999")]
    public void RejectsBadInt32(string text) => Assert.False(NetDocText.TryParseInt32(Encoding.ASCII.GetBytes(text), out _));

    [Theory]
    [InlineData("1.2.3.4", true)]
    [InlineData("255.255.255.255", true)]
    [InlineData("256.1.1.1", false)]
    [InlineData("1.2.3", false)]
    [InlineData("1.2.3.4.5", false)]
    [InlineData("01.2.3.4", false)]
    [InlineData("1..3.4", false)]
    public void ParsesDottedQuads(string text, bool ok) =>
        Assert.Equal(ok, NetDocText.TryParseIPv4(Encoding.ASCII.GetBytes(text), out _));
}
