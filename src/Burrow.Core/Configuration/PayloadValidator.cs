using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Burrow.Tor.NetDoc;

namespace Burrow.Core.Configuration;

/// <summary>Where relative paths and "~" in a payload point, and where the payload came from.</summary>
/// <param name="BaseDirectory">Absolute folder relative paths resolve against.</param>
/// <param name="HomeDirectory">What "~" expands to; null when unknown (then "~" is an error).</param>
/// <param name="SourceName">The payload file, for messages; null for strings and hashtables.</param>
internal sealed record PayloadContext(string BaseDirectory, string? HomeDirectory, string? SourceName = null);

/// <summary>
/// The payload schema, written once over the common tree (<see cref="PayloadNode"/>) whatever
/// form the payload came in. Every problem is collected (up to <see cref="MaxErrors"/>) in the
/// schema's order so one run shows them all; cross-key rules run only when the keys they
/// depend on were valid. See docs/payload.md for the keys.
/// </summary>
internal sealed class PayloadValidator
{
    public const int MaxErrors = 20;

    public const int MinMtu = 576;
    public const int MinMtuIPv6 = 1280;
    public const int MaxMtu = 65535;

    private const string EndPointAccepted = "IP:port or [IPv6]:port with port 1-65535";
    private const string AddressAccepted = "CIDR addresses such as \"100.64.0.2/32\" or \"fd00::2/128\" (a string or an array of strings)";
    private const string TunNameAccepted = "1 to 15 characters from A-Z, a-z, 0-9, '_', '.', '-'";
    private const string HexAccepted = "40 hexadecimal digits";
    private const string Ed25519Accepted = "an Ed25519 identity as 43 base64 characters (no padding)";
    private const string NicknameAccepted = "a nickname of 1 to 19 letters and digits";

    private static readonly string[] RootKeys = ["address", "tun_name", "mtu", "arti", "tcp_stack", "upstream", "recovery"];
    private static readonly string[] ArtiKeys = ["state_dir", "cache_dir", "tor_network", "path_rules"];
    private static readonly string[] TorNetworkKeys = ["authorities", "fallback_caches", "dir_authorities"];
    private static readonly string[] AuthorityKeys = ["name", "v3ident"];
    private static readonly string[] FallbackKeys = ["rsa_identity", "ed_identity", "orports"];
    private static readonly string[] PathRulesKeys = ["ipv4_subnet_family_prefix", "ipv6_subnet_family_prefix"];
    private static readonly string[] TcpStackKeys = ["kind", "listen"];
    private static readonly string[] UpstreamKeys = ["kind", "socks5"];
    private static readonly string[] RecoveryKeys = ["pflog_fallback"];

    private readonly PayloadContext _context;
    private readonly List<PayloadError> _errors = [];

    private PayloadValidator(PayloadContext context) => _context = context;

    /// <summary>The options the payload describes, or a <see cref="PayloadException"/> listing every problem.</summary>
    public static TorNetworkOptions Validate(PayloadNode root, PayloadContext context)
    {
        var validator = new PayloadValidator(context);
        var options = validator.ReadRoot(root);
        if (validator._errors.Count > 0)
            throw new PayloadException(validator._errors);
        return options!;
    }

    private TorNetworkOptions? ReadRoot(PayloadNode root)
    {
        var defaults = new TorNetworkOptions();
        var section = Section(root, "", RootKeys, "known top-level keys");
        if (section is null)
            return null;

        var address = section.Get("address") is { } a ? ReadAddresses(a.Node, a.Path) : defaults.Address;
        var tunName = section.Get("tun_name") is { } t ? ReadTunName(t.Node, t.Path) : defaults.TunName;
        var mtuEntry = section.Get("mtu");
        var mtu = mtuEntry is { } m ? ReadInteger(m.Node, m.Path, MinMtu, MaxMtu) : defaults.Mtu;
        if (mtu is { } mtuValue && address is not null && mtuValue < MinMtuIPv6
            && address.Any(n => n.BaseAddress.AddressFamily == AddressFamily.InterNetworkV6))
        {
            Error(mtuEntry?.Path ?? "mtu", mtuEntry?.Node ?? root,
                $"{mtuValue} is below {MinMtuIPv6}, the IPv6 minimum, and address has an IPv6 network; accepted: an integer from {MinMtuIPv6} to {MaxMtu} when address includes IPv6");
        }

        var arti = section.Get("arti") is { } ar ? ReadArti(ar.Node, ar.Path) : defaults.Arti;
        var tcpStack = section.Get("tcp_stack") is { } ts ? ReadTcpStack(ts.Node, ts.Path) : defaults.TcpStack;
        var upstream = section.Get("upstream") is { } up ? ReadUpstream(up.Node, up.Path) : defaults.Upstream;
        var recovery = section.Get("recovery") is { } rc ? ReadRecovery(rc.Node, rc.Path, tcpStack) : defaults.Recovery;

        if (_errors.Count > 0)
            return null;
        return new TorNetworkOptions
        {
            Address = address!,
            TunName = tunName!,
            Mtu = mtu!.Value,
            Arti = arti!,
            TcpStack = tcpStack!,
            Upstream = upstream!,
            Recovery = recovery!,
        };
    }

    private List<IPNetwork>? ReadAddresses(PayloadNode node, string path)
    {
        var items = ListOf(node, path, "a CIDR string or an array of them", AddressAccepted);
        if (items is null)
            return null;
        if (items.Count == 0)
        {
            Error(path, node, $"must list at least one address; accepted: {AddressAccepted}");
            return null;
        }
        var result = new List<IPNetwork>(items.Count);
        var ok = true;
        foreach (var (item, itemPath) in items)
        {
            if (ReadString(item, itemPath, "a CIDR string", AddressAccepted) is not { } text)
            {
                ok = false;
                continue;
            }
            switch (NetworkSyntax.TryParseCidr(text, out var network))
            {
                case NetworkSyntax.CidrProblem.None:
                    if (result.Contains(network))
                    {
                        Error(itemPath, item, $"{item.Show()} is listed twice; accepted: each address once");
                        ok = false;
                    }
                    result.Add(network);
                    break;
                case NetworkSyntax.CidrProblem.HostBits:
                    Error(itemPath, item, $"{item.Show()} has bits set after its prefix length; accepted: a network address (e.g. \"10.0.0.0/24\") or a single host (\"/32\" or \"/128\")");
                    ok = false;
                    break;
                default:
                    Error(itemPath, item, $"{item.Show()} is not a valid CIDR address; accepted: {AddressAccepted}");
                    ok = false;
                    break;
            }
        }
        return ok ? result : null;
    }

    private string? ReadTunName(PayloadNode node, string path)
    {
        if (ReadString(node, path, "a string", TunNameAccepted) is not { } name)
            return null;
        var valid = name.Length is >= 1 and <= 15 && name is not ("." or "..")
            && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-');
        if (!valid)
        {
            Error(path, node, $"{node.Show()} is not a valid interface name; accepted: {TunNameAccepted}");
            return null;
        }
        return name;
    }

    private ArtiSection? ReadArti(PayloadNode node, string path)
    {
        var defaults = new ArtiSection();
        var section = Section(node, path, ArtiKeys);
        if (section is null)
            return null;
        var stateDir = section.Get("state_dir") is { } s ? ReadDirectory(s.Node, s.Path) : defaults.StateDir;
        var cacheDir = section.Get("cache_dir") is { } c ? ReadDirectory(c.Node, c.Path) : defaults.CacheDir;

        IReadOnlyList<DirAuthority>? authorities = defaults.Authorities;
        IReadOnlyList<FallbackDir>? fallbacks = defaults.FallbackCaches;
        if (section.Get("tor_network") is { } tn)
            (authorities, fallbacks) = ReadTorNetwork(tn.Node, tn.Path);

        int? ipv4Prefix = defaults.Ipv4SubnetFamilyPrefix, ipv6Prefix = defaults.Ipv6SubnetFamilyPrefix;
        if (section.Get("path_rules") is { } pr)
        {
            var rules = Section(pr.Node, pr.Path, PathRulesKeys);
            if (rules is null)
            {
                ipv4Prefix = ipv6Prefix = null;
            }
            else
            {
                if (rules.Get("ipv4_subnet_family_prefix") is { } v4)
                    ipv4Prefix = ReadInteger(v4.Node, v4.Path, 0, 128, "an integer from 0 to 128 (0-32 group relays by that IPv4 prefix; above 32 disables the rule)");
                if (rules.Get("ipv6_subnet_family_prefix") is { } v6)
                    ipv6Prefix = ReadInteger(v6.Node, v6.Path, 0, 129, "an integer from 0 to 129 (0-128 group relays by that IPv6 prefix; 129 disables the rule)");
            }
        }

        if (stateDir is null || cacheDir is null || authorities is null || fallbacks is null || ipv4Prefix is null || ipv6Prefix is null)
            return null;
        return new ArtiSection
        {
            StateDir = stateDir,
            CacheDir = cacheDir,
            Authorities = authorities,
            FallbackCaches = fallbacks,
            Ipv4SubnetFamilyPrefix = ipv4Prefix.Value,
            Ipv6SubnetFamilyPrefix = ipv6Prefix.Value,
        };
    }

    private (IReadOnlyList<DirAuthority>?, IReadOnlyList<FallbackDir>?) ReadTorNetwork(PayloadNode node, string path)
    {
        var section = Section(node, path, TorNetworkKeys);
        if (section is null)
            return (null, null);
        var errorsBefore = _errors.Count;
        var authorities = new List<DirAuthority>();
        var fallbacks = new List<FallbackDir>();
        // Where each identity was first given, to name both places when one is repeated.
        var v3Seen = new Dictionary<string, string>(StringComparer.Ordinal);
        var rsaSeen = new Dictionary<string, string>(StringComparer.Ordinal);

        if (section.Get("authorities") is { } au && ListOf(au.Node, au.Path, "an array of tables", "entries like { name = \"auth0\", v3ident = \"<40 hex>\" }") is { } authorityItems)
        {
            foreach (var (item, itemPath) in authorityItems)
            {
                var entry = Section(item, itemPath, AuthorityKeys, $"known keys in each {au.Path} entry");
                if (entry is null)
                    continue;
                var name = Required(entry, item, "name", NicknameAccepted, (n, p) => ReadNickname(n, p));
                var v3 = Required(entry, item, "v3ident", HexAccepted, (n, p) => ReadFingerprint(n, p));
                if (name is null || v3 is null)
                    continue;
                if (Unique(v3Seen, v3, $"{itemPath}.v3ident", entry.Get("v3ident")!.Value.Node))
                    authorities.Add(new DirAuthority(name, v3));
            }
        }

        if (section.Get("fallback_caches") is { } fc && ListOf(fc.Node, fc.Path, "an array of tables", "entries like { rsa_identity = \"<40 hex>\", orports = [\"127.0.0.1:5000\"] }") is { } fallbackItems)
        {
            foreach (var (item, itemPath) in fallbackItems)
            {
                var entry = Section(item, itemPath, FallbackKeys, $"known keys in each {fc.Path} entry");
                if (entry is null)
                    continue;
                var rsa = Required(entry, item, "rsa_identity", HexAccepted, (n, p) => ReadFingerprint(n, p));
                var ed = entry.Get("ed_identity") is { } e ? ReadEd25519(e.Node, e.Path) : "";
                var orPorts = Required(entry, item, "orports", EndPointAccepted, (n, p) => ReadEndPoints(n, p));
                if (rsa is null || ed is null || orPorts is null)
                    continue;
                if (Unique(rsaSeen, rsa, $"{itemPath}.rsa_identity", entry.Get("rsa_identity")!.Value.Node))
                    fallbacks.Add(new FallbackDir(rsa, ed.Length == 0 ? null : ed, orPorts));
            }
        }

        if (section.Get("dir_authorities") is { } da && ListOf(da.Node, da.Path, "a string or an array of strings", DirAuthorityLine.Accepted) is { } lines)
        {
            foreach (var (item, itemPath) in lines)
            {
                if (ReadString(item, itemPath, "a string", DirAuthorityLine.Accepted) is not { } line)
                    continue;
                if (!DirAuthorityLine.TryParse(line, out var authority, out var fallback, out var problem))
                {
                    Error(itemPath, item, $"{problem} in {item.Show()}; accepted: {DirAuthorityLine.Accepted}");
                    continue;
                }
                if (Unique(v3Seen, authority.V3Ident, itemPath, item) && Unique(rsaSeen, fallback.RsaIdentity, itemPath, item))
                {
                    authorities.Add(authority);
                    fallbacks.Add(fallback);
                }
            }
        }

        if (_errors.Count > errorsBefore)
            return (null, null);
        if (authorities.Count > 0 && fallbacks.Count == 0)
        {
            Error(Join(path, "fallback_caches"), node,
                "authorities are given but no fallback cache to bootstrap from; accepted: at least one fallback_caches entry or a dir_authorities line");
            return (null, null);
        }
        return (authorities, fallbacks);
    }

    private TcpStackSection? ReadTcpStack(PayloadNode node, string path)
    {
        var defaults = new TcpStackSection();
        var section = Section(node, path, TcpStackKeys);
        if (section is null)
            return null;
        TcpStackKind? kind = defaults.Kind;
        if (section.Get("kind") is { } k)
        {
            kind = ReadString(k.Node, k.Path, "a string", "system") switch
            {
                null => null,
                var s when s.Equals("system", StringComparison.OrdinalIgnoreCase) => TcpStackKind.System,
                _ => Error<TcpStackKind>(k.Path, k.Node, $"{k.Node.Show()} is not supported; supported kinds: system"),
            };
        }
        var listen = section.Get("listen") is { } l ? ReadEndPoint(l.Node, l.Path, EndPointAccepted) : defaults.Listen;
        return kind is null || listen is null ? null : new TcpStackSection { Kind = kind.Value, Listen = listen };
    }

    private UpstreamSection? ReadUpstream(PayloadNode node, string path)
    {
        var section = Section(node, path, UpstreamKeys);
        if (section is null)
            return null;
        UpstreamKind? kind = UpstreamKind.InProcess;
        var kindEntry = section.Get("kind");
        if (kindEntry is { } k)
        {
            kind = ReadString(k.Node, k.Path, "a string", "in_process, socks5") switch
            {
                null => null,
                var s when s.Equals("in_process", StringComparison.OrdinalIgnoreCase) => UpstreamKind.InProcess,
                var s when s.Equals("socks5", StringComparison.OrdinalIgnoreCase) => UpstreamKind.Socks5,
                _ => Error<UpstreamKind>(k.Path, k.Node, $"{k.Node.Show()} is not supported; supported kinds: in_process, socks5"),
            };
        }
        var socksEntry = section.Get("socks5");
        var socks = socksEntry is { } so ? ReadEndPoint(so.Node, so.Path, "the SocksPort of a running Tor or Arti as " + EndPointAccepted) : null;
        if (kind is null || (socksEntry is not null && socks is null))
            return null;

        var socksPath = Join(path, "socks5");
        if (kind == UpstreamKind.Socks5 && socks is null)
        {
            Error(socksPath, node, $"is missing; accepted: the SocksPort as {EndPointAccepted}, required when upstream.kind is \"socks5\"");
            return null;
        }
        if (kind == UpstreamKind.InProcess && socks is not null)
        {
            Error(socksPath, socksEntry!.Value.Node,
                $"is only used when upstream.kind is \"socks5\" (it is \"in_process\"{(kindEntry is null ? ", the default" : "")}); accepted: set kind = \"socks5\" to use this SocksPort, or remove socks5");
            return null;
        }
        return new UpstreamSection { Kind = kind.Value, Socks5Address = socks };
    }

    private RecoverySection? ReadRecovery(PayloadNode node, string path, TcpStackSection? tcpStack)
    {
        var section = Section(node, path, RecoveryKeys);
        if (section is null)
            return null;
        var pflog = false;
        if (section.Get("pflog_fallback") is { } p)
        {
            if (p.Node.Kind != PayloadNodeKind.Boolean)
            {
                TypeError(p.Path, p.Node, "a boolean", "true or false");
                return null;
            }
            pflog = p.Node.Boolean;
            if (pflog && tcpStack is not null && Recovery.MacOS.MacOSRecovery.ValidateListen(tcpStack.Listen, pflogFallback: true) is not null)
            {
                Error(p.Path, p.Node,
                    $"needs an explicit tcp_stack.listen address, not {NetworkSyntax.Format(tcpStack.Listen)}; accepted: false, or true with a specific listen address such as 127.0.0.1:9040");
                return null;
            }
        }
        return new RecoverySection { PflogFallback = pflog };
    }

    // ---- scalars ------------------------------------------------------------------------

    private int? ReadInteger(PayloadNode node, string path, int min, int max, string? accepted = null)
    {
        accepted ??= $"an integer from {min} to {max}";
        if (node.Kind != PayloadNodeKind.Integer)
        {
            TypeError(path, node, "an integer", accepted);
            return null;
        }
        if (node.IntegerOverflow || node.Integer < min || node.Integer > max)
        {
            Error(path, node, $"{node.Display} is out of range; accepted: {accepted}");
            return null;
        }
        return (int)node.Integer;
    }

    private string? ReadString(PayloadNode node, string path, string expected, string accepted)
    {
        if (node.Kind == PayloadNodeKind.String)
            return node.String;
        TypeError(path, node, expected, accepted);
        return null;
    }

    private IPEndPoint? ReadEndPoint(PayloadNode node, string path, string accepted)
    {
        if (ReadString(node, path, "a string", accepted) is not { } text)
            return null;
        if (NetworkSyntax.TryParseEndPoint(text, out var endPoint))
            return endPoint;
        Error(path, node, $"{node.Show()} is not a valid address; accepted: {accepted}");
        return null;
    }

    private List<IPEndPoint>? ReadEndPoints(PayloadNode node, string path)
    {
        var items = ListOf(node, path, "an array of strings", EndPointAccepted);
        if (items is null)
            return null;
        if (items.Count == 0)
        {
            Error(path, node, $"must list at least one ORPort; accepted: {EndPointAccepted}");
            return null;
        }
        var result = new List<IPEndPoint>(items.Count);
        foreach (var (item, itemPath) in items)
            if (ReadEndPoint(item, itemPath, EndPointAccepted) is { } ep)
                result.Add(ep);
        return result.Count == items.Count ? result : null;
    }

    private string? ReadDirectory(PayloadNode node, string path)
    {
        var accepted = $"an absolute path, a path relative to {_context.BaseDirectory}, or one starting with ~/";
        if (node.Kind != PayloadNodeKind.String)
        {
            Error(path, node, $"must be a non-empty string; found {node.Describe()}; accepted: {accepted}");
            return null;
        }
        var text = node.String;
        if (string.IsNullOrWhiteSpace(text))
        {
            Error(path, node, "must be a non-empty string");
            return null;
        }
        if (text.Contains('\0'))
        {
            Error(path, node, $"{node.Show()} contains a NUL character; accepted: {accepted}");
            return null;
        }
        if (text.StartsWith('~'))
        {
            if (!(text == "~" || text.StartsWith("~/", StringComparison.Ordinal) || text.StartsWith("~\\", StringComparison.Ordinal)))
            {
                Error(path, node, $"{node.Show()}: only the current user's home (~ or ~/path) is expanded; accepted: {accepted}");
                return null;
            }
            if (string.IsNullOrEmpty(_context.HomeDirectory))
            {
                Error(path, node, $"{node.Show()} starts with ~ but the home directory is unknown (HOME is not set); accepted: an absolute path or a path relative to {_context.BaseDirectory}");
                return null;
            }
            text = text.Length <= 2 ? _context.HomeDirectory : Path.Combine(_context.HomeDirectory, text[2..]);
        }
        try
        {
            return Path.GetFullPath(text, _context.BaseDirectory);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            Error(path, node, $"{node.Show()} is not a usable path ({e.Message}); accepted: {accepted}");
            return null;
        }
    }

    private string? ReadNickname(PayloadNode node, string path)
    {
        if (ReadString(node, path, "a string", NicknameAccepted) is not { } name)
            return null;
        if (IsNickname(name))
            return name;
        Error(path, node, $"{node.Show()} is not a valid nickname; accepted: {NicknameAccepted}");
        return null;
    }

    private string? ReadFingerprint(PayloadNode node, string path)
    {
        if (ReadString(node, path, "a string", HexAccepted) is not { } text)
            return null;
        if (IsHexFingerprint(text))
            return text.ToUpperInvariant();
        Error(path, node, $"{node.Show()} is not a valid fingerprint; accepted: {HexAccepted}");
        return null;
    }

    private string? ReadEd25519(PayloadNode node, string path)
    {
        if (ReadString(node, path, "a string", Ed25519Accepted) is not { } text)
            return null;
        var unpadded = text.EndsWith('=') && text.Length == 44 ? text[..43] : text;
        Span<byte> key = stackalloc byte[33];
        if (unpadded.Length == 43 && unpadded.All(c => char.IsAsciiLetterOrDigit(c) || c is '+' or '/')
            && Convert.TryFromBase64String(unpadded + "=", key, out var written) && written == 32)
        {
            return unpadded;
        }
        Error(path, node, $"{node.Show()} is not a valid Ed25519 identity; accepted: {Ed25519Accepted}");
        return null;
    }

    public static bool IsNickname(string s) => s.Length is >= 1 and <= 19 && s.All(char.IsAsciiLetterOrDigit);

    public static bool IsHexFingerprint(string s) => s.Length == 40 && s.All(char.IsAsciiHexDigit);

    // ---- structure ----------------------------------------------------------------------

    /// <summary>A table's members by schema key; unknown keys are reported here, once per table.</summary>
    private sealed class SectionView(PayloadNode node, string path)
    {
        public string Path => path;

        public (PayloadNode Node, string Path)? Get(string key)
            => node.Find(key) is { } m ? (m.Value, Join(path, key)) : null;
    }

    private SectionView? Section(PayloadNode node, string path, string[] known, string? knownLabel = null)
    {
        knownLabel ??= $"known keys in [{path}]";
        if (node.Kind != PayloadNodeKind.Table)
        {
            TypeError(path, node, "a table", $"a table with keys {string.Join(", ", known)}");
            return null;
        }
        foreach (var member in node.Members)
        {
            if (known.Contains(member.Key, node.KeyComparer))
                continue;
            var memberPath = Join(path, member.Key);
            var hint = Closest(member.Key, known) is { } close ? $" (did you mean '{close}'?)" : "";
            Add(new PayloadError(memberPath,
                $"unknown key {PayloadNode.Quote(memberPath)}{hint}; {knownLabel}: {string.Join(", ", known)}",
                member.Line ?? member.Value.Line, member.Column ?? member.Value.Column, _context.SourceName));
        }
        return new SectionView(node, path);
    }

    /// <summary>The items of an array (or of a single value standing for a one-item array), with their paths.</summary>
    private List<(PayloadNode Node, string Path)>? ListOf(PayloadNode node, string path, string expected, string accepted)
    {
        if (node.Kind == PayloadNodeKind.Array)
            return node.Items.Select((item, i) => (item, string.Create(CultureInfo.InvariantCulture, $"{path}[{i}]"))).ToList();
        if (node.Kind is PayloadNodeKind.String or PayloadNodeKind.Table)
            return [(node, path)];
        TypeError(path, node, expected, accepted);
        return null;
    }

    private T? Required<T>(SectionView entry, PayloadNode table, string key, string accepted, Func<PayloadNode, string, T?> read)
        where T : class
    {
        if (entry.Get(key) is { } found)
            return read(found.Node, found.Path);
        var path = Join(entry.Path, key);
        Error(path, table, $"is missing; accepted: {accepted}");
        return null;
    }

    private bool Unique(Dictionary<string, string> seen, string identity, string path, PayloadNode node)
    {
        if (seen.TryGetValue(identity, out var first))
        {
            Error(path, node, $"the identity {identity} is also given at {first}; accepted: each authority and cache once");
            return false;
        }
        seen[identity] = path;
        return true;
    }

    private static string Join(string path, string key) => path.Length == 0 ? key : $"{path}.{key}";

    /// <summary>The known key closest to <paramref name="key"/> when it is a plausible typo (case-insensitive edit distance).</summary>
    internal static string? Closest(string key, IEnumerable<string> known)
    {
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var k in known)
        {
            var d = EditDistance(key.ToLowerInvariant(), k);
            if (d < bestDistance)
            {
                best = k;
                bestDistance = d;
            }
        }
        var allowed = Math.Max(1, Math.Min(3, key.Length / 3));
        return bestDistance <= allowed ? best : null;
    }

    private static int EditDistance(string a, string b)
    {
        if (a.Length > 64 || b.Length > 64)
            return int.MaxValue;
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
            previous[j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }

    // ---- errors -------------------------------------------------------------------------

    private void TypeError(string path, PayloadNode node, string expected, string accepted)
        => Error(path, node, $"expected {expected}, found {node.Describe()}; accepted: {accepted}");

    private void Error(string path, PayloadNode node, string what)
        => Add(new PayloadError(path, $"{path}: {what}", node.Line, node.Column, _context.SourceName));

    private T? Error<T>(string path, PayloadNode node, string what)
        where T : struct
    {
        Error(path, node, what);
        return null;
    }

    private void Add(PayloadError error)
    {
        if (_errors.Count < MaxErrors)
            _errors.Add(error);
    }
}
