using System.Text.RegularExpressions;
using Burrow.Tor.Cells;

namespace Burrow.Tor.Tests.Cells;

/// <summary>A real CERTS cell body captured from a chutney network (shared test vectors).</summary>
public partial class CertsCellChutneyTests
{
    private static (byte[] Body, Dictionary<string, string> Values) Load()
    {
        var lines = File.ReadAllLines(Burrow.Tests.TestPaths.Tor("vectors", "arti_link-certs-cell-chutney.txt"));
        var hex = string.Concat(lines.Where(l => HexLine().IsMatch(l)));
        var values = lines.Select(l => KeyValue().Match(l)).Where(m => m.Success)
            .ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);
        return (Hex.Bytes(hex), values);
    }

    [Fact]
    public void DecodesIntoItsCertificatesAndReencodesExactly()
    {
        var (body, values) = Load();
        var cell = CertsCell.Decode(body);

        Assert.Equal(
            [
                (LinkCertType.RsaLink, 0x023E),
                (LinkCertType.RsaIdentity, 0x01BD),
                (LinkCertType.Ed25519Signing, 0x008C),
                (LinkCertType.Ed25519Link, 0x0068),
                (LinkCertType.RsaEd25519CrossCert, 0x00A5),
            ],
            cell.Certificates.Select(c => (c.Type, c.Certificate.Length)).ToArray());

        // X.509 certificates are DER SEQUENCEs.
        Assert.Equal(0x30, cell.Find(LinkCertType.RsaLink)!.Certificate.Span[0]);
        Assert.Equal(0x30, cell.Find(LinkCertType.RsaIdentity)!.Certificate.Span[0]);
        // cert-spec: VERSION 01, CERT_TYPE, EXPIRATION (4), CERT_KEY_TYPE, CERTIFIED_KEY (32) at offset 7.
        var signing = cell.Find(LinkCertType.Ed25519Signing)!.Certificate.Span;
        Assert.Equal(new byte[] { 1, 4 }, signing[..2].ToArray());
        var link = cell.Find(LinkCertType.Ed25519Link)!.Certificate.Span;
        Assert.Equal(new byte[] { 1, 5 }, link[..2].ToArray());
        Assert.Equal(values["peer_tls_cert_sha256 (certified key of the type-5 cert)"], Hex.Of(link.Slice(7, 32)).ToLowerInvariant());
        // The RSA->Ed25519 cross-certificate starts with the Ed25519 identity.
        Assert.Equal(values["peer_ed25519_identity"], Hex.Of(cell.Find(LinkCertType.RsaEd25519CrossCert)!.Certificate.Span[..32]).ToLowerInvariant());

        var again = new byte[cell.EncodedLength];
        cell.Encode(again);
        Assert.Equal(Hex.Of(body), Hex.Of(again));

        // Framed as a link-v4 variable-length cell and read back.
        var wire = new byte[ChannelCellWriter.GetCellLength(ChannelFraming.ForLinkVersion(4), cell)];
        ChannelCellWriter.Write(wire, ChannelFraming.ForLinkVersion(4), 0, cell);
        Assert.Equal($"0000000081{body.Length:X4}", Hex.Of(wire.AsSpan(0, 7)));
        Assert.True(ChannelCellReader.TryRead(wire, ChannelFraming.ForLinkVersion(4), out var read, out _));
        Assert.Equal(cell, ChannelMessage.Decode(read.Command, read.Body));
    }

    [GeneratedRegex(@"^[0-9A-F]{2}( [0-9A-F]{4} [0-9A-F]+)?$")]
    private static partial Regex HexLine();

    [GeneratedRegex(@"^([a-z0-9_]+(?: \([^)]*\))?) = ([0-9a-f]+)$")]
    private static partial Regex KeyValue();
}
