// Microdescriptors (dir-spec 3.3 "Computing microdescriptors"; TAP key optional per
// proposal 350). A microdescriptor is identified by the SHA-256 of its text, which the
// consensus "m" line names; that digest is what binds it to a relay.
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Burrow.Tor.Identities;

namespace Burrow.Tor.NetDoc;

internal sealed class Microdescriptor
{
    private const int MaxFamilyEntries = 4096;
    private const int MaxAddresses = 8;
    public const int NtorKeyLength = 32;

    private Microdescriptor() { }

    /// <summary>SHA-256 of the text from its first line ("onion-key") up to the next microdescriptor.</summary>
    public Digest256 Digest { get; private init; }

    /// <summary>Whether the obsolete TAP "onion-key" carried a key (newer ones may leave it out).</summary>
    public bool HasTapOnionKey { get; private init; }

    /// <summary>The curve25519 key for ntor, 32 bytes; null when the microdescriptor has none.</summary>
    public byte[]? NtorOnionKey { get; private init; }

    /// <summary>"id ed25519": the relay's Ed25519 identity. Not to be believed when the consensus says NoEdConsensus.</summary>
    public Ed25519Identity? Ed25519Id { get; private init; }

    /// <summary>The "family" entries as written ("$HEX", "$HEX=name", "$HEX~name" or nicknames).</summary>
    public IReadOnlyList<string> Family { get; private init; } = [];

    /// <summary>The RSA identities named by "$HEX" entries of <see cref="Family"/>.</summary>
    public IReadOnlyList<RsaIdentity> FamilyRsaIds { get; private init; } = [];

    /// <summary>"family-ids" entries (e.g. "ed25519:..."): relays sharing one are in one family.</summary>
    public IReadOnlyList<string> FamilyIds { get; private init; } = [];

    /// <summary>"p": IPv4 exit ports; "reject 1-65535" when absent.</summary>
    public PortPolicy ExitPolicy { get; private init; } = PortPolicy.RejectAll;

    /// <summary>"p6": IPv6 exit ports; "reject 1-65535" when absent.</summary>
    public PortPolicy ExitPolicy6 { get; private init; } = PortPolicy.RejectAll;

    /// <summary>"a" lines (consensus methods 14-27 put the IPv6 ORPort here).</summary>
    public IReadOnlyList<IPEndPoint> Addresses { get; private init; } = [];

    /// <summary>1-based line where it starts in the text it was read from.</summary>
    public int LineNumber { get; private init; }

    public override string ToString() => $"microdescriptor {Digest} (line {LineNumber})";

    public static IReadOnlyList<Microdescriptor> ParseAll(string text) => ParseAll(Encoding.Latin1.GetBytes(text));

    public static Microdescriptor Parse(ReadOnlySpan<byte> text)
    {
        var all = ParseAll(text);
        if (all.Count != 1)
            throw new NetDocException($"expected one microdescriptor, found {all.Count}");
        return all[0];
    }

    /// <summary>
    /// Parses concatenated microdescriptors: a /tor/micro/d/ response or Tor's cache files,
    /// whose "@last-listed" annotation lines precede entries and are not part of them.
    /// </summary>
    public static IReadOnlyList<Microdescriptor> ParseAll(ReadOnlySpan<byte> text)
    {
        if (text.Length > ConsensusParser.MaxDocumentBytes)
            throw new NetDocException($"microdescriptor document is larger than {ConsensusParser.MaxDocumentBytes} bytes");
        // The digest is over the LF text; a CRLF copy is hashed as LF and the consensus "m"
        // line then decides whether it is the right one.
        var normalized = NetDocText.NormalizeLineEndings(text);
        if (normalized != null)
            text = normalized;

        var result = new List<Microdescriptor>();
        var reader = new NetDocReader(text, allowAnnotations: true);
        Builder? current = null;
        var policies = new InternTable<PortPolicy>();

        while (reader.TryRead(out var item))
        {
            if (item.IsAnnotation)
            {
                if (current != null)
                {
                    result.Add(current.Build(text[current.Start..item.Start]));
                    current = null;
                }
                continue;
            }
            var startsNew = item.Is("onion-key"u8);
            if (startsNew && current != null)
            {
                result.Add(current.Build(text[current.Start..item.Start]));
                current = null;
            }
            // Without a TAP key line the first keyword line starts the entry (proposal 350).
            current ??= new Builder(item.Start, item.Line, policies);
            current.Add(item);
        }
        if (current != null)
            result.Add(current.Build(text[current.Start..]));
        return result;
    }

    private sealed class Builder(int start, int line, InternTable<PortPolicy> policies)
    {
        public readonly int Start = start;
        private bool _onionKey, _tap;
        private byte[]? _ntor;
        private Ed25519Identity? _ed;
        private bool _rsaId;
        private List<string>? _family;
        private List<RsaIdentity>? _familyRsa;
        private List<string>? _familyIds;
        private PortPolicy? _p, _p6;
        private List<IPEndPoint>? _addresses;
        private bool _pr;

        public void Add(NetDocItem item)
        {
            var kw = item.Keyword;
            var l = item.Line;
            if (kw.SequenceEqual("onion-key"u8))
            {
                if (_onionKey)
                    throw new NetDocException("'onion-key' appears twice in one microdescriptor", l);
                _onionKey = true;
                if (item.HasObject)
                {
                    // Only the shape is checked (the tokenizer vetted the base64 characters):
                    // TAP is obsolete and the key is never used, so it is not decoded.
                    if (!item.ObjectTag.SequenceEqual("RSA PUBLIC KEY"u8))
                        throw new NetDocException($"'onion-key' object has type '{NetDocText.Latin1(item.ObjectTag)}', expected 'RSA PUBLIC KEY'", item.ObjectLine);
                    _tap = true;
                }
                if (!item.Arguments.IsEmpty)
                    throw new NetDocException("'onion-key' takes no arguments", l);
            }
            else if (kw.SequenceEqual("ntor-onion-key"u8))
            {
                if (_ntor != null)
                    throw new NetDocException("'ntor-onion-key' appears twice in one microdescriptor", l);
                item.RequireNoObject();
                var a = item.Args;
                var key = new byte[NtorKeyLength];
                NetDocText.DecodeBase64Unpadded(a.Next("ntor-onion-key", "key"), key, l, "'ntor-onion-key'");
                _ntor = key;
            }
            else if (kw.SequenceEqual("id"u8))
            {
                item.RequireNoObject();
                var a = item.Args;
                var type = a.Next("id", "key type");
                var value = a.Next("id", "key");
                if (type.SequenceEqual("ed25519"u8))
                {
                    if (_ed != null)
                        throw new NetDocException("'id ed25519' appears twice in one microdescriptor", l);
                    Span<byte> k = stackalloc byte[Ed25519Identity.Length];
                    NetDocText.DecodeBase64Unpadded(value, k, l, "'id ed25519'");
                    _ed = new Ed25519Identity(k);
                }
                else if (type.SequenceEqual("rsa1024"u8))
                {
                    // Present only to keep digests distinct (dir-spec 3.3); checked for multiplicity only.
                    if (_rsaId)
                        throw new NetDocException("'id rsa1024' appears twice in one microdescriptor", l);
                    _rsaId = true;
                }
                // Unknown key types are ignored.
            }
            else if (kw.SequenceEqual("family"u8))
            {
                if (_family != null)
                    throw new NetDocException("'family' appears twice in one microdescriptor", l);
                item.RequireNoObject();
                _family = [];
                _familyRsa = [];
                var a = item.Args;
                Span<byte> id = stackalloc byte[RsaIdentity.Length];
                while (a.TryNext(out var entry))
                {
                    if (_family.Count == MaxFamilyEntries)
                        throw new NetDocException($"'family' has more than {MaxFamilyEntries} entries", l);
                    _family.Add(NetDocText.Latin1(NetDocText.Clip(entry)));
                    if (entry.Length >= 41 && entry[0] == (byte)'$' && NetDocText.TryParseHex(entry.Slice(1, 40), id)
                        && (entry.Length == 41 || entry[41] == (byte)'=' || entry[41] == (byte)'~'))
                        _familyRsa.Add(new RsaIdentity(id));
                }
            }
            else if (kw.SequenceEqual("family-ids"u8))
            {
                if (_familyIds != null)
                    throw new NetDocException("'family-ids' appears twice in one microdescriptor", l);
                item.RequireNoObject();
                _familyIds = [];
                var a = item.Args;
                while (a.TryNext(out var entry))
                {
                    if (_familyIds.Count == MaxFamilyEntries)
                        throw new NetDocException($"'family-ids' has more than {MaxFamilyEntries} entries", l);
                    _familyIds.Add(NetDocText.Latin1(NetDocText.Clip(entry)));
                }
            }
            else if (kw.SequenceEqual("p"u8))
            {
                if (_p != null)
                    throw new NetDocException("'p' appears twice in one microdescriptor", l);
                item.RequireNoObject();
                _p = Policy(item, "p");
            }
            else if (kw.SequenceEqual("p6"u8))
            {
                if (_p6 != null)
                    throw new NetDocException("'p6' appears twice in one microdescriptor", l);
                item.RequireNoObject();
                _p6 = Policy(item, "p6");
            }
            else if (kw.SequenceEqual("a"u8))
            {
                item.RequireNoObject();
                _addresses ??= [];
                if (_addresses.Count == MaxAddresses)
                    throw new NetDocException($"more than {MaxAddresses} 'a' lines in one microdescriptor", l);
                var a = item.Args;
                _addresses.Add(NetDocText.ParseOrAddress(a.Next("a", "address:port"), l, "a"));
            }
            else if (kw.SequenceEqual("pr"u8))
            {
                if (_pr)
                    throw new NetDocException("'pr' appears twice in one microdescriptor", l);
                _pr = true;
                item.RequireNoObject();
                ProtocolVersions.Parse(item.Arguments, l); // shape only; the consensus "pr" line is the one used
            }
            // Unknown items are ignored (dir-spec 1.2).
        }

        // Exit summaries repeat across relays; identical ones share one parsed value.
        private PortPolicy Policy(NetDocItem item, string keyword) =>
            policies.Get(item.Arguments, item.Line, keyword == "p"
                ? static (s, l) => PortPolicy.Parse(s, l, "p")
                : static (s, l) => PortPolicy.Parse(s, l, "p6"));

        public Microdescriptor Build(ReadOnlySpan<byte> text)
        {
            Span<byte> digest = stackalloc byte[Digest256.Length];
            SHA256.HashData(text, digest);
            return Create(new Digest256(digest));
        }

        private Microdescriptor Create(Digest256 digest) => new()
        {
            Digest = digest,
            HasTapOnionKey = _tap,
            NtorOnionKey = _ntor,
            Ed25519Id = _ed,
            Family = _family ?? (IReadOnlyList<string>)[],
            FamilyRsaIds = _familyRsa ?? (IReadOnlyList<RsaIdentity>)[],
            FamilyIds = _familyIds ?? (IReadOnlyList<string>)[],
            ExitPolicy = _p ?? PortPolicy.RejectAll,
            ExitPolicy6 = _p6 ?? PortPolicy.RejectAll,
            Addresses = _addresses ?? (IReadOnlyList<IPEndPoint>)[],
            LineNumber = line,
        };
    }
}
