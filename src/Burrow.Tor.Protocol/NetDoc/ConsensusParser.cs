// Reads consensus documents (dir-spec 3.4.1 format, 3.9 flavours, 1.3 signatures). One pass
// over the bytes; the per-router loop dispatches on the short keywords without strings or
// regexes, and shares repeated "v"/"pr" values between routers.
using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace Burrow.Tor.NetDoc;

internal static class ConsensusParser
{
    /// <summary>Consensuses are a few MB; this only stops absurd inputs early.</summary>
    public const int MaxDocumentBytes = 64 * 1024 * 1024;

    private const int MaxDirSources = 64;
    private const int MaxSignatures = 64;

    private enum Section { Preamble, Authorities, Routers, Footer, Signatures }

    // Bits for the preamble's at-most-once items.
    [Flags]
    private enum Seen
    {
        None = 0,
        VoteStatus = 1 << 0,
        ConsensusMethod = 1 << 1,
        ValidAfter = 1 << 2,
        FreshUntil = 1 << 3,
        ValidUntil = 1 << 4,
        VotingDelay = 1 << 5,
        ClientVersions = 1 << 6,
        ServerVersions = 1 << 7,
        KnownFlags = 1 << 8,
        RecClient = 1 << 9,
        RecRelay = 1 << 10,
        ReqClient = 1 << 11,
        ReqRelay = 1 << 12,
        Params = 1 << 13,
        SharedRandPrevious = 1 << 14,
        SharedRandCurrent = 1 << 15,
        BandwidthWeights = 1 << 16,
        DirectoryFooter = 1 << 17,
    }

    public static MicrodescConsensus Parse(ReadOnlySpan<byte> doc)
    {
        if (doc.Length > MaxDocumentBytes)
            throw new NetDocException($"consensus is larger than {MaxDocumentBytes} bytes");
        // Tor documents are LF-only; a CRLF copy is parsed and hashed as LF, and the
        // signatures then prove (or refute) that this is the text that was signed.
        var normalized = NetDocText.NormalizeLineEndings(doc);
        if (normalized != null)
            doc = normalized;

        var reader = new NetDocReader(doc, allowAnnotations: true);
        NetDocItem item;
        do
        {
            if (!reader.TryRead(out item))
                throw new NetDocException("empty document: expected 'network-status-version'");
        }
        while (item.IsAnnotation);

        if (!item.Is("network-status-version"u8))
            throw new NetDocException($"a consensus must start with 'network-status-version', found '{item.KeywordText}'", item.Line);
        var documentStart = item.Start;
        var flavor = ParseVersion(item);

        var state = new State(flavor);
        var section = Section.Preamble;
        var signedEnd = -1;
        var seen = Seen.None;

        while (reader.TryRead(out item))
        {
            if (item.IsAnnotation)
                throw new NetDocException("annotation lines are only allowed before 'network-status-version'", item.Line);
            var kw = item.Keyword;

            if (section == Section.Signatures)
            {
                if (!item.Is("directory-signature"u8))
                    throw new NetDocException($"only 'directory-signature' items may follow the first signature, found '{item.KeywordText}'", item.Line);
                state.AddSignature(item);
                continue;
            }

            if (item.Is("directory-signature"u8))
            {
                state.FinishRouter();
                state.FinishDirSource();
                // The signed part ends with the single space after the first "directory-signature".
                var afterKeyword = item.Start + "directory-signature"u8.Length;
                if (afterKeyword >= doc.Length || doc[afterKeyword] != (byte)' ')
                    throw new NetDocException("'directory-signature' must be followed by a single space and its arguments", item.Line);
                signedEnd = afterKeyword + 1;
                section = Section.Signatures;
                state.AddSignature(item);
                continue;
            }

            if (section == Section.Routers && kw.Length <= 2)
            {
                state.RouterItem(item);
                continue;
            }

            if (kw.SequenceEqual("r"u8))
            {
                if (section == Section.Footer)
                    throw new NetDocException("router entry ('r') after 'directory-footer'", item.Line);
                state.FinishDirSource();
                section = Section.Routers;
                state.RouterItem(item);
                continue;
            }

            if (kw.SequenceEqual("directory-footer"u8))
            {
                if (section == Section.Footer)
                    throw new NetDocException("'directory-footer' appears more than once", item.Line);
                NoArgumentsNoObject(item);
                state.FinishRouter();
                state.FinishDirSource();
                section = Section.Footer;
                seen |= Seen.DirectoryFooter;
                continue;
            }

            if (kw.SequenceEqual("bandwidth-weights"u8))
            {
                if (section != Section.Footer)
                    throw new NetDocException("'bandwidth-weights' must be in the footer, after 'directory-footer'", item.Line);
                Once(ref seen, Seen.BandwidthWeights, item);
                item.RequireNoObject();
                state.Weights = BandwidthWeights.Parse(item.Arguments, item.Line);
                continue;
            }

            if (kw.SequenceEqual("dir-source"u8))
            {
                if (section is Section.Routers or Section.Footer)
                    throw new NetDocException("'dir-source' after the router entries", item.Line);
                section = Section.Authorities;
                state.DirSourceItem(item);
                continue;
            }

            if (kw.SequenceEqual("contact"u8) || kw.SequenceEqual("vote-digest"u8))
            {
                if (section != Section.Authorities)
                    throw new NetDocException($"'{item.KeywordText}' outside an authority section group", item.Line);
                state.DirSourceItem(item);
                continue;
            }

            if (TryPreamble(state, ref seen, item))
            {
                if (section != Section.Preamble)
                    throw new NetDocException($"'{item.KeywordText}' belongs in the preamble, before the first 'dir-source'", item.Line);
                continue;
            }
            // Unknown keywords are ignored wherever they appear (dir-spec 1.2).
        }

        if (section != Section.Signatures)
            throw new NetDocException("consensus has no 'directory-signature'", reader.Line);
        Require(seen, Seen.VoteStatus, "vote-status");
        Require(seen, Seen.ValidAfter, "valid-after");
        Require(seen, Seen.FreshUntil, "fresh-until");
        Require(seen, Seen.ValidUntil, "valid-until");
        Require(seen, Seen.VotingDelay, "voting-delay");
        Require(seen, Seen.KnownFlags, "known-flags");
        if (!(state.ValidAfter < state.FreshUntil && state.FreshUntil < state.ValidUntil))
            throw new NetDocException("consensus times must satisfy valid-after < fresh-until < valid-until");

        // Digest of the signed part, once per algorithm in use.
        var signed = doc[documentStart..signedEnd];
        byte[]? sha1 = null, sha256 = null;
        var signatures = new List<DirectorySignature>(state.Signatures.Count);
        foreach (var s in state.Signatures)
        {
            byte[]? digest = s.Algorithm switch
            {
                "sha1" => sha1 ??= SHA1.HashData(signed),
                "sha256" => sha256 ??= SHA256.HashData(signed),
                _ => null,
            };
            signatures.Add(new DirectorySignature
            {
                Algorithm = s.Algorithm,
                Identity = s.Identity,
                SigningKeyDigest = s.SigningKeyDigest,
                Signature = s.Signature,
                LineNumber = s.LineNumber,
                SignedDigest = digest,
            });
        }

        return new MicrodescConsensus
        {
            Flavor = flavor,
            ConsensusMethod = state.ConsensusMethod,
            ValidAfter = state.ValidAfter,
            FreshUntil = state.FreshUntil,
            ValidUntil = state.ValidUntil,
            VoteSeconds = state.VoteSeconds,
            DistSeconds = state.DistSeconds,
            ClientVersions = state.ClientVersions,
            ServerVersions = state.ServerVersions,
            KnownFlags = state.KnownFlags,
            RecommendedClientProtocols = state.RecommendedClientProtocols,
            RequiredClientProtocols = state.RequiredClientProtocols,
            RecommendedRelayProtocols = state.RecommendedRelayProtocols,
            RequiredRelayProtocols = state.RequiredRelayProtocols,
            Params = state.Params,
            DirSources = state.DirSources,
            Routers = state.Routers,
            BandwidthWeights = state.Weights,
            Signatures = signatures,
        };
    }

    private static ConsensusFlavor ParseVersion(NetDocItem item)
    {
        item.RequireNoObject();
        var args = item.Args;
        var version = args.Next("network-status-version", "version");
        if (!version.SequenceEqual("3"u8))
            throw new NetDocException($"unsupported network-status-version '{NetDocText.Latin1(NetDocText.Clip(version))}' (only 3 is understood)", item.Line);
        if (!args.TryNext(out var flavor) || flavor.SequenceEqual("ns"u8))
            return ConsensusFlavor.Ns;
        if (flavor.SequenceEqual("microdesc"u8))
            return ConsensusFlavor.Microdesc;
        throw new NetDocException($"unsupported consensus flavour '{NetDocText.Latin1(NetDocText.Clip(flavor))}' (expected 'microdesc' or 'ns')", item.Line);
    }

    /// <summary>Handles a preamble keyword; false when the keyword is not one.</summary>
    private static bool TryPreamble(State state, ref Seen seen, NetDocItem item)
    {
        var kw = item.Keyword;
        var line = item.Line;
        switch (kw.Length)
        {
            case 11 when kw.SequenceEqual("vote-status"u8):
            {
                Once(ref seen, Seen.VoteStatus, item);
                var a = item.Args;
                var status = a.Next("vote-status", "type");
                if (!status.SequenceEqual("consensus"u8))
                    throw new NetDocException($"vote-status is '{NetDocText.Latin1(NetDocText.Clip(status))}'; only 'consensus' documents are accepted", line);
                break;
            }
            case 16 when kw.SequenceEqual("consensus-method"u8):
            {
                Once(ref seen, Seen.ConsensusMethod, item);
                var a = item.Args;
                state.ConsensusMethod = (int)NetDocText.ParseUInt(a.Next("consensus-method", "method"), int.MaxValue, line, "'consensus-method'");
                if (!a.IsEmpty)
                    throw new NetDocException("'consensus-method' takes exactly one argument", line);
                break;
            }
            case 11 when kw.SequenceEqual("valid-after"u8):
            {
                Once(ref seen, Seen.ValidAfter, item);
                var a = item.Args;
                state.ValidAfter = NetDocText.ParseTime(ref a, "valid-after", line);
                break;
            }
            case 11 when kw.SequenceEqual("fresh-until"u8):
            {
                Once(ref seen, Seen.FreshUntil, item);
                var a = item.Args;
                state.FreshUntil = NetDocText.ParseTime(ref a, "fresh-until", line);
                break;
            }
            case 11 when kw.SequenceEqual("valid-until"u8):
            {
                Once(ref seen, Seen.ValidUntil, item);
                var a = item.Args;
                state.ValidUntil = NetDocText.ParseTime(ref a, "valid-until", line);
                break;
            }
            case 12 when kw.SequenceEqual("voting-delay"u8):
            {
                Once(ref seen, Seen.VotingDelay, item);
                var a = item.Args;
                state.VoteSeconds = (int)NetDocText.ParseUInt(a.Next("voting-delay", "VoteSeconds"), int.MaxValue, line, "VoteSeconds");
                state.DistSeconds = (int)NetDocText.ParseUInt(a.Next("voting-delay", "DistSeconds"), int.MaxValue, line, "DistSeconds");
                break;
            }
            case 15 when kw.SequenceEqual("client-versions"u8):
                Once(ref seen, Seen.ClientVersions, item);
                state.ClientVersions = VersionList(item.Arguments);
                break;
            case 15 when kw.SequenceEqual("server-versions"u8):
                Once(ref seen, Seen.ServerVersions, item);
                state.ServerVersions = VersionList(item.Arguments);
                break;
            case 11 when kw.SequenceEqual("known-flags"u8):
            {
                Once(ref seen, Seen.KnownFlags, item);
                var flags = new List<string>();
                var a = item.Args;
                while (a.TryNext(out var f))
                {
                    if (flags.Count == 64)
                        throw new NetDocException("more than 64 known flags", line);
                    flags.Add(NetDocText.Latin1(f));
                }
                state.KnownFlags = flags;
                break;
            }
            case 28 when kw.SequenceEqual("recommended-client-protocols"u8):
                Once(ref seen, Seen.RecClient, item);
                state.RecommendedClientProtocols = ProtocolVersions.Parse(item.Arguments, line);
                break;
            case 27 when kw.SequenceEqual("recommended-relay-protocols"u8):
                Once(ref seen, Seen.RecRelay, item);
                state.RecommendedRelayProtocols = ProtocolVersions.Parse(item.Arguments, line);
                break;
            case 25 when kw.SequenceEqual("required-client-protocols"u8):
                Once(ref seen, Seen.ReqClient, item);
                state.RequiredClientProtocols = ProtocolVersions.Parse(item.Arguments, line);
                break;
            case 24 when kw.SequenceEqual("required-relay-protocols"u8):
                Once(ref seen, Seen.ReqRelay, item);
                state.RequiredRelayProtocols = ProtocolVersions.Parse(item.Arguments, line);
                break;
            case 6 when kw.SequenceEqual("params"u8):
                Once(ref seen, Seen.Params, item);
                state.Params = ConsensusParams.Parse(item.Arguments, line, "params");
                break;
            // Shared randomness is for onion services; only the multiplicity is checked.
            case 26 when kw.SequenceEqual("shared-rand-previous-value"u8):
                Once(ref seen, Seen.SharedRandPrevious, item);
                break;
            case 25 when kw.SequenceEqual("shared-rand-current-value"u8):
                Once(ref seen, Seen.SharedRandCurrent, item);
                break;
            case 7 when kw.SequenceEqual("package"u8):
                break;
            default:
                return false;
        }
        item.RequireNoObject();
        return true;
    }

    private static List<string> VersionList(ReadOnlySpan<byte> args)
    {
        var list = new List<string>();
        foreach (var range in args.Split((byte)','))
        {
            var v = NetDocReader.TrimWhitespace(args[range]);
            if (!v.IsEmpty && list.Count < 1024)
                list.Add(NetDocText.Latin1(v));
        }
        return list;
    }

    private static void Once(ref Seen seen, Seen bit, NetDocItem item)
    {
        if ((seen & bit) != 0)
            throw new NetDocException($"'{item.KeywordText}' appears more than once", item.Line);
        seen |= bit;
    }

    private static void Require(Seen seen, Seen bit, string keyword)
    {
        if ((seen & bit) == 0)
            throw new NetDocException($"consensus lacks '{keyword}'");
    }

    private static void NoArgumentsNoObject(NetDocItem item)
    {
        if (!item.Arguments.IsEmpty)
            throw new NetDocException($"'{item.KeywordText}' takes no arguments", item.Line);
        item.RequireNoObject();
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

    private sealed class PendingSignature
    {
        public required string Algorithm;
        public required RsaIdentity Identity;
        public required RsaIdentity SigningKeyDigest;
        public required byte[] Signature;
        public required int LineNumber;
    }

    /// <summary>Everything collected while reading; the router under construction lives in locals-like fields.</summary>
    private sealed class State(ConsensusFlavor flavor)
    {
        public int ConsensusMethod = 1;
        public DateTime ValidAfter, FreshUntil, ValidUntil;
        public int VoteSeconds, DistSeconds;
        public List<string>? ClientVersions, ServerVersions;
        public IReadOnlyList<string> KnownFlags = [];
        public ProtocolVersions RecommendedClientProtocols = ProtocolVersions.Empty;
        public ProtocolVersions RecommendedRelayProtocols = ProtocolVersions.Empty;
        public ProtocolVersions RequiredClientProtocols = ProtocolVersions.Empty;
        public ProtocolVersions RequiredRelayProtocols = ProtocolVersions.Empty;
        public ConsensusParams Params = ConsensusParams.Empty;
        public BandwidthWeights Weights = BandwidthWeights.Empty;
        public readonly List<DirSource> DirSources = [];
        public readonly List<RouterStatus> Routers = new(8192);
        public readonly List<PendingSignature> Signatures = [];

        private readonly InternTable<string> _versions = new();
        private readonly InternTable<ProtocolVersions> _protocols = new();
        private readonly InternTable<PortPolicy> _policies = new();

        // Authority section group in progress.
        private DirSource? _dirSource;
        private bool _dirSourceContact, _dirSourceVoteDigest;

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

        public void DirSourceItem(NetDocItem item)
        {
            var line = item.Line;
            item.RequireNoObject();
            if (item.Is("dir-source"u8))
            {
                FinishDirSource();
                if (DirSources.Count == MaxDirSources)
                    throw new NetDocException($"more than {MaxDirSources} 'dir-source' entries", line);
                var a = item.Args;
                var nick = a.Next("dir-source", "nickname");
                Span<byte> id = stackalloc byte[RsaIdentity.Length];
                NetDocText.ParseHex(a.Next("dir-source", "identity"), id, line, "'dir-source' identity");
                var address = a.Next("dir-source", "address");
                var ip = NetDocText.ParseIPv4(a.Next("dir-source", "IP"), line, "'dir-source' IP");
                var dirPort = NetDocText.ParsePort(a.Next("dir-source", "dirport"), line, "'dir-source' dirport");
                var orPort = NetDocText.ParsePort(a.Next("dir-source", "orport"), line, "'dir-source' orport");
                _dirSource = new DirSource
                {
                    Nickname = NetDocText.Latin1(NetDocText.Clip(nick)),
                    Identity = new RsaIdentity(id),
                    Address = NetDocText.Latin1(NetDocText.Clip(address)),
                    IPAddress = ip,
                    DirPort = dirPort,
                    OrPort = orPort,
                    LineNumber = line,
                };
                DirSources.Add(_dirSource);
                _dirSourceContact = _dirSourceVoteDigest = false;
                return;
            }
            if (_dirSource == null)
                throw new NetDocException($"'{item.KeywordText}' before any 'dir-source'", line);
            if (item.Is("contact"u8))
            {
                if (_dirSourceContact)
                    throw new NetDocException("'contact' appears twice in one authority group", line);
                _dirSourceContact = true;
                _dirSource.Contact = Encoding.UTF8.GetString(item.Arguments.Length > 256 ? item.Arguments[..256] : item.Arguments);
            }
            else
            {
                if (_dirSourceVoteDigest)
                    throw new NetDocException("'vote-digest' appears twice in one authority group", line);
                _dirSourceVoteDigest = true;
                var a = item.Args;
                var digest = new byte[20];
                NetDocText.ParseHex(a.Next("vote-digest", "digest"), digest, line, "'vote-digest'");
                _dirSource.VoteDigest = digest;
            }
        }

        public void FinishDirSource()
        {
            if (_dirSource != null && !_dirSource.IsLegacy && !_dirSourceVoteDigest)
                throw new NetDocException($"authority group '{_dirSource.Nickname}' lacks 'vote-digest'", _dirSource.LineNumber);
            _dirSource = null;
        }

        public void RouterItem(NetDocItem item)
        {
            var kw = item.Keyword;
            var line = item.Line;
            if (kw.Length == 1)
            {
                switch (kw[0])
                {
                    case (byte)'r':
                        FinishRouter();
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

        public void FinishRouter()
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

        public void AddSignature(NetDocItem item)
        {
            var line = item.Line;
            if (Signatures.Count == MaxSignatures)
                throw new NetDocException($"more than {MaxSignatures} signatures", line);
            var a = item.Args;
            var first = a.Next("directory-signature", "identity");
            var second = a.Next("directory-signature", "signing-key-digest");
            string algorithm;
            ReadOnlySpan<byte> idText, skdText;
            if (a.TryNext(out var third))
            {
                algorithm = NetDocText.Latin1(NetDocText.Clip(first));
                idText = second;
                skdText = third;
            }
            else
            {
                algorithm = "sha1"; // dir-spec 3.4.1: the default when no algorithm is given
                idText = first;
                skdText = second;
            }
            Span<byte> id = stackalloc byte[RsaIdentity.Length];
            Span<byte> skd = stackalloc byte[RsaIdentity.Length];
            NetDocText.ParseHex(idText, id, line, "'directory-signature' identity");
            NetDocText.ParseHex(skdText, skd, line, "'directory-signature' signing-key-digest");
            var signature = item.DecodeObject("SIGNATURE"u8);
            Signatures.Add(new PendingSignature
            {
                Algorithm = algorithm,
                Identity = new RsaIdentity(id),
                SigningKeyDigest = new RsaIdentity(skd),
                Signature = signature,
                LineNumber = line,
            });
        }
    }
}
