// The inner (second) layer of a v3 descriptor (rend-spec-v3 2.5.2.2), with the intro-point certificates
// checked against the descriptor signing key, and prop 327's "pow-params".
using Burrow.Tor.Cells;
using Burrow.Tor.Crypto;

namespace Burrow.Tor.Protocol.Onion;

/// <summary>The decrypted second layer (rend-spec-v3 2.5.2.2): formats, flags, PoW parameters and intro points.</summary>
internal sealed class OnionInnerLayer
{
    public const byte IntroAuthCertType = 0x09;
    public const byte IntroEncCertType = 0x0B;

    private OnionInnerLayer(IReadOnlyList<int> formats, bool single, OnionPowParams? pow, IReadOnlyList<OnionIntroPoint> intros, IReadOnlyList<string> authRequired)
    {
        Create2Formats = formats;
        IsSingleOnionService = single;
        PowParams = pow;
        IntroPoints = intros;
        IntroAuthRequired = authRequired;
    }

    public IReadOnlyList<int> Create2Formats { get; }

    public bool IsSingleOnionService { get; }

    public OnionPowParams? PowParams { get; }

    public IReadOnlyList<string> IntroAuthRequired { get; }

    public IReadOnlyList<OnionIntroPoint> IntroPoints { get; }

    /// <summary>Parses the plaintext; intro-point certificates must be signed by <paramref name="signingKey"/>.</summary>
    public static OnionInnerLayer Parse(string text, ReadOnlySpan<byte> signingKey)
    {
        var items = OnionDocReader.Parse(text);
        var formats = new List<int>();
        var single = false;
        OnionPowParams? pow = null;
        var authRequired = new List<string>();
        var intros = new List<OnionIntroPoint>();
        var i = 0;
        for (; i < items.Count && items[i].Keyword != "introduction-point"; i++)
        {
            var item = items[i];
            switch (item.Keyword)
            {
                case "create2-formats":
                    foreach (var a in item.Args)
                        if (int.TryParse(a, out var f))
                            formats.Add(f);
                    break;
                case "intro-auth-required":
                    authRequired.AddRange(item.Args);
                    break;
                case "single-onion-service":
                    single = true;
                    break;
                case "pow-params":
                    pow = ParsePow(item);
                    break;
            }
        }
        if (!formats.Contains(2))
            throw OnionDocReader.Invalid("create2-formats does not include ntor (2)");
        while (i < items.Count)
        {
            var start = items[i];
            var end = i + 1;
            while (end < items.Count && items[end].Keyword != "introduction-point")
                end++;
            var intro = ParseIntro(start, items.GetRange(i + 1, end - i - 1), signingKey, intros.Count + 1);
            if (intro != null)
                intros.Add(intro);
            i = end;
        }
        if (intros.Count > 20)
            throw OnionDocReader.Invalid($"{intros.Count} introduction points is more than the 20 allowed");
        return new OnionInnerLayer(formats, single, pow, intros, authRequired);
    }

    private static OnionIntroPoint? ParseIntro(OnionDocItem start, List<OnionDocItem> body, ReadOnlySpan<byte> signingKey, int n)
    {
        var what = $"introduction point {n}";
        var raw = OnionDocReader.Base64(start.Arg(0, "link specifiers"), -1, what + " link specifiers");
        var specs = new List<LinkSpecifier>();
        try
        {
            var r = new WireReader(raw, what + " link specifiers");
            int count = r.ReadByte("NSPEC");
            for (var k = 0; k < count; k++)
                specs.Add(LinkSpecifier.Read(ref r, k));
        }
        catch (CellFormatException e)
        {
            throw OnionDocReader.Invalid($"{what}: {e.Message}");
        }
        // Without a legacy identity and an address the relay cannot be reached; skip it, keep the others.
        var usable = specs.Any(s => s is LegacyIdLinkSpecifier) && specs.Any(s => s is IPv4LinkSpecifier or IPv6LinkSpecifier);
        byte[]? onionKey = null, encKey = null;
        Ed25519Certificate? authCert = null, encCert = null;
        foreach (var item in body)
        {
            switch (item.Keyword)
            {
                case "onion-key" when item.Args.Length >= 2 && item.Args[0] == "ntor":
                    onionKey = OnionDocReader.Base64(item.Args[1], 32, what + " onion-key");
                    break;
                case "enc-key" when item.Args.Length >= 2 && item.Args[0] == "ntor":
                    encKey = OnionDocReader.Base64(item.Args[1], 32, what + " enc-key");
                    break;
                case "auth-key":
                    authCert = Cert(item, what + " auth-key", IntroAuthCertType, signingKey);
                    break;
                case "enc-key-cert":
                    encCert = Cert(item, what + " enc-key-cert", IntroEncCertType, signingKey);
                    break;
            }
        }
        if (onionKey == null || encKey == null || authCert == null || encCert == null)
            throw OnionDocReader.Invalid($"{what} lacks one of onion-key ntor, auth-key, enc-key ntor, enc-key-cert");
        return usable ? new OnionIntroPoint(specs, onionKey, authCert.CertifiedKey, encKey) : null;
    }

    private static Ed25519Certificate Cert(OnionDocItem item, string what, byte type, ReadOnlySpan<byte> signingKey)
    {
        Ed25519Certificate cert;
        try
        {
            cert = Ed25519Certificate.Parse(item.RequireObject("ED25519 CERT"));
        }
        catch (TorCryptoException e)
        {
            throw OnionDocReader.Invalid($"{what}: {e.Message}");
        }
        if (cert.CertType != type)
            throw OnionDocReader.Invalid($"{what} has certificate type {cert.CertType}, must be {type}");
        if (!cert.IsSignedBy(signingKey))
            throw OnionDocReader.Invalid($"{what} is not signed by the descriptor signing key");
        return cert;
    }

    private static OnionPowParams ParsePow(OnionDocItem item)
    {
        var type = item.Arg(0, "type");
        var seed = OnionDocReader.Base64(item.Arg(1, "seed"), -1, "pow-params seed");
        if (!uint.TryParse(item.Arg(2, "suggested-effort"), out var effort))
            throw OnionDocReader.Invalid($"pow-params suggested-effort '{item.Args[2]}' is not a number");
        DateTimeOffset? expires = item.Args.Length > 3 && DateTimeOffset.TryParseExact(item.Args[3], "yyyy-MM-dd'T'HH:mm:ss",
            System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var e) ? e : null;
        return new OnionPowParams(type, seed, effort, expires);
    }
}
