// The preamble of a consensus (dir-spec 3.4.1: "network-status-version" up to the first
// "dir-source"): times, versions, known flags, protocols and parameters, each at most once.
namespace Burrow.Tor.NetDoc;

/// <summary>Reads the preamble items of one consensus and checks the required ones are there.</summary>
internal sealed class ConsensusPreambleParser
{
    // Bits for the preamble's at-most-once items.
    [Flags]
    private enum Seen
    {
        None = 0,
        VoteStatus = 1 << 0,
        ConsensusMethod = 1 << 1,
        ValidAfter = 1 << 2,
        FreshUntil = 1 << 3,
        ValidUntil = 1 << 4,
        VotingDelay = 1 << 5,
        ClientVersions = 1 << 6,
        ServerVersions = 1 << 7,
        KnownFlags = 1 << 8,
        RecClient = 1 << 9,
        RecRelay = 1 << 10,
        ReqClient = 1 << 11,
        ReqRelay = 1 << 12,
        Params = 1 << 13,
        SharedRandPrevious = 1 << 14,
        SharedRandCurrent = 1 << 15,
    }

    private Seen _seen;

    public int ConsensusMethod { get; private set; } = 1;
    public DateTime ValidAfter { get; private set; }
    public DateTime FreshUntil { get; private set; }
    public DateTime ValidUntil { get; private set; }
    public int VoteSeconds { get; private set; }
    public int DistSeconds { get; private set; }
    public List<string>? ClientVersions { get; private set; }
    public List<string>? ServerVersions { get; private set; }
    public IReadOnlyList<string> KnownFlags { get; private set; } = [];
    public ProtocolVersions RecommendedClientProtocols { get; private set; } = ProtocolVersions.Empty;
    public ProtocolVersions RecommendedRelayProtocols { get; private set; } = ProtocolVersions.Empty;
    public ProtocolVersions RequiredClientProtocols { get; private set; } = ProtocolVersions.Empty;
    public ProtocolVersions RequiredRelayProtocols { get; private set; } = ProtocolVersions.Empty;
    public ConsensusParams Params { get; private set; } = ConsensusParams.Empty;
    public byte[]? SharedRandPrevious { get; private set; }
    public byte[]? SharedRandCurrent { get; private set; }

    /// <summary>"network-status-version 3 [flavour]", the first item of every consensus.</summary>
    public static ConsensusFlavor ParseVersion(NetDocItem item)
    {
        item.RequireNoObject();
        var args = item.Args;
        var version = args.Next("network-status-version", "version");
        if (!version.SequenceEqual("3"u8))
            throw new NetDocException($"unsupported network-status-version '{NetDocText.Latin1(NetDocText.Clip(version))}' (only 3 is understood)", item.Line);
        if (!args.TryNext(out var flavor) || flavor.SequenceEqual("ns"u8))
            return ConsensusFlavor.Ns;
        if (flavor.SequenceEqual("microdesc"u8))
            return ConsensusFlavor.Microdesc;
        throw new NetDocException($"unsupported consensus flavour '{NetDocText.Latin1(NetDocText.Clip(flavor))}' (expected 'microdesc' or 'ns')", item.Line);
    }

    /// <summary>Handles a preamble keyword; false when the keyword is not one.</summary>
    public bool TryItem(NetDocItem item)
    {
        var kw = item.Keyword;
        var line = item.Line;
        switch (kw.Length)
        {
            case 11 when kw.SequenceEqual("vote-status"u8):
            {
                Once(Seen.VoteStatus, item);
                var a = item.Args;
                var status = a.Next("vote-status", "type");
                if (!status.SequenceEqual("consensus"u8))
                    throw new NetDocException($"vote-status is '{NetDocText.Latin1(NetDocText.Clip(status))}'; only 'consensus' documents are accepted", line);
                break;
            }
            case 16 when kw.SequenceEqual("consensus-method"u8):
            {
                Once(Seen.ConsensusMethod, item);
                var a = item.Args;
                ConsensusMethod = (int)NetDocText.ParseUInt(a.Next("consensus-method", "method"), int.MaxValue, line, "'consensus-method'");
                if (!a.IsEmpty)
                    throw new NetDocException("'consensus-method' takes exactly one argument", line);
                break;
            }
            case 11 when kw.SequenceEqual("valid-after"u8):
            {
                Once(Seen.ValidAfter, item);
                var a = item.Args;
                ValidAfter = NetDocText.ParseTime(ref a, "valid-after", line);
                break;
            }
            case 11 when kw.SequenceEqual("fresh-until"u8):
            {
                Once(Seen.FreshUntil, item);
                var a = item.Args;
                FreshUntil = NetDocText.ParseTime(ref a, "fresh-until", line);
                break;
            }
            case 11 when kw.SequenceEqual("valid-until"u8):
            {
                Once(Seen.ValidUntil, item);
                var a = item.Args;
                ValidUntil = NetDocText.ParseTime(ref a, "valid-until", line);
                break;
            }
            case 12 when kw.SequenceEqual("voting-delay"u8):
            {
                Once(Seen.VotingDelay, item);
                var a = item.Args;
                VoteSeconds = (int)NetDocText.ParseUInt(a.Next("voting-delay", "VoteSeconds"), int.MaxValue, line, "VoteSeconds");
                DistSeconds = (int)NetDocText.ParseUInt(a.Next("voting-delay", "DistSeconds"), int.MaxValue, line, "DistSeconds");
                break;
            }
            case 15 when kw.SequenceEqual("client-versions"u8):
                Once(Seen.ClientVersions, item);
                ClientVersions = VersionList(item.Arguments);
                break;
            case 15 when kw.SequenceEqual("server-versions"u8):
                Once(Seen.ServerVersions, item);
                ServerVersions = VersionList(item.Arguments);
                break;
            case 11 when kw.SequenceEqual("known-flags"u8):
            {
                Once(Seen.KnownFlags, item);
                var flags = new List<string>();
                var a = item.Args;
                while (a.TryNext(out var f))
                {
                    if (flags.Count == 64)
                        throw new NetDocException("more than 64 known flags", line);
                    flags.Add(NetDocText.Latin1(f));
                }
                KnownFlags = flags;
                break;
            }
            case 28 when kw.SequenceEqual("recommended-client-protocols"u8):
                Once(Seen.RecClient, item);
                RecommendedClientProtocols = ProtocolVersions.Parse(item.Arguments, line);
                break;
            case 27 when kw.SequenceEqual("recommended-relay-protocols"u8):
                Once(Seen.RecRelay, item);
                RecommendedRelayProtocols = ProtocolVersions.Parse(item.Arguments, line);
                break;
            case 25 when kw.SequenceEqual("required-client-protocols"u8):
                Once(Seen.ReqClient, item);
                RequiredClientProtocols = ProtocolVersions.Parse(item.Arguments, line);
                break;
            case 24 when kw.SequenceEqual("required-relay-protocols"u8):
                Once(Seen.ReqRelay, item);
                RequiredRelayProtocols = ProtocolVersions.Parse(item.Arguments, line);
                break;
            case 6 when kw.SequenceEqual("params"u8):
                Once(Seen.Params, item);
                Params = ConsensusParams.Parse(item.Arguments, line, "params");
                break;
            // Shared randomness places onion-service descriptors on the HSDir ring (rend-spec-v3 2.3).
            case 26 when kw.SequenceEqual("shared-rand-previous-value"u8):
                Once(Seen.SharedRandPrevious, item);
                SharedRandPrevious = SharedRandValue(item, "shared-rand-previous-value");
                break;
            case 25 when kw.SequenceEqual("shared-rand-current-value"u8):
                Once(Seen.SharedRandCurrent, item);
                SharedRandCurrent = SharedRandValue(item, "shared-rand-current-value");
                break;
            case 7 when kw.SequenceEqual("package"u8):
                break;
            default:
                return false;
        }
        item.RequireNoObject();
        return true;
    }

    // "shared-rand-*-value" SP NUM_REVEALS SP VALUE: VALUE is 32 bytes in base64 (dir-spec 3.4.1).
    private static byte[] SharedRandValue(NetDocItem item, string keyword)
    {
        var a = item.Args;
        var reveals = a.Next(keyword, "NUM_REVEALS");
        if (!uint.TryParse(reveals, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out _))
            throw new NetDocException($"{keyword}: NUM_REVEALS '{NetDocText.Latin1(NetDocText.Clip(reveals))}' is not a number", item.Line);
        var value = NetDocText.Latin1(a.Next(keyword, "VALUE"));
        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(value.Length % 4 == 0 ? value : value.PadRight(value.Length + 4 - value.Length % 4, '='));
        }
        catch (FormatException)
        {
            throw new NetDocException($"{keyword}: VALUE is not base64", item.Line);
        }
        if (bytes.Length != 32)
            throw new NetDocException($"{keyword}: VALUE is {bytes.Length} bytes, must be 32", item.Line);
        return bytes;
    }

    private static List<string> VersionList(ReadOnlySpan<byte> args)
    {
        var list = new List<string>();
        foreach (var range in args.Split((byte)','))
        {
            var v = NetDocReader.TrimWhitespace(args[range]);
            if (!v.IsEmpty && list.Count < 1024)
                list.Add(NetDocText.Latin1(v));
        }
        return list;
    }

    private void Once(Seen bit, NetDocItem item)
    {
        if ((_seen & bit) != 0)
            throw new NetDocException($"'{item.KeywordText}' appears more than once", item.Line);
        _seen |= bit;
    }

    private void Require(Seen bit, string keyword)
    {
        if ((_seen & bit) == 0)
            throw new NetDocException($"consensus lacks '{keyword}'");
    }

    /// <summary>At the end of the document: the required items were all there and the times are in order.</summary>
    public void CheckComplete()
    {
        Require(Seen.VoteStatus, "vote-status");
        Require(Seen.ValidAfter, "valid-after");
        Require(Seen.FreshUntil, "fresh-until");
        Require(Seen.ValidUntil, "valid-until");
        Require(Seen.VotingDelay, "voting-delay");
        Require(Seen.KnownFlags, "known-flags");
        if (!(ValidAfter < FreshUntil && FreshUntil < ValidUntil))
            throw new NetDocException("consensus times must satisfy valid-after < fresh-until < valid-until");
    }
}
