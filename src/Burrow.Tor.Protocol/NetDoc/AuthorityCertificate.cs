// Directory authority key certificates (dir-spec 3.1): an authority's long-term identity key
// certifies a medium-term signing key, which signs consensuses. Signatures per dir-spec 1.3.
using System.Security.Cryptography;
using Burrow.Tor.Crypto;
using Burrow.Tor.Identities;

namespace Burrow.Tor.NetDoc;

/// <summary>
/// A parsed authority key certificate. Parsing checks the structure; the three cryptographic
/// checks run once at construction and are reported by <see cref="Validity"/>, so that a
/// consensus check can say "certificate invalid" rather than fail to read the whole set.
/// </summary>
internal sealed class AuthorityCertificate
{
    private static ReadOnlySpan<byte> KwVersion => "dir-key-certificate-version"u8;
    private static ReadOnlySpan<byte> KwCertification => "dir-key-certification"u8;
    private const int MinKeyBits = 1024;

    private AuthorityCertificate(RsaIdentity fingerprint, RsaPublicKey identityKey, RsaPublicKey signingKey,
        DateTime published, DateTime expires, string? dirAddress, int line, CertificateValidity validity)
    {
        Fingerprint = fingerprint;
        IdentityKey = identityKey;
        SigningKey = signingKey;
        SigningKeyDigest = signingKey.Identity;
        Published = published;
        Expires = expires;
        DirAddress = dirAddress;
        LineNumber = line;
        Validity = validity;
    }

    /// <summary>The authority's v3 identity (the "fingerprint" line).</summary>
    public RsaIdentity Fingerprint { get; }

    public RsaPublicKey IdentityKey { get; }

    public RsaPublicKey SigningKey { get; }

    /// <summary>SHA-1 of the signing key's DER: what a "directory-signature" names.</summary>
    public RsaIdentity SigningKeyDigest { get; }

    public DateTime Published { get; }

    public DateTime Expires { get; }

    public string? DirAddress { get; }

    /// <summary>Line of "dir-key-certificate-version" in the text it was read from.</summary>
    public int LineNumber { get; }

    public CertificateValidity Validity { get; }

    public bool IsValid => Validity == CertificateValidity.Valid;

    /// <summary>True once <paramref name="now"/> is past "dir-key-expires".</summary>
    public bool IsExpiredAt(DateTime now) => now > Expires;

    /// <summary>True before "dir-key-published".</summary>
    public bool IsNotYetValidAt(DateTime now) => now < Published;

    public override string ToString() => $"authority certificate {Fingerprint.ToHex()} (signing key {SigningKeyDigest.ToHex()}, {Published:u} .. {Expires:u})";

    /// <summary>Parses exactly one certificate.</summary>
    public static AuthorityCertificate Parse(ReadOnlySpan<byte> text)
    {
        var all = ParseAll(text);
        if (all.Count != 1)
            throw new NetDocException($"expected one authority certificate, found {all.Count}");
        return all[0];
    }

    public static AuthorityCertificate Parse(string text) => Parse(System.Text.Encoding.Latin1.GetBytes(text));

    public static IReadOnlyList<AuthorityCertificate> ParseAll(string text) => ParseAll(System.Text.Encoding.Latin1.GetBytes(text));

    /// <summary>Parses concatenated certificates (a "cached-certs" file or a /tor/keys/ response).</summary>
    public static IReadOnlyList<AuthorityCertificate> ParseAll(ReadOnlySpan<byte> text)
    {
        // Some stored copies of cached-certs went through a CRLF conversion. The signatures are
        // over the LF text, so parse and hash the LF form; the certification check then proves
        // that this normalized text is exactly what the authority signed.
        var normalized = NetDocText.NormalizeLineEndings(text);
        if (normalized != null)
            text = normalized;

        var result = new List<AuthorityCertificate>();
        var reader = new NetDocReader(text);
        while (reader.TryRead(out var first))
        {
            if (!first.Is(KwVersion))
                throw new NetDocException($"expected 'dir-key-certificate-version' to start a certificate, found '{first.KeywordText}'", first.Line);
            result.Add(ParseOne(text, ref reader, first));
            if (result.Count > 1024)
                throw new NetDocException("more than 1024 certificates in one document");
        }
        if (result.Count == 0)
            throw new NetDocException("no authority certificate found");
        return result;
    }

    private static AuthorityCertificate ParseOne(ReadOnlySpan<byte> doc, ref NetDocReader reader, NetDocItem first)
    {
        var startLine = first.Line;
        var args = first.Args;
        var version = args.Next("dir-key-certificate-version", "version");
        if (!version.SequenceEqual("3"u8))
            throw new NetDocException($"unsupported certificate version '{NetDocText.Latin1(NetDocText.Clip(version))}' (only 3 is understood)", first.Line);
        first.RequireNoObject();

        RsaIdentity? fingerprint = null;
        RsaPublicKey? identityKey = null, signingKey = null;
        DateTime? published = null, expires = null;
        string? dirAddress = null;
        byte[]? crossCert = null;
        var seenDirAddress = false;

        while (true)
        {
            if (!reader.TryRead(out var item))
                throw new NetDocException("certificate ends without 'dir-key-certification'", startLine);
            var kw = item.Keyword;
            var line = item.Line;
            if (item.Is(KwCertification))
            {
                if (!item.Arguments.IsEmpty)
                    throw new NetDocException("'dir-key-certification' takes no arguments", line);
                var signature = item.DecodeObject("SIGNATURE"u8);
                Require(fingerprint.HasValue, "fingerprint", startLine);
                Require(identityKey != null, "dir-identity-key", startLine);
                Require(signingKey != null, "dir-signing-key", startLine);
                Require(published.HasValue, "dir-key-published", startLine);
                Require(expires.HasValue, "dir-key-expires", startLine);
                Require(crossCert != null, "dir-key-crosscert", startLine);
                if (expires!.Value <= published!.Value)
                    throw new NetDocException("'dir-key-expires' is not after 'dir-key-published'", startLine);

                // Signed text: from "dir-key-certificate-version" through the newline after
                // "dir-key-certification" (dir-spec 1.3), SHA-1.
                var signedDigest = SHA1.HashData(doc[first.Start..item.KeywordLineEnd]);
                var validity = Check(fingerprint!.Value, identityKey!, signingKey!, crossCert!, signedDigest, signature);
                return new AuthorityCertificate(fingerprint.Value, identityKey!, signingKey!, published!.Value, expires!.Value,
                    dirAddress, startLine, validity);
            }
            if (item.Is(KwVersion))
                throw new NetDocException("'dir-key-certificate-version' inside a certificate (previous one lacks 'dir-key-certification')", line);

            if (kw.SequenceEqual("fingerprint"u8))
            {
                Once(fingerprint.HasValue, item);
                item.RequireNoObject();
                var a = item.Args;
                var fp = new byte[RsaIdentity.Length];
                NetDocText.ParseHex(a.Next("fingerprint", "fingerprint"), fp, line, "'fingerprint'");
                fingerprint = new RsaIdentity(fp);
            }
            else if (kw.SequenceEqual("dir-identity-key"u8))
            {
                Once(identityKey != null, item);
                NoArguments(item);
                identityKey = ReadKey(item, "dir-identity-key");
            }
            else if (kw.SequenceEqual("dir-signing-key"u8))
            {
                Once(signingKey != null, item);
                NoArguments(item);
                signingKey = ReadKey(item, "dir-signing-key");
            }
            else if (kw.SequenceEqual("dir-key-published"u8))
            {
                Once(published.HasValue, item);
                item.RequireNoObject();
                var a = item.Args;
                published = NetDocText.ParseTime(ref a, "dir-key-published", line);
            }
            else if (kw.SequenceEqual("dir-key-expires"u8))
            {
                Once(expires.HasValue, item);
                item.RequireNoObject();
                var a = item.Args;
                expires = NetDocText.ParseTime(ref a, "dir-key-expires", line);
            }
            else if (kw.SequenceEqual("dir-key-crosscert"u8))
            {
                Once(crossCert != null, item);
                NoArguments(item);
                // Old generators wrote "ID SIGNATURE"; dir-spec 3.1 says both are allowed.
                crossCert = item.DecodeObject("ID SIGNATURE"u8, "SIGNATURE"u8);
            }
            else if (kw.SequenceEqual("dir-address"u8))
            {
                Once(seenDirAddress, item);
                seenDirAddress = true;
                item.RequireNoObject();
                var a = item.Args;
                dirAddress = NetDocText.Latin1(a.Next("dir-address", "address"));
            }
            // Unknown items are ignored (dir-spec 1.2).
        }
    }

    private static CertificateValidity Check(RsaIdentity fingerprint, RsaPublicKey identityKey, RsaPublicKey signingKey,
        byte[] crossCert, byte[] signedDigest, byte[] certification)
    {
        if (identityKey.Identity != fingerprint)
            return CertificateValidity.FingerprintMismatch;
        // The cross-certificate is the signing key's signature over SHA-1(identity key DER).
        if (!signingKey.VerifyRawDigest(identityKey.Sha1, crossCert))
            return CertificateValidity.BadCrossCertificate;
        if (!identityKey.VerifyRawDigest(signedDigest, certification))
            return CertificateValidity.BadCertification;
        return CertificateValidity.Valid;
    }

    private static RsaPublicKey ReadKey(NetDocItem item, string keyword)
    {
        var der = item.DecodeObject("RSA PUBLIC KEY"u8);
        RsaPublicKey key;
        try
        {
            key = RsaPublicKey.FromPkcs1Der(der);
        }
        catch (TorCryptoException e)
        {
            throw new NetDocException($"'{keyword}': {e.Message}", item.ObjectLine);
        }
        if (key.KeySizeBits < MinKeyBits)
            throw new NetDocException($"'{keyword}' is a {key.KeySizeBits}-bit key; at least {MinKeyBits} bits are required", item.ObjectLine);
        return key;
    }

    private static void Once(bool seen, NetDocItem item)
    {
        if (seen)
            throw new NetDocException($"'{item.KeywordText}' appears more than once in a certificate", item.Line);
    }

    private static void NoArguments(NetDocItem item)
    {
        if (!item.Arguments.IsEmpty)
            throw new NetDocException($"'{item.KeywordText}' takes no arguments", item.Line);
    }

    private static void Require(bool present, string keyword, int line)
    {
        if (!present)
            throw new NetDocException($"certificate lacks '{keyword}'", line);
    }
}
