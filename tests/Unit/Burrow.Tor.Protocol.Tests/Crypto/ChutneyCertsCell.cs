using System.Globalization;
using System.Text.RegularExpressions;
using Burrow.Tor.Cells;
using Burrow.Tor.Crypto;

namespace Burrow.Tor.Tests.Crypto;

/// <summary>The CERTS cell in arti_link-certs-cell-chutney.txt: one "TT LLLL HEX" line per certificate.</summary>
internal static class ChutneyCertsCell
{
    private static readonly VectorFile V = VectorFile.Load("arti_link-certs-cell-chutney.txt");

    public static List<CertsCellEntry> Entries()
    {
        var list = new List<CertsCellEntry>();
        foreach (var line in File.ReadLines(V.Path))
        {
            var m = Regex.Match(line.Trim(), "^([0-9A-F]{2}) ([0-9A-F]{4}) ([0-9A-F]+)$");
            if (!m.Success)
                continue;
            var body = Convert.FromHexString(m.Groups[3].Value);
            Assert.Equal(int.Parse(m.Groups[2].Value, NumberStyles.HexNumber), body.Length);
            list.Add(new CertsCellEntry((LinkCertType)Convert.ToByte(m.Groups[1].Value, 16), body));
        }
        Assert.Equal(5, list.Count);
        return list;
    }

    public static byte[] Body(byte type) => Entries().Single(e => (byte)e.Type == type).Certificate.ToArray();

    public static DateTimeOffset ValidAt => DateTimeOffset.Parse(V["all_certs_valid_at"], CultureInfo.InvariantCulture);

    public static byte[] TlsCertSha256 => V.Hex("peer_tls_cert_sha256 (certified key of the type-5 cert)");

    public static byte[] RsaIdentity => V.Hex("peer_rsa_identity_sha1");

    public static byte[] Ed25519Identity => V.Hex("peer_ed25519_identity");
}
