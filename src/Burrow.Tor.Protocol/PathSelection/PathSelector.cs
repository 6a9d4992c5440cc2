// Path selection for exit circuits (path-spec 2.2, 2.2.1; dir-spec 5.4.1 flag usage).
using Burrow.Tor.NetDir;
using Burrow.Tor.NetDoc;

namespace Burrow.Tor.PathSelection;

/// <summary>
/// Chooses relays for circuits. The exit is chosen first (by port policy), then the guard (by the
/// caller's guard manager, told to avoid relays that may not share a circuit with the exit), then
/// a middle compatible with both. Every position requires Running and Valid relays with a
/// microdescriptor and an ntor key; general circuits require Fast, long-lived ones Stable; guards
/// and exits must not be MiddleOnly; exits must not be BadExit. Choices are bandwidth-weighted
/// (<see cref="RelayWeights"/>) with the injected random source.
/// </summary>
internal sealed class PathSelector
{
    private readonly Random _random;
    private readonly object _randomLock = new();

    public PathSelector(PathRules? rules = null, Random? random = null)
    {
        Rules = rules ?? PathRules.Default;
        _random = random ?? CryptoRandom.Instance;
    }

    public PathRules Rules { get; }

    /// <summary>Running, Valid, Fast, with a microdescriptor, an ntor key and "Relay=2" (CREATE2/EXTEND2,
    /// <see cref="CircuitProtocols"/>): usable in any hop of a general circuit.</summary>
    public static bool IsUsableForCircuits(Relay r, bool stable) =>
        r.HasFlag(RelayFlags.Running | RelayFlags.Valid | RelayFlags.Fast)
        && (!stable || r.HasFlag(RelayFlags.Stable))
        && r.HasNtorOnionKey
        && CircuitProtocols.CanCarryCircuits(r);

    /// <summary>Whether <paramref name="r"/> can be the exit for <paramref name="requirement"/>.</summary>
    public static bool IsUsableAsExit(Relay r, ExitRequirement requirement)
    {
        if (!IsUsableForCircuits(r, requirement.Stable) || r.HasFlag(RelayFlags.BadExit) || r.HasFlag(RelayFlags.MiddleOnly))
            return false;
        if (requirement.ExcludedExits.Contains(r.RsaIdentity))
            return false;
        var policy = requirement.IPv6 ? r.ExitPolicy6 : r.ExitPolicy;
        return requirement.Port is { } port ? policy.AllowsPort(port) : policy.AllowsAnyPort;
    }

    /// <summary>In {GUARDS} (guard-spec 4.0): Guard, Stable, Fast, V2Dir, Running, Valid, not MiddleOnly.</summary>
    public static bool IsPossibleGuard(Relay r) =>
        r.HasFlag(RelayFlags.Guard | RelayFlags.Stable | RelayFlags.Fast | RelayFlags.V2Dir | RelayFlags.Running | RelayFlags.Valid)
        && !r.HasFlag(RelayFlags.MiddleOnly);

    /// <summary>A bandwidth-weighted exit for the requirement, or null when no relay qualifies.</summary>
    public Relay? ChooseExit(NetworkDirectory directory, ExitRequirement requirement, Func<Relay, bool>? filter = null)
    {
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(requirement);
        var index = IndexOf(directory);
        // Congestion control wanted: exits that can run it first (tor-spec 9.3 Relay=4, 9.12 FlowCtrl=2), any
        // usable exit when none can (the circuit then uses fixed windows).
        if (requirement.CongestionControl
            && Choose(index, index.ExitCapable, PathPosition.Exit,
                r => CircuitProtocols.SupportsCongestionControl(r) && IsUsableAsExit(r, requirement) && (filter is null || filter(r))) is { } cc)
            return cc;
        return Choose(index, index.ExitCapable, PathPosition.Exit, r => IsUsableAsExit(r, requirement) && (filter is null || filter(r)));
    }

    /// <summary>A middle relay compatible with every relay in <paramref name="chosen"/>, or null.</summary>
    public Relay? ChooseMiddle(NetworkDirectory directory, IReadOnlyList<Relay> chosen, bool stable, Func<Relay, bool>? filter = null)
    {
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(chosen);
        var index = IndexOf(directory);
        var exclusion = new PathExclusion(Rules, chosen);
        return Choose(index, index.Usable, PathPosition.Middle,
            r => (!stable || r.HasFlag(RelayFlags.Stable)) && exclusion.Allows(r) && (filter is null || filter(r)));
    }

    /// <summary>A relay from {GUARDS} weighted for the guard position (guard sampling, guard-spec 4.1).</summary>
    public Relay? ChooseGuardCandidate(NetworkDirectory directory, Func<Relay, bool> filter)
    {
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(filter);
        var index = IndexOf(directory);
        return Choose(index, index.PossibleGuards, PathPosition.Guard, filter);
    }

    /// <summary>A directory cache (V2Dir, Running, Valid) weighted for BEGIN_DIR requests, or null.</summary>
    public Relay? ChooseDirectoryCache(NetworkDirectory directory, Func<Relay, bool>? filter = null)
    {
        ArgumentNullException.ThrowIfNull(directory);
        var candidates = directory.Relays
            .Where(r => r.HasFlag(RelayFlags.V2Dir | RelayFlags.Running | RelayFlags.Valid) && (filter == null || filter(r)))
            .ToList();
        return Choose(directory, candidates, PathPosition.Directory);
    }

    /// <summary>
    /// A three-hop exit path. <paramref name="chooseGuard"/> receives the restriction the guard must
    /// satisfy (it may share a circuit with the exit and is usable for this circuit) and returns a
    /// guard, or null when none qualifies.
    /// </summary>
    /// <remarks><paramref name="avoid"/> names relays to leave out of the exit and middle positions when
    /// others fit (e.g. ones a circuit recently failed to reach); with nothing else they are used.</remarks>
    public CircuitPath SelectExitPath(NetworkDirectory directory, ExitRequirement requirement, Func<Func<Relay, bool>, Relay?> chooseGuard,
        Func<Relay, bool>? avoid = null)
    {
        ArgumentNullException.ThrowIfNull(chooseGuard);
        var exit = (avoid is null ? null : ChooseExit(directory, requirement, r => !avoid(r)))
            ?? ChooseExit(directory, requirement)
            ?? throw new PathSelectionException($"no usable exit relay allows {requirement} ({directory.Relays.Count} relays listed)");
        var exclusion = new PathExclusion(Rules, [exit]);
        var guard = chooseGuard(g => IsUsableForCircuits(g, requirement.Stable) && CircuitProtocols.CanBeFirstHop(g) && exclusion.Allows(g))
            ?? throw new PathSelectionException($"no usable guard may share a circuit with exit {exit.Nickname}");
        if (!Rules.MayShareCircuit(guard, exit))
            throw new PathSelectionException($"guard {guard.Nickname} may not share a circuit with exit {exit.Nickname}");
        var middle = (avoid is null ? null : ChooseMiddle(directory, [guard, exit], requirement.Stable, r => !avoid(r)))
            ?? ChooseMiddle(directory, [guard, exit], requirement.Stable)
            ?? throw new PathSelectionException($"no usable middle relay fits between guard {guard.Nickname} and exit {exit.Nickname}");
        return new CircuitPath([guard, middle, exit]);
    }

    private Relay? Choose(NetworkDirectory directory, IReadOnlyList<Relay> candidates, PathPosition position)
    {
        var weights = IndexOf(directory).Weights;
        lock (_randomLock)
            return weights.Choose(candidates, position, _random);
    }

    private Relay? Choose(DirectoryIndex index, Relay[] pool, PathPosition position, Func<Relay, bool> filter)
    {
        var candidates = new List<Relay>(Math.Min(pool.Length, 1024));
        foreach (var r in pool)
        {
            if (filter(r))
                candidates.Add(r);
        }
        lock (_randomLock)
            return index.Weights.Choose(candidates, position, _random);
    }

    private static DirectoryIndex IndexOf(NetworkDirectory directory) => Indexes.GetValue(directory, static d => new DirectoryIndex(d));

    // Relays that can be in a general circuit at all, computed once per directory snapshot: most
    // relays fail these checks, and paths are chosen often.
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<NetworkDirectory, DirectoryIndex> Indexes = new();

    private sealed class DirectoryIndex
    {
        public DirectoryIndex(NetworkDirectory directory)
        {
            Weights = new RelayWeights(directory);
            Usable = directory.Relays.Where(r => IsUsableForCircuits(r, stable: false)).ToArray();
            ExitCapable = Usable
                .Where(r => !r.HasFlag(RelayFlags.BadExit) && !r.HasFlag(RelayFlags.MiddleOnly) && (r.ExitPolicy.AllowsAnyPort || r.ExitPolicy6.AllowsAnyPort))
                .ToArray();
            PossibleGuards = directory.Relays.Where(IsPossibleGuard).ToArray();
        }

        public RelayWeights Weights { get; }

        public Relay[] Usable { get; }

        public Relay[] ExitCapable { get; }

        /// <summary>{GUARDS}: relays with every flag a guard needs (microdescriptor or not).</summary>
        public Relay[] PossibleGuards { get; }
    }

    /// <summary>Draws uniformly from [0, <paramref name="maxExclusive"/>) with this selector's random source.</summary>
    internal int NextInt(int maxExclusive)
    {
        lock (_randomLock)
            return _random.Next(maxExclusive);
    }
}
