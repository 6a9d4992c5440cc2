using System.Text;

namespace Burrow.Tor.Cells;

/// <summary>NUL-terminated ASCII strings of BEGIN and RESOLVE. Only printable ASCII without spaces
/// (0x21-0x7E) is accepted: anything else cannot be a hostname, address or port.</summary>
internal static class WireText
{
    public static string ReadNulTerminated(ref WireReader r, string what, string field)
    {
        var rest = r.Rest;
        var nul = rest.IndexOf((byte)0);
        if (nul < 0)
            throw new CellFormatException($"{what}: {field} is not NUL-terminated.");
        var text = r.ReadBytes(nul, field);
        r.ReadByte("NUL terminator");
        Check(text, what, field);
        return Encoding.ASCII.GetString(text);
    }

    public static void Check(ReadOnlySpan<byte> text, string what, string field)
    {
        if (text.IsEmpty)
            throw new CellFormatException($"{what}: {field} is empty.");
        var bad = text.IndexOfAnyExceptInRange((byte)0x21, (byte)0x7E);
        if (bad >= 0)
            throw new CellFormatException($"{what}: {field} has byte 0x{text[bad]:X2} at offset {bad}; only printable ASCII without spaces is allowed.");
    }

    public static void Check(string text, string what, string field)
    {
        if (text.Length == 0)
            throw new CellFormatException($"{what}: {field} is empty.");
        foreach (var c in text)
            if (c is < '!' or > '~')
                throw new CellFormatException($"{what}: {field} has character U+{(int)c:X4}; only printable ASCII without spaces is allowed.");
    }

    public static void WriteNulTerminated(ref WireWriter w, string text)
    {
        foreach (var c in text)
            w.WriteByte((byte)c);
        w.WriteByte(0);
    }
}
