namespace Burrow.Core.Configuration;

public enum UpstreamKind
{
    /// <summary>The in-process Tor client (Burrow.Tor). The default.</summary>
    InProcess,
    /// <summary>An existing Tor or Arti SocksPort. Explicit only, never a fallback.</summary>
    Socks5,
}
