using System.Globalization;
using System.Text.RegularExpressions;
using Burrow.Tor.Cells;
using Burrow.Tor.Crypto;

namespace Burrow.Fuzz.Targets;

/// <summary>CERTS cell decoding and the client's validation of a responder's certificates (tor-spec 4.2, cert-spec),
/// against the chutney vector's TLS digest and time so that lightly mutated cells get deep into the checks.</summary>
internal sealed partial class CertsTarget : FuzzTarget
{
    private static readonly DateTimeOffset ValidAt = DateTimeOffset.Parse("2020-09-26T18:01:20Z", CultureInfo.InvariantCulture);
    private static readonly byte[] TlsCertSha256 = Convert.FromHexString("b4fd606b64e4cbd466b8d76cb131069bae6f3aa1878857c9f624e31d77a799b8");

    public override string Name => "certs";

    public override string Description => "CertsCell.Decode + CertsCellValidator.ValidateResponder (X.509 type 2, Ed25519 types 4/5, cross-cert 7)";

    public override void Run(ReadOnlySpan<byte> input)
    {
        CertsCell cell;
        try
        {
            cell = CertsCell.Decode(input);
        }
        catch (CellFormatException)
        {
            return;
        }
        try
        {
            CertsCellValidator.ValidateResponder(cell.Certificates, TlsCertSha256, ValidAt);
        }
        catch (TorCryptoException)
        {
        }
    }

    /// <summary>The CERTS cell body of vectors/arti_link-certs-cell-chutney.txt ("TT LLLL HEX" lines after the count).</summary>
    internal static byte[] ChutneyCertsBody(SeedData data)
    {
        var text = System.Text.Encoding.ASCII.GetString(data.Tor("vectors/arti_link-certs-cell-chutney.txt"));
        var body = new List<byte>();
        var count = 0;
        foreach (var line in text.Split('\n'))
        {
            var m = EntryLine().Match(line.Trim());
            if (!m.Success)
                continue;
            body.Add(Convert.ToByte(m.Groups[1].Value, 16));
            body.AddRange(Convert.FromHexString(m.Groups[2].Value));
            body.AddRange(Convert.FromHexString(m.Groups[3].Value));
            count++;
        }
        if (count == 0)
            throw new InvalidDataException("no certificate lines in arti_link-certs-cell-chutney.txt");
        return [(byte)count, .. body];
    }

    [GeneratedRegex("^([0-9A-F]{2}) ([0-9A-F]{4}) ([0-9A-F]+)$")]
    private static partial Regex EntryLine();

    public override IEnumerable<byte[]> Seeds(SeedData data)
    {
        var body = ChutneyCertsBody(data);
        yield return body;
        // A cell with no certificates: the shortest valid encoding.
        yield return [0];
    }
}
