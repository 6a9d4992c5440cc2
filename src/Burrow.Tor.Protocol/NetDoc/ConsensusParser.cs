// Reads consensus documents (dir-spec 3.4.1 format, 3.9 flavours, 1.3 signatures). One pass
// over the bytes: this driver knows the order of the sections and hands each item to the
// parser of its section (ConsensusPreambleParser, DirSourceParser, RouterStatusParser,
// ConsensusFooterParser); the per-router loop dispatches on the short keywords without strings
// or regexes.
namespace Burrow.Tor.NetDoc;

internal static class ConsensusParser
{
    /// <summary>Consensuses are a few MB; this only stops absurd inputs early.</summary>
    public const int MaxDocumentBytes = 64 * 1024 * 1024;

    private enum Section { Preamble, Authorities, Routers, Footer, Signatures }

    public static MicrodescConsensus Parse(ReadOnlySpan<byte> doc)
    {
        if (doc.Length > MaxDocumentBytes)
            throw new NetDocException($"consensus is larger than {MaxDocumentBytes} bytes");
        // Tor documents are LF-only; a CRLF copy is parsed and hashed as LF, and the
        // signatures then prove (or refute) that this is the text that was signed.
        var normalized = NetDocText.NormalizeLineEndings(doc);
        if (normalized != null)
            doc = normalized;

        var reader = new NetDocReader(doc, allowAnnotations: true);
        NetDocItem item;
        do
        {
            if (!reader.TryRead(out item))
                throw new NetDocException("empty document: expected 'network-status-version'");
        }
        while (item.IsAnnotation);

        if (!item.Is("network-status-version"u8))
            throw new NetDocException($"a consensus must start with 'network-status-version', found '{item.KeywordText}'", item.Line);
        var documentStart = item.Start;
        var flavor = ConsensusPreambleParser.ParseVersion(item);

        var preamble = new ConsensusPreambleParser();
        var authorities = new DirSourceParser();
        var routers = new RouterStatusParser(flavor);
        var footer = new ConsensusFooterParser();
        var section = Section.Preamble;
        var signedEnd = -1;

        while (reader.TryRead(out item))
        {
            if (item.IsAnnotation)
                throw new NetDocException("annotation lines are only allowed before 'network-status-version'", item.Line);
            var kw = item.Keyword;

            if (section == Section.Signatures)
            {
                if (!item.Is("directory-signature"u8))
                    throw new NetDocException($"only 'directory-signature' items may follow the first signature, found '{item.KeywordText}'", item.Line);
                footer.SignatureItem(item);
                continue;
            }

            if (item.Is("directory-signature"u8))
            {
                routers.Finish();
                authorities.Finish();
                // The signed part ends with the single space after the first "directory-signature".
                var afterKeyword = item.Start + "directory-signature"u8.Length;
                if (afterKeyword >= doc.Length || doc[afterKeyword] != (byte)' ')
                    throw new NetDocException("'directory-signature' must be followed by a single space and its arguments", item.Line);
                signedEnd = afterKeyword + 1;
                section = Section.Signatures;
                footer.SignatureItem(item);
                continue;
            }

            if (section == Section.Routers && kw.Length <= 2)
            {
                routers.Item(item);
                continue;
            }

            if (kw.SequenceEqual("r"u8))
            {
                if (section == Section.Footer)
                    throw new NetDocException("router entry ('r') after 'directory-footer'", item.Line);
                authorities.Finish();
                section = Section.Routers;
                routers.Item(item);
                continue;
            }

            if (kw.SequenceEqual("directory-footer"u8))
            {
                if (section == Section.Footer)
                    throw new NetDocException("'directory-footer' appears more than once", item.Line);
                ConsensusFooterParser.FooterItem(item);
                routers.Finish();
                authorities.Finish();
                section = Section.Footer;
                continue;
            }

            if (kw.SequenceEqual("bandwidth-weights"u8))
            {
                if (section != Section.Footer)
                    throw new NetDocException("'bandwidth-weights' must be in the footer, after 'directory-footer'", item.Line);
                footer.BandwidthWeightsItem(item);
                continue;
            }

            if (kw.SequenceEqual("dir-source"u8))
            {
                if (section is Section.Routers or Section.Footer)
                    throw new NetDocException("'dir-source' after the router entries", item.Line);
                section = Section.Authorities;
                authorities.Item(item);
                continue;
            }

            if (kw.SequenceEqual("contact"u8) || kw.SequenceEqual("vote-digest"u8))
            {
                if (section != Section.Authorities)
                    throw new NetDocException($"'{item.KeywordText}' outside an authority section group", item.Line);
                authorities.Item(item);
                continue;
            }

            if (preamble.TryItem(item))
            {
                if (section != Section.Preamble)
                    throw new NetDocException($"'{item.KeywordText}' belongs in the preamble, before the first 'dir-source'", item.Line);
                continue;
            }
            // Unknown keywords are ignored wherever they appear (dir-spec 1.2).
        }

        if (section != Section.Signatures)
            throw new NetDocException("consensus has no 'directory-signature'", reader.Line);
        preamble.CheckComplete();

        return new MicrodescConsensus
        {
            Flavor = flavor,
            ConsensusMethod = preamble.ConsensusMethod,
            ValidAfter = preamble.ValidAfter,
            FreshUntil = preamble.FreshUntil,
            ValidUntil = preamble.ValidUntil,
            VoteSeconds = preamble.VoteSeconds,
            DistSeconds = preamble.DistSeconds,
            ClientVersions = preamble.ClientVersions,
            ServerVersions = preamble.ServerVersions,
            KnownFlags = preamble.KnownFlags,
            RecommendedClientProtocols = preamble.RecommendedClientProtocols,
            RequiredClientProtocols = preamble.RequiredClientProtocols,
            RecommendedRelayProtocols = preamble.RecommendedRelayProtocols,
            RequiredRelayProtocols = preamble.RequiredRelayProtocols,
            Params = preamble.Params,
            SharedRandCurrent = preamble.SharedRandCurrent,
            SharedRandPrevious = preamble.SharedRandPrevious,
            DirSources = authorities.DirSources,
            Routers = routers.Routers,
            BandwidthWeights = footer.Weights,
            // Digest of the signed part, once per algorithm in use.
            Signatures = footer.Signatures(doc[documentStart..signedEnd]),
        };
    }
}
