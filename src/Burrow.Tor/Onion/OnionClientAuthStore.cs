using Burrow.Tor.Protocol.Onion;

namespace Burrow.Tor.Onion;

/// <summary>Reads client-authorization keys from a ClientOnionAuthDir ("*.auth_private", one key per file).</summary>
internal static class OnionClientAuthStore
{
    /// <summary>Files bigger than this are not key files.</summary>
    private const int MaxFileBytes = 4096;

    /// <summary>The key for <paramref name="address"/>, or null. A malformed file for another service is skipped; one for this service throws.</summary>
    public static async Task<byte[]?> FindAsync(string? directory, OnionAddress address, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(directory) || !Directory.Exists(directory))
            return null;
        foreach (var file in Directory.EnumerateFiles(directory, "*" + OnionClientAuthKey.FileExtension).Order(StringComparer.Ordinal).Take(1000))
        {
            if (new FileInfo(file).Length > MaxFileBytes)
                continue;
            var text = await File.ReadAllTextAsync(file, cancellationToken).ConfigureAwait(false);
            foreach (var line in text.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')))
            {
                if (OnionClientAuthKey.TryParse(line, out var key, out var error))
                {
                    if (key.Address.Equals(address))
                        return key.PrivateKey;
                }
                else if (line.StartsWith(address.Label, StringComparison.OrdinalIgnoreCase))
                {
                    throw new OnionException(OnionErrorKind.InvalidClientAuthKey, $"{file}: {error}");
                }
            }
        }
        return null;
    }
}
