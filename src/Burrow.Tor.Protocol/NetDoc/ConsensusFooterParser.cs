// The footer and signatures of a consensus (dir-spec 3.4.1 "directory-footer",
// "bandwidth-weights", "directory-signature"; 1.3 for what the signatures cover).
using System.Security.Cryptography;
using Burrow.Tor.Identities;

namespace Burrow.Tor.NetDoc;

/// <summary>
/// Reads the footer items and the signatures of one consensus. The digests that the signatures
/// are checked against are computed once per algorithm when the document is complete.
/// </summary>
internal sealed class ConsensusFooterParser
{
    private const int MaxSignatures = 64;

    private readonly List<PendingSignature> _signatures = [];
    private bool _seenWeights;

    public BandwidthWeights Weights { get; private set; } = BandwidthWeights.Empty;

    /// <summary>"directory-footer": no arguments, no object.</summary>
    public static void FooterItem(NetDocItem item)
    {
        if (!item.Arguments.IsEmpty)
            throw new NetDocException($"'{item.KeywordText}' takes no arguments", item.Line);
        item.RequireNoObject();
    }

    /// <summary>"bandwidth-weights", at most once.</summary>
    public void BandwidthWeightsItem(NetDocItem item)
    {
        if (_seenWeights)
            throw new NetDocException($"'{item.KeywordText}' appears more than once", item.Line);
        _seenWeights = true;
        item.RequireNoObject();
        Weights = BandwidthWeights.Parse(item.Arguments, item.Line);
    }

    /// <summary>One "directory-signature" item; its digest is filled in by <see cref="Signatures"/>.</summary>
    public void SignatureItem(NetDocItem item)
    {
        var line = item.Line;
        if (_signatures.Count == MaxSignatures)
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
        _signatures.Add(new PendingSignature
        {
            Algorithm = algorithm,
            Identity = new RsaIdentity(id),
            SigningKeyDigest = new RsaIdentity(skd),
            Signature = signature,
            LineNumber = line,
        });
    }

    /// <summary>The signatures read, each with the digest of <paramref name="signed"/> under its algorithm (null when unknown).</summary>
    public List<DirectorySignature> Signatures(ReadOnlySpan<byte> signed)
    {
        byte[]? sha1 = null, sha256 = null;
        var signatures = new List<DirectorySignature>(_signatures.Count);
        foreach (var s in _signatures)
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
        return signatures;
    }

    private sealed class PendingSignature
    {
        public required string Algorithm;
        public required RsaIdentity Identity;
        public required RsaIdentity SigningKeyDigest;
        public required byte[] Signature;
        public required int LineNumber;
    }
}
