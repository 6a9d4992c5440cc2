namespace Burrow.Core.Configuration;

/// <summary>[upstream]: where flows go (the in-process client, or a SocksPort with kind = "socks5").</summary>
internal static class UpstreamSectionReader
{
    public static readonly string[] Keys = ["kind", "socks5"];

    public static UpstreamSection? Read(SchemaReader r, PayloadNode node, string path)
    {
        var section = r.Section(node, path, Keys);
        if (section is null)
            return null;
        UpstreamKind? kind = UpstreamKind.InProcess;
        var kindEntry = section.Get("kind");
        if (kindEntry is { } k)
        {
            kind = r.ReadString(k.Node, k.Path, "a string", "in_process, socks5") switch
            {
                null => null,
                var s when s.Equals("in_process", StringComparison.OrdinalIgnoreCase) => UpstreamKind.InProcess,
                var s when s.Equals("socks5", StringComparison.OrdinalIgnoreCase) => UpstreamKind.Socks5,
                _ => r.Error<UpstreamKind>(k.Path, k.Node, $"{k.Node.Show()} is not supported; supported kinds: in_process, socks5"),
            };
        }
        var socksEntry = section.Get("socks5");
        var socks = socksEntry is { } so ? r.ReadEndPoint(so.Node, so.Path, "the SocksPort of a running Tor or Arti as " + SchemaReader.EndPointAccepted) : null;
        if (kind is null || (socksEntry is not null && socks is null))
            return null;

        var socksPath = SchemaReader.Join(path, "socks5");
        if (kind == UpstreamKind.Socks5 && socks is null)
        {
            r.Error(socksPath, node, $"is missing; accepted: the SocksPort as {SchemaReader.EndPointAccepted}, required when upstream.kind is \"socks5\"");
            return null;
        }
        if (kind == UpstreamKind.InProcess && socks is not null)
        {
            r.Error(socksPath, socksEntry!.Value.Node,
                $"is only used when upstream.kind is \"socks5\" (it is \"in_process\"{(kindEntry is null ? ", the default" : "")}); accepted: set kind = \"socks5\" to use this SocksPort, or remove socks5");
            return null;
        }
        return new UpstreamSection { Kind = kind.Value, Socks5Address = socks };
    }
}
