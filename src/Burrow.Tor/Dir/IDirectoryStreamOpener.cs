namespace Burrow.Tor.Dir;

/// <summary>
/// Opens a directory stream (BEGIN_DIR on a one-hop circuit, tor-spec 6.2.1) to a server. The
/// directory code speaks HTTP/1.0 over whatever stream this returns, so it is testable without a
/// network; the client supplies the real one. Failures throw; the caller tries another server.
/// </summary>
internal interface IDirectoryStreamOpener
{
    Task<Stream> OpenAsync(DirectoryServer server, CancellationToken cancellationToken);
}
