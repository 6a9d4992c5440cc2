// The authority section of a consensus (dir-spec 3.4.1: "dir-source", "contact", "vote-digest").
using System.Text;
using Burrow.Tor.Identities;

namespace Burrow.Tor.NetDoc;

/// <summary>Reads the authority section groups of one consensus into <see cref="DirSources"/>.</summary>
internal sealed class DirSourceParser
{
    private const int MaxDirSources = 64;

    public List<DirSource> DirSources { get; } = [];

    // Authority section group in progress.
    private DirSource? _dirSource;
    private bool _dirSourceContact, _dirSourceVoteDigest;

    /// <summary>A "dir-source" starts a group; "contact" and "vote-digest" belong to the current one.</summary>
    public void Item(NetDocItem item)
    {
        var line = item.Line;
        item.RequireNoObject();
        if (item.Is("dir-source"u8))
        {
            Finish();
            if (DirSources.Count == MaxDirSources)
                throw new NetDocException($"more than {MaxDirSources} 'dir-source' entries", line);
            var a = item.Args;
            var nick = a.Next("dir-source", "nickname");
            Span<byte> id = stackalloc byte[RsaIdentity.Length];
            NetDocText.ParseHex(a.Next("dir-source", "identity"), id, line, "'dir-source' identity");
            var address = a.Next("dir-source", "address");
            var ip = NetDocText.ParseIPv4(a.Next("dir-source", "IP"), line, "'dir-source' IP");
            var dirPort = NetDocText.ParsePort(a.Next("dir-source", "dirport"), line, "'dir-source' dirport");
            var orPort = NetDocText.ParsePort(a.Next("dir-source", "orport"), line, "'dir-source' orport");
            _dirSource = new DirSource
            {
                Nickname = NetDocText.Latin1(NetDocText.Clip(nick)),
                Identity = new RsaIdentity(id),
                Address = NetDocText.Latin1(NetDocText.Clip(address)),
                IPAddress = ip,
                DirPort = dirPort,
                OrPort = orPort,
                LineNumber = line,
            };
            DirSources.Add(_dirSource);
            _dirSourceContact = _dirSourceVoteDigest = false;
            return;
        }
        if (_dirSource == null)
            throw new NetDocException($"'{item.KeywordText}' before any 'dir-source'", line);
        if (item.Is("contact"u8))
        {
            if (_dirSourceContact)
                throw new NetDocException("'contact' appears twice in one authority group", line);
            _dirSourceContact = true;
            _dirSource.Contact = Encoding.UTF8.GetString(item.Arguments.Length > 256 ? item.Arguments[..256] : item.Arguments);
        }
        else
        {
            if (_dirSourceVoteDigest)
                throw new NetDocException("'vote-digest' appears twice in one authority group", line);
            _dirSourceVoteDigest = true;
            var a = item.Args;
            var digest = new byte[20];
            NetDocText.ParseHex(a.Next("vote-digest", "digest"), digest, line, "'vote-digest'");
            _dirSource.VoteDigest = digest;
        }
    }

    /// <summary>Completes the group in progress: a non-legacy group must have had its "vote-digest".</summary>
    public void Finish()
    {
        if (_dirSource != null && !_dirSource.IsLegacy && !_dirSourceVoteDigest)
            throw new NetDocException($"authority group '{_dirSource.Nickname}' lacks 'vote-digest'", _dirSource.LineNumber);
        _dirSource = null;
    }
}
