namespace Burrow.Core.Configuration;

/// <summary>[tcp_stack]: how redirected connections are taken in (kind, listen).</summary>
internal static class TcpStackSectionReader
{
    public static readonly string[] Keys = ["kind", "listen"];

    public static TcpStackSection? Read(SchemaReader r, PayloadNode node, string path)
    {
        var defaults = new TcpStackSection();
        var section = r.Section(node, path, Keys);
        if (section is null)
            return null;
        TcpStackKind? kind = defaults.Kind;
        if (section.Get("kind") is { } k)
        {
            kind = r.ReadString(k.Node, k.Path, "a string", "system") switch
            {
                null => null,
                var s when s.Equals("system", StringComparison.OrdinalIgnoreCase) => TcpStackKind.System,
                _ => r.Error<TcpStackKind>(k.Path, k.Node, $"{k.Node.Show()} is not supported; supported kinds: system"),
            };
        }
        var listen = section.Get("listen") is { } l ? r.ReadEndPoint(l.Node, l.Path, SchemaReader.EndPointAccepted) : defaults.Listen;
        return kind is null || listen is null ? null : new TcpStackSection { Kind = kind.Value, Listen = listen };
    }
}
