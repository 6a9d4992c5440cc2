using System.Net;
using Burrow.Tor.NetDoc;

namespace Burrow.Tor.Client;

/// <summary>
/// The public Tor network's directory authorities, used when <see cref="TorClientOptions.Authorities"/>
/// is empty. Names and v3 identities are the "dir-source" lines of the consensus of
/// 2026-06-27 04:00 UTC; the ORPorts and relay identities (for BEGIN_DIR bootstrap when
/// <see cref="TorClientOptions.FallbackCaches"/> is empty) are the "r" lines of the routers
/// with the Authority flag in the same consensus (the bridge authority Serge excluded).
/// Keep in step with the network: an authority that changes keys must be updated here.
/// </summary>
internal static class PublicAuthorities
{
    public static IReadOnlyList<DirAuthority> Authorities { get; } =
    [
        new("dannenberg", "0232AF901C31A04EE9848595AF9BB7620D4C5B2E"),
        new("longclaw", "23D15D965BC35114467363C165C4F724B64B4F66"),
        new("bastet", "27102BC123E7AF1D4741AE047E160C91ADC76B21"),
        new("tor26", "2F3DF9CA0E5D36F2685A2DA67184EB8DCB8CBA8C"),
        new("maatuska", "49015F787433103580E3B66A1707A00E60F2D15B"),
        new("faravahar", "70849B868D606BAECFB6128C5E3D782029AA394F"),
        new("dizum", "E8A9C45EDE6D711294FADF8E7951F4DE6CA56B58"),
        new("gabelmoo", "ED03BB616EB2F60BEC80151114BB25CEF515B226"),
        new("moria1", "F533C81CEF0BC0267857C99B2F471ADF249FA232"),
    ];

    /// <summary>The authorities' ORPorts as directory caches (relay RSA identity, not the v3 identity).</summary>
    public static IReadOnlyList<(string Name, FallbackDir Cache)> AuthorityCaches { get; } =
    [
        ("moria1", Cache("1A25C6358DB91342AA51720A5038B72742732498", "128.31.0.39", 9201)),
        ("bastet", Cache("24E2F139121D4394C54B5BCC368B3B411857C413", "204.13.164.118", 443)),
        ("longclaw", Cache("74A910646BCEEFBCD2E874FC1DC997430F968145", "199.58.81.140", 443)),
        ("dannenberg", Cache("7BE683E65D48141321C5ED92F075C55364AC7123", "193.23.244.244", 443)),
        ("dizum", Cache("7EA6EAD6FD83083C538F44038BBFA077587DD755", "45.66.35.11", 443)),
        ("maatuska", Cache("BD6A829255CB08E66FBE7D3748363586E46B3810", "171.25.193.9", 80)),
        ("faravahar", Cache("E3E42D35F801C9D5AB23584E0025D56FE2B33396", "216.218.219.41", 443)),
        ("gabelmoo", Cache("F2044413DAC2E02E3D6BCF4735A19BCA1DE97281", "131.188.40.189", 443)),
        ("tor26", Cache("FAA4BCA4A6AC0FB4CA2F8AD5A11D9E122BA894F6", "217.196.147.77", 443)),
    ];

    private static FallbackDir Cache(string rsa, string address, int orPort) =>
        new(rsa, null, [new IPEndPoint(IPAddress.Parse(address), orPort)]);
}
