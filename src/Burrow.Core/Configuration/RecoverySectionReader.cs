namespace Burrow.Core.Configuration;

/// <summary>[recovery]: how original destinations are recovered beyond the OS default (macOS pflog_fallback).</summary>
internal static class RecoverySectionReader
{
    public static readonly string[] Keys = ["pflog_fallback"];

    /// <param name="tcpStack">The [tcp_stack] read before, or null when it was invalid (then the cross-check is skipped).</param>
    public static RecoverySection? Read(SchemaReader r, PayloadNode node, string path, TcpStackSection? tcpStack)
    {
        var section = r.Section(node, path, Keys);
        if (section is null)
            return null;
        var pflog = false;
        if (section.Get("pflog_fallback") is { } p)
        {
            if (p.Node.Kind != PayloadNodeKind.Boolean)
            {
                r.TypeError(p.Path, p.Node, "a boolean", "true or false");
                return null;
            }
            pflog = p.Node.Boolean;
            if (pflog && tcpStack is not null && Recovery.MacOS.MacOSRecovery.ValidateListen(tcpStack.Listen, pflogFallback: true) is not null)
            {
                r.Error(p.Path, p.Node,
                    $"needs an explicit tcp_stack.listen address, not {NetworkSyntax.Format(tcpStack.Listen)}; accepted: false, or true with a specific listen address such as 127.0.0.1:9040");
                return null;
            }
        }
        return new RecoverySection { PflogFallback = pflog };
    }
}
