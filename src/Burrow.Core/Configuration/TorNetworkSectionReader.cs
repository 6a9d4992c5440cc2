using Burrow.Tor.NetDoc;

namespace Burrow.Core.Configuration;

/// <summary>[arti.tor_network]: a private or test Tor network's authorities and fallback caches, given
/// as tables or as C tor DirAuthority lines. Each identity may be given once across all three keys.</summary>
internal static class TorNetworkSectionReader
{
    public const string HexAccepted = "40 hexadecimal digits";
    public const string Ed25519Accepted = "an Ed25519 identity as 43 base64 characters (no padding)";
    public const string NicknameAccepted = "a nickname of 1 to 19 letters and digits";

    public static readonly string[] Keys = ["authorities", "fallback_caches", "dir_authorities"];
    private static readonly string[] AuthorityKeys = ["name", "v3ident"];
    private static readonly string[] FallbackKeys = ["rsa_identity", "ed_identity", "orports"];

    /// <summary>Both lists, or (null, null) when anything in the section was wrong.</summary>
    public static (IReadOnlyList<DirAuthority>?, IReadOnlyList<FallbackDir>?) Read(SchemaReader r, PayloadNode node, string path)
    {
        var section = r.Section(node, path, Keys);
        if (section is null)
            return (null, null);
        var errorsBefore = r.Errors.Count;
        var authorities = new List<DirAuthority>();
        var fallbacks = new List<FallbackDir>();
        // Where each identity was first given, to name both places when one is repeated.
        var v3Seen = new Dictionary<string, string>(StringComparer.Ordinal);
        var rsaSeen = new Dictionary<string, string>(StringComparer.Ordinal);

        if (section.Get("authorities") is { } au && r.ListOf(au.Node, au.Path, "an array of tables", "entries like { name = \"auth0\", v3ident = \"<40 hex>\" }") is { } authorityItems)
        {
            foreach (var (item, itemPath) in authorityItems)
            {
                var entry = r.Section(item, itemPath, AuthorityKeys, $"known keys in each {au.Path} entry");
                if (entry is null)
                    continue;
                var name = r.Required(entry, item, "name", NicknameAccepted, (n, p) => ReadNickname(r, n, p));
                var v3 = r.Required(entry, item, "v3ident", HexAccepted, (n, p) => ReadFingerprint(r, n, p));
                if (name is null || v3 is null)
                    continue;
                if (Unique(r, v3Seen, v3, $"{itemPath}.v3ident", entry.Get("v3ident")!.Value.Node))
                    authorities.Add(new DirAuthority(name, v3));
            }
        }

        if (section.Get("fallback_caches") is { } fc && r.ListOf(fc.Node, fc.Path, "an array of tables", "entries like { rsa_identity = \"<40 hex>\", orports = [\"127.0.0.1:5000\"] }") is { } fallbackItems)
        {
            foreach (var (item, itemPath) in fallbackItems)
            {
                var entry = r.Section(item, itemPath, FallbackKeys, $"known keys in each {fc.Path} entry");
                if (entry is null)
                    continue;
                var rsa = r.Required(entry, item, "rsa_identity", HexAccepted, (n, p) => ReadFingerprint(r, n, p));
                var ed = entry.Get("ed_identity") is { } e ? ReadEd25519(r, e.Node, e.Path) : "";
                var orPorts = r.Required(entry, item, "orports", SchemaReader.EndPointAccepted, (n, p) => r.ReadEndPoints(n, p));
                if (rsa is null || ed is null || orPorts is null)
                    continue;
                if (Unique(r, rsaSeen, rsa, $"{itemPath}.rsa_identity", entry.Get("rsa_identity")!.Value.Node))
                    fallbacks.Add(new FallbackDir(rsa, ed.Length == 0 ? null : ed, orPorts));
            }
        }

        if (section.Get("dir_authorities") is { } da && r.ListOf(da.Node, da.Path, "a string or an array of strings", DirAuthorityLine.Accepted) is { } lines)
        {
            foreach (var (item, itemPath) in lines)
            {
                if (r.ReadString(item, itemPath, "a string", DirAuthorityLine.Accepted) is not { } line)
                    continue;
                if (!DirAuthorityLine.TryParse(line, out var authority, out var fallback, out var problem))
                {
                    r.Error(itemPath, item, $"{problem} in {item.Show()}; accepted: {DirAuthorityLine.Accepted}");
                    continue;
                }
                if (Unique(r, v3Seen, authority.V3Ident, itemPath, item) && Unique(r, rsaSeen, fallback.RsaIdentity, itemPath, item))
                {
                    authorities.Add(authority);
                    fallbacks.Add(fallback);
                }
            }
        }

        if (r.Errors.Count > errorsBefore)
            return (null, null);
        if (authorities.Count > 0 && fallbacks.Count == 0)
        {
            r.Error(SchemaReader.Join(path, "fallback_caches"), node,
                "authorities are given but no fallback cache to bootstrap from; accepted: at least one fallback_caches entry or a dir_authorities line");
            return (null, null);
        }
        return (authorities, fallbacks);
    }

    public static bool IsNickname(string s) => s.Length is >= 1 and <= 19 && s.All(char.IsAsciiLetterOrDigit);

    public static bool IsHexFingerprint(string s) => s.Length == 40 && s.All(char.IsAsciiHexDigit);

    private static string? ReadNickname(SchemaReader r, PayloadNode node, string path)
    {
        if (r.ReadString(node, path, "a string", NicknameAccepted) is not { } name)
            return null;
        if (IsNickname(name))
            return name;
        r.Error(path, node, $"{node.Show()} is not a valid nickname; accepted: {NicknameAccepted}");
        return null;
    }

    private static string? ReadFingerprint(SchemaReader r, PayloadNode node, string path)
    {
        if (r.ReadString(node, path, "a string", HexAccepted) is not { } text)
            return null;
        if (IsHexFingerprint(text))
            return text.ToUpperInvariant();
        r.Error(path, node, $"{node.Show()} is not a valid fingerprint; accepted: {HexAccepted}");
        return null;
    }

    private static string? ReadEd25519(SchemaReader r, PayloadNode node, string path)
    {
        if (r.ReadString(node, path, "a string", Ed25519Accepted) is not { } text)
            return null;
        var unpadded = text.EndsWith('=') && text.Length == 44 ? text[..43] : text;
        Span<byte> key = stackalloc byte[33];
        if (unpadded.Length == 43 && unpadded.All(c => char.IsAsciiLetterOrDigit(c) || c is '+' or '/')
            && Convert.TryFromBase64String(unpadded + "=", key, out var written) && written == 32)
        {
            return unpadded;
        }
        r.Error(path, node, $"{node.Show()} is not a valid Ed25519 identity; accepted: {Ed25519Accepted}");
        return null;
    }

    private static bool Unique(SchemaReader r, Dictionary<string, string> seen, string identity, string path, PayloadNode node)
    {
        if (seen.TryGetValue(identity, out var first))
        {
            r.Error(path, node, $"the identity {identity} is also given at {first}; accepted: each authority and cache once");
            return false;
        }
        seen[identity] = path;
        return true;
    }
}
