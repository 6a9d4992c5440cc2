using Burrow.Tor.Identities;

namespace Burrow.Tor.NetDoc;

/// <summary>
/// A "directory-signature" item of a consensus footer (dir-spec 3.4.1): the authority's
/// identity, the digest of the signing key that made the signature, and the signature over
/// the document digest named by <see cref="Algorithm"/>.
/// </summary>
internal sealed class DirectorySignature
{
    public required string Algorithm { get; init; }

    public required RsaIdentity Identity { get; init; }

    public required RsaIdentity SigningKeyDigest { get; init; }

    public required byte[] Signature { get; init; }

    public required int LineNumber { get; init; }

    /// <summary>
    /// The digest of the signed part of the document under <see cref="Algorithm"/> (from
    /// "network-status-version" through the space after the first "directory-signature");
    /// null when the algorithm is not one this client knows (sha1, sha256).
    /// </summary>
    public byte[]? SignedDigest { get; init; }

    public override string ToString() => $"directory-signature {Algorithm} {Identity.ToHex()} {SigningKeyDigest.ToHex()} (line {LineNumber})";
}
