// Directory requests (dir-spec 4, 6: HTTP over a BEGIN_DIR stream) and the choice of servers to ask.
namespace Burrow.Tor.Dir;

/// <summary>
/// The directory's I/O: which servers to ask, in what order, and one request to one of them (open a
/// directory stream, HTTP GET, bounded body), with timeouts and failures as <see cref="DirectoryException"/>s.
/// What to fetch and whether the answer is good is the directory manager's business.
/// </summary>
internal sealed class DirectoryFetcher
{
    private readonly IDirectoryStreamOpener _opener;
    private readonly IReadOnlyList<DirectoryServer> _bootstrapServers;
    private readonly TimeSpan _requestTimeout;
    private readonly Random _random;

    public DirectoryFetcher(IDirectoryStreamOpener opener, IReadOnlyList<DirectoryServer> bootstrapServers, TimeSpan requestTimeout, Random random)
    {
        _opener = opener;
        _bootstrapServers = bootstrapServers;
        _requestTimeout = requestTimeout;
        _random = random;
    }

    /// <summary>Preferred caches first, then the bootstrap servers, each group shuffled.</summary>
    public List<DirectoryServer> ServersInOrder(IReadOnlyList<DirectoryServer> preferred)
    {
        var list = Shuffle(preferred).Concat(Shuffle(_bootstrapServers))
            .DistinctBy(s => s.RsaIdentity)
            .ToList();
        if (list.Count == 0)
            throw new DirectoryException(DirectoryErrorKind.Exhausted, "no directory servers are configured");
        return list;
    }

    private List<DirectoryServer> Shuffle(IReadOnlyList<DirectoryServer> servers)
    {
        var list = servers.ToList();
        // The random source may be shared with the schedule (and is not thread-safe): lock on it.
        lock (_random)
        {
            for (var i = list.Count - 1; i > 0; i--)
            {
                var j = _random.Next(i + 1);
                (list[i], list[j]) = (list[j], list[i]);
            }
        }
        return list;
    }

    /// <summary>GET <paramref name="path"/> from <paramref name="server"/>, the whole exchange within the request timeout.</summary>
    public async Task<DirResponse> RequestAsync(DirectoryServer server, string path, int maxEncoded, int maxDecoded, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_requestTimeout);
        Stream stream;
        try
        {
            stream = await _opener.OpenAsync(server, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new DirectoryException(DirectoryErrorKind.Timeout, $"no directory stream within {_requestTimeout.TotalSeconds:0.#} s", e);
        }
        catch (Exception e) when (e is not OperationCanceledException && e is not DirectoryException)
        {
            throw new DirectoryException(DirectoryErrorKind.Unreachable, $"cannot open a directory stream: {e.Message}", e);
        }
        await using (stream.ConfigureAwait(false))
        {
            try
            {
                return await DirHttp.GetAsync(stream, path, maxEncoded, maxDecoded, timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
            {
                throw new DirectoryException(DirectoryErrorKind.Timeout, $"no complete answer within {_requestTimeout.TotalSeconds:0.#} s", e);
            }
            catch (IOException e)
            {
                throw new DirectoryException(DirectoryErrorKind.Unreachable, $"the directory stream failed: {e.Message}", e);
            }
        }
    }
}
