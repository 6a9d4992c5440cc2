using System.Collections.Concurrent;

namespace Burrow.Core.Networks;

/// <summary>
/// The running networks of this process, by name (case-insensitive), so every runspace sees them.
/// A network leaves the registry when it stops.
/// </summary>
public static class BurrowNetworkRegistry
{
    private static readonly ConcurrentDictionary<string, BurrowNetwork> Networks = new(StringComparer.OrdinalIgnoreCase);

    public static IReadOnlyList<BurrowNetwork> All => Networks.Values.OrderBy(n => n.Name, StringComparer.OrdinalIgnoreCase).ToArray();

    public static BurrowNetwork? Find(string name) => Networks.TryGetValue(name, out var n) ? n : null;

    /// <summary>Adds a network; false when one of that name is already registered.</summary>
    internal static bool TryAdd(BurrowNetwork network) => Networks.TryAdd(network.Name, network);

    internal static void Remove(BurrowNetwork network) => Networks.TryRemove(new KeyValuePair<string, BurrowNetwork>(network.Name, network));

    /// <summary>Stops every network (module removal, process exit).</summary>
    public static async Task StopAllAsync()
    {
        foreach (var network in All)
            await network.StopAsync().ConfigureAwait(false);
    }
}
