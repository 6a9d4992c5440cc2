using System.Net;
using Burrow.Tor.NetDoc;

namespace Burrow.Core.Configuration;

/// <summary>
/// C tor's torrc <c>DirAuthority</c> syntax (tor(1), "DirAuthority [nickname] [flags]
/// ipv4address:dirport fingerprint"), accepted as a friendly way to name a private network:
/// each line gives a v3 authority (nickname, v3ident) and a fallback cache (the RSA identity
/// fingerprint at the ORPort on the same address, plus the ipv6= ORPort when given).
/// </summary>
internal static class DirAuthorityLine
{
    public const string Accepted =
        "'[DirAuthority] NICKNAME orport=PORT v3ident=HEX40 [ipv6=[ADDR]:PORT] [no-v2] [hs] [weight=N] IPV4:DIRPORT FINGERPRINT' "
        + "with the fingerprint as 40 hex digits, optionally in 10 groups of 4";

    private static readonly HashSet<string> FlagWords = new(StringComparer.Ordinal) { "no-v2", "v1", "hs", "no-hs" };

    // Flags with values that matter to tor's authorities, not to a client: accepted and ignored.
    private static readonly HashSet<string> IgnoredValueFlags = new(StringComparer.Ordinal) { "weight", "upload", "download", "vote" };

    /// <summary>Parses one line; on failure <paramref name="problem"/> says what is wrong in it.</summary>
    public static bool TryParse(string line, out DirAuthority authority, out FallbackDir fallback, out string problem)
    {
        authority = null!;
        fallback = null!;
        var tokens = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        var i = 0;
        if (tokens.Length > 0 && tokens[0].Equals("DirAuthority", StringComparison.OrdinalIgnoreCase))
            i++;
        if (i >= tokens.Length)
        {
            problem = "the line is empty";
            return false;
        }

        var nickname = tokens[i];
        if (nickname.Contains('=') || FlagWords.Contains(nickname) || nickname == "bridge" || NetworkSyntax.TryParseEndPoint(nickname, out _))
        {
            problem = "the line does not start with the authority's nickname";
            return false;
        }
        if (!TorNetworkSectionReader.IsNickname(nickname))
        {
            problem = $"{PayloadNode.Quote(nickname)} is not a nickname (1 to 19 letters and digits)";
            return false;
        }
        i++;

        int? orPort = null;
        string? v3ident = null;
        IPEndPoint? ipv6OrPort = null;
        IPEndPoint? dirAddress = null;
        for (; i < tokens.Length; i++)
        {
            var token = tokens[i];
            if (NetworkSyntax.TryParseEndPoint(token, out var ep) && ep.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)
            {
                dirAddress = ep;
                i++;
                break;
            }
            if (FlagWords.Contains(token))
                continue;
            if (token == "bridge")
            {
                problem = "bridge authorities are not supported (a client needs v3 directory authorities)";
                return false;
            }
            var eq = token.IndexOf('=');
            if (eq <= 0)
            {
                problem = $"{PayloadNode.Quote(token)} is neither a known flag nor IPV4:DIRPORT";
                return false;
            }
            var name = token[..eq];
            var value = token[(eq + 1)..];
            switch (name)
            {
                case "orport":
                    if (!NetworkSyntax.TryParsePort(value, out var port))
                    {
                        problem = $"orport {PayloadNode.Quote(value)} is not a port 1-65535";
                        return false;
                    }
                    orPort = port;
                    break;
                case "v3ident":
                    if (!TorNetworkSectionReader.IsHexFingerprint(value))
                    {
                        problem = $"v3ident {PayloadNode.Quote(value)} is not 40 hexadecimal digits";
                        return false;
                    }
                    v3ident = value.ToUpperInvariant();
                    break;
                case "ipv6":
                    if (!NetworkSyntax.TryParseEndPoint(value, out var v6) || v6.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6)
                    {
                        problem = $"ipv6 {PayloadNode.Quote(value)} is not [IPv6]:ORPORT";
                        return false;
                    }
                    ipv6OrPort = v6;
                    break;
                default:
                    if (!IgnoredValueFlags.Contains(name))
                    {
                        problem = $"unknown flag {PayloadNode.Quote(token)}";
                        return false;
                    }
                    break;
            }
        }

        if (dirAddress is null)
        {
            problem = "the IPV4:DIRPORT address is missing";
            return false;
        }
        if (orPort is null)
        {
            problem = "orport=PORT is missing (a client reaches authorities at their ORPort)";
            return false;
        }
        if (v3ident is null)
        {
            problem = "v3ident=HEX40 is missing (only v3 directory authorities are supported)";
            return false;
        }

        var fingerprint = string.Concat(tokens.AsSpan(i).ToArray());
        var groups = tokens.Length - i;
        if (groups == 0)
        {
            problem = "the identity fingerprint is missing after the address";
            return false;
        }
        if (!(groups == 1 || (groups == 10 && tokens.AsSpan(i).ToArray().All(t => t.Length == 4)))
            || !TorNetworkSectionReader.IsHexFingerprint(fingerprint))
        {
            problem = $"the fingerprint {PayloadNode.Quote(string.Join(' ', tokens.AsSpan(i).ToArray()))} is not 40 hex digits (or 10 groups of 4)";
            return false;
        }

        authority = new DirAuthority(nickname, v3ident);
        IPEndPoint[] orPorts = ipv6OrPort is null
            ? [new IPEndPoint(dirAddress.Address, orPort.Value)]
            : [new IPEndPoint(dirAddress.Address, orPort.Value), ipv6OrPort];
        fallback = new FallbackDir(fingerprint.ToUpperInvariant(), null, orPorts);
        problem = "";
        return true;
    }
}
