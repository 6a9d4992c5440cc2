using System.Collections.Concurrent;

namespace Burrow.Core.Networks;

/// <summary>
/// The running networks of this process, by name (case-insensitive), so every runspace sees them.
/// A network leaves the registry when it stops.
/// </summary>
public static class NetworkRegistry
{
    private static readonly ConcurrentDictionary<string, TorNetwork> Networks = new(StringComparer.OrdinalIgnoreCase);

    public static IReadOnlyList<TorNetwork> All => Networks.Values.OrderBy(n => n.Name, StringComparer.OrdinalIgnoreCase).ToArray();

    public static TorNetwork? Find(string name) => Networks.TryGetValue(name, out var n) ? n : null;

    /// <summary>Adds a network; false when one of that name is already registered.</summary>
    internal static bool TryAdd(TorNetwork network) => Networks.TryAdd(network.Name, network);

    internal static void Remove(TorNetwork network) => Networks.TryRemove(new KeyValuePair<string, TorNetwork>(network.Name, network));

    /// <summary>Stops every network (module removal, process exit).</summary>
    public static async Task StopAllAsync()
    {
        foreach (var network in All)
            await network.StopAsync().ConfigureAwait(false);
    }
}
