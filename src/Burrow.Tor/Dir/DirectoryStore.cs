// The directory cache in cache_dir, named like C tor's: cached-microdesc-consensus,
// cached-certs, cached-microdescs. Nothing read back is trusted: the directory manager parses
// and verifies it again, exactly as if it had been downloaded.
using Burrow.Tor.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Burrow.Tor.Dir;

internal sealed class DirectoryStore
{
    public const string ConsensusFile = "cached-microdesc-consensus";
    public const string CertificatesFile = "cached-certs";
    public const string MicrodescriptorsFile = "cached-microdescs";

    private readonly ILogger _logger;

    public DirectoryStore(string cacheDir, ILogger? logger = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(cacheDir);
        CacheDir = cacheDir;
        _logger = logger ?? NullLogger.Instance;
    }

    public string CacheDir { get; }

    public string PathOf(string file) => System.IO.Path.Combine(CacheDir, file);

    /// <summary>The file's bytes, or null when it is absent, unreadable or larger than <paramref name="limit"/>.</summary>
    public byte[]? Read(string file, long limit)
    {
        var path = PathOf(file);
        try
        {
            if (!File.Exists(path))
                return null;
            var length = new FileInfo(path).Length;
            if (length > limit)
            {
                _logger.LogWarning("Cached {File} is {Length} bytes, more than the {Limit} allowed; ignoring it.", file, length, limit);
                return null;
            }
            return File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _logger.LogWarning("Cannot read cached {File}: {Reason}", file, e.Message);
            return null;
        }
    }

    /// <summary>Replaces the file atomically; failures are logged (the client runs on without a cache).</summary>
    public void Write(string file, ReadOnlySpan<byte> content)
    {
        try
        {
            AtomicFile.Write(PathOf(file), content);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _logger.LogWarning("Cannot write cached {File} in {Dir}: {Reason}", file, CacheDir, e.Message);
        }
    }

    public void Write(string file, IEnumerable<byte[]> parts)
    {
        var buffer = new MemoryStream();
        foreach (var p in parts)
            buffer.Write(p);
        Write(file, buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
    }

    public void Delete(string file)
    {
        try
        {
            File.Delete(PathOf(file));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _logger.LogWarning("Cannot delete cached {File}: {Reason}", file, e.Message);
        }
    }
}
