// Router status entries of a consensus (dir-spec 3.4.1 "r", "a", "s", "v", "pr", "w", "p", and
// "m" in the microdesc flavour, 3.9.2). The entry under construction lives in fields so that the
// hot per-router loop allocates only what it keeps; repeated "v"/"p"/"pr" values are shared.
using System.Net;
using Burrow.Tor.Identities;

namespace Burrow.Tor.NetDoc;

/// <summary>Reads the router entries of one consensus, in order, into <see cref="Routers"/>.</summary>
internal sealed class RouterStatusParser(ConsensusFlavor flavor)
{
    public List<RouterStatus> Routers { get; } = new(8192);

    private readonly InternTable<string> _versions = new();
    private readonly InternTable<ProtocolVersions> _protocols = new();
    private readonly InternTable<PortPolicy> _policies = new();

    // Router entry in progress.
    private bool _inRouter;
    private int _rLine;
    private string _nickname = "";
    private RsaIdentity _identity;
    private RsaIdentity? _previousIdentity;
    private byte[]? _descriptorDigest;
    private DateTime _published;
    private IPAddress _address = IPAddress.None;
    private ushort _orPort, _dirPort;
    private List<IPEndPoint>? _extraAddresses;
    private Digest256? _md;
    private RelayFlags _flags;
    private string? _version;
    private ProtocolVersions? _protocolsValue;
    private uint? _bandwidth;
    private bool _unmeasured;
    private PortPolicy? _policy;
    private int _routerSeen; // bits: 1 s, 2 m, 4 v, 8 pr, 16 w, 32 p

    /// <summary>One item of the router section: "r" starts an entry, the others belong to it.</summary>
    public void Item(NetDocItem item)
    {
        var kw = item.Keyword;
        var line = item.Line;
        if (kw.Length == 1)
        {
            switch (kw[0])
            {
                case (byte)'r':
                    Finish();
                    StartRouter(item);
                    return;
                case (byte)'a':
                    InRouter(item);
                    item.RequireNoObject();
                    _extraAddresses ??= new List<IPEndPoint>(1);
                    if (_extraAddresses.Count == 8)
                        throw new NetDocException("more than 8 'a' lines for one router", line);
                    var aa = item.Args;
                    _extraAddresses.Add(NetDocText.ParseOrAddress(aa.Next("a", "address:port"), line, "a"));
                    return;
                case (byte)'m':
                    InRouter(item);
                    if (flavor != ConsensusFlavor.Microdesc)
                        return; // "m" only occurs in votes for the ns flavour; not ours to check.
                    OnceInRouter(2, item);
                    item.RequireNoObject();
                    var ma = item.Args;
                    Span<byte> digest = stackalloc byte[Digest256.Length];
                    NetDocText.DecodeBase64Unpadded(ma.Next("m", "digest"), digest, line, "'m' microdescriptor digest");
                    _md = new Digest256(digest);
                    return;
                case (byte)'s':
                    InRouter(item);
                    OnceInRouter(1, item);
                    item.RequireNoObject();
                    var sa = item.Args;
                    while (sa.TryNext(out var f))
                        _flags |= ParseFlag(f);
                    return;
                case (byte)'v':
                    InRouter(item);
                    OnceInRouter(4, item);
                    item.RequireNoObject();
                    _version = _versions.Get(item.Arguments, line, static (s, _) => NetDocText.Latin1(s));
                    return;
                case (byte)'w':
                    InRouter(item);
                    OnceInRouter(16, item);
                    item.RequireNoObject();
                    ParseWeight(item);
                    return;
                case (byte)'p':
                    InRouter(item);
                    OnceInRouter(32, item);
                    item.RequireNoObject();
                    _policy = _policies.Get(item.Arguments, line, static (s, l) => PortPolicy.Parse(s, l, "p"));
                    return;
            }
        }
        else if (kw.Length == 2 && kw[0] == (byte)'p' && kw[1] == (byte)'r')
        {
            InRouter(item);
            OnceInRouter(8, item);
            item.RequireNoObject();
            _protocolsValue = _protocols.Get(item.Arguments, line, static (s, l) => ProtocolVersions.Parse(s, l));
            return;
        }
        if (!_inRouter)
            throw new NetDocException($"'{item.KeywordText}' before the first router entry", line);
        // Other short keywords ("id" in votes, future ones) are ignored.
    }

    private void ParseWeight(NetDocItem item)
    {
        var a = item.Args;
        while (a.TryNext(out var kv))
        {
            if (kv.StartsWith("Bandwidth="u8))
                _bandwidth = (uint)NetDocText.ParseUInt(kv["Bandwidth="u8.Length..], uint.MaxValue, item.Line, "'w' Bandwidth");
            else if (kv.SequenceEqual("Unmeasured=1"u8))
                _unmeasured = true;
            // Other keywords (Measured= in votes, future ones) are ignored, as 3.4.1 requires.
        }
    }

    private void StartRouter(NetDocItem item)
    {
        var line = item.Line;
        item.RequireNoObject();
        var a = item.Args;
        var nick = a.Next("r", "nickname");
        if (!IsValidNickname(nick))
            throw new NetDocException($"router nickname '{NetDocText.Latin1(NetDocText.Clip(nick))}' must be 1-19 letters and digits", line);
        Span<byte> id = stackalloc byte[RsaIdentity.Length];
        NetDocText.DecodeBase64Unpadded(a.Next("r", "identity"), id, line, "'r' identity");
        var identity = new RsaIdentity(id);
        if (_previousIdentity is { } prev && identity.CompareTo(prev) <= 0)
            throw new NetDocException("router entries must be sorted by identity without duplicates", line);
        if (flavor == ConsensusFlavor.Ns)
        {
            var dd = new byte[20];
            NetDocText.DecodeBase64Unpadded(a.Next("r", "descriptor digest"), dd, line, "'r' descriptor digest");
            _descriptorDigest = dd;
        }
        else
            _descriptorDigest = null;
        _published = NetDocText.ParseTime(ref a, "r", line);
        _address = NetDocText.ParseIPv4(a.Next("r", "IP"), line, "'r' IP");
        _orPort = NetDocText.ParsePort(a.Next("r", "ORPort"), line, "'r' ORPort");
        _dirPort = NetDocText.ParsePort(a.Next("r", "DirPort"), line, "'r' DirPort");

        _inRouter = true;
        _rLine = line;
        _nickname = NetDocText.Latin1(nick);
        _identity = identity;
        _previousIdentity = identity;
        _extraAddresses = null;
        _md = null;
        _flags = RelayFlags.None;
        _version = null;
        _protocolsValue = null;
        _bandwidth = null;
        _unmeasured = false;
        _policy = null;
        _routerSeen = 0;
    }

    /// <summary>Completes the entry in progress, if any (at the next "r" or the end of the section).</summary>
    public void Finish()
    {
        if (!_inRouter)
            return;
        _inRouter = false;
        if ((_routerSeen & 1) == 0)
            throw new NetDocException($"router '{_nickname}' has no 's' line", _rLine);
        if (flavor == ConsensusFlavor.Microdesc && _md == null)
            throw new NetDocException($"router '{_nickname}' has no 'm' line", _rLine);
        Routers.Add(new RouterStatus
        {
            Nickname = _nickname,
            Identity = _identity,
            DescriptorDigest = _descriptorDigest,
            Published = _published,
            Address = _address,
            OrPort = _orPort,
            DirPort = _dirPort,
            AdditionalOrPorts = _extraAddresses != null ? _extraAddresses.ToArray() : [],
            MicrodescDigest = _md,
            Flags = _flags,
            Version = _version,
            Protocols = _protocolsValue ?? ProtocolVersions.Empty,
            Bandwidth = _bandwidth,
            IsUnmeasured = _unmeasured,
            ExitPolicy = _policy,
            LineNumber = _rLine,
        });
    }

    private void InRouter(NetDocItem item)
    {
        if (!_inRouter)
            throw new NetDocException($"'{item.KeywordText}' before the first router entry", item.Line);
    }

    private void OnceInRouter(int bit, NetDocItem item)
    {
        if ((_routerSeen & bit) != 0)
            throw new NetDocException($"'{item.KeywordText}' appears twice in router entry '{_nickname}'", item.Line);
        _routerSeen |= bit;
    }

    internal static RelayFlags ParseFlag(ReadOnlySpan<byte> f) => f.Length switch
    {
        4 when f.SequenceEqual("Fast"u8) => RelayFlags.Fast,
        4 when f.SequenceEqual("Exit"u8) => RelayFlags.Exit,
        5 when f.SequenceEqual("Guard"u8) => RelayFlags.Guard,
        5 when f.SequenceEqual("HSDir"u8) => RelayFlags.HSDir,
        5 when f.SequenceEqual("V2Dir"u8) => RelayFlags.V2Dir,
        5 when f.SequenceEqual("Valid"u8) => RelayFlags.Valid,
        5 when f.SequenceEqual("Sybil"u8) => RelayFlags.Sybil,
        6 when f.SequenceEqual("Stable"u8) => RelayFlags.Stable,
        7 when f.SequenceEqual("Running"u8) => RelayFlags.Running,
        7 when f.SequenceEqual("BadExit"u8) => RelayFlags.BadExit,
        9 when f.SequenceEqual("Authority"u8) => RelayFlags.Authority,
        9 when f.SequenceEqual("StaleDesc"u8) => RelayFlags.StaleDesc,
        10 when f.SequenceEqual("MiddleOnly"u8) => RelayFlags.MiddleOnly,
        13 when f.SequenceEqual("NoEdConsensus"u8) => RelayFlags.NoEdConsensus,
        _ => RelayFlags.None,
    };

    internal static bool IsValidNickname(ReadOnlySpan<byte> n)
    {
        if (n.Length is < 1 or > 19)
            return false;
        foreach (var c in n)
        {
            if (!((uint)((c | 0x20) - 'a') <= 'z' - 'a' || (uint)(c - '0') <= 9))
                return false;
        }
        return true;
    }
}
