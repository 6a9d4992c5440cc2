using System.Net;
using System.Net.Sockets;
using Burrow.Core.Net;

namespace Burrow.Core.Dns;

/// <summary>
/// Hands out addresses from private ranges for names that Burrow resolves itself, so that a later
/// connection to such an address can be opened through Tor by host name (BEGIN with the name: the
/// exit resolves it, and .onion needs no DNS at all). Bounded (least recently used entry evicted),
/// each entry lives <see cref="VirtualAddressMapOptions.EntryLifetime"/> after its last use, and an
/// address is never handed out while another name still holds it. Thread-safe.
/// </summary>
internal sealed class VirtualAddressMap
{
    private readonly object _gate = new();
    private readonly TimeProvider _time;
    private readonly long _lifetimeTicks;
    private readonly string[] _suffixes;
    private readonly Dictionary<string, Entry> _byName = new(StringComparer.Ordinal);
    private readonly Dictionary<IPAddress, Entry> _byAddress = [];
    private readonly LinkedList<Entry> _recent = []; // first = most recently used
    private readonly Pool _v4;
    private readonly Pool _v6;

    public VirtualAddressMap(VirtualAddressMapOptions options, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _time = time ?? TimeProvider.System;
        if (options.EntryLifetime <= TimeSpan.Zero)
            throw new ArgumentException($"the entry lifetime must be positive; got {options.EntryLifetime}", nameof(options));
        _lifetimeTicks = (long)(options.EntryLifetime.TotalSeconds * _time.TimestampFrequency);

        var suffixes = new List<string>();
        foreach (var suffix in options.Suffixes)
        {
            if (!DnsName.TryNormalizeSuffix(suffix, out var normalized, out var problem))
                throw new ArgumentException($"automap suffix '{suffix}' is not accepted: {problem}; use \".\" (every name) or a name such as \".onion\"", nameof(options));
            suffixes.Add(normalized);
        }

        _suffixes = [.. suffixes.Distinct(StringComparer.Ordinal)];
        _v4 = new Pool(options.NetworkV4, AddressFamily.InterNetwork, options.Capacity);
        _v6 = new Pool(options.NetworkV6, AddressFamily.InterNetworkV6, options.Capacity);
        if (options.Capacity < 1)
            throw new ArgumentException($"the capacity must be at least 1; got {options.Capacity}", nameof(options));
        Capacity = options.Capacity;
        NetworkV4 = options.NetworkV4;
        NetworkV6 = options.NetworkV6;
    }

    public int Capacity { get; }

    public IPNetwork NetworkV4 { get; }

    public IPNetwork NetworkV6 { get; }

    /// <summary>The suffixes as normalised ("." or names without a leading dot).</summary>
    public IReadOnlyList<string> Suffixes => _suffixes;

    public int Count
    {
        get
        {
            lock (_gate)
            {
                Expire(_time.GetTimestamp());
                return _byName.Count;
            }
        }
    }

    /// <summary>True when <paramref name="name"/> falls under one of the automap suffixes (it is normalised first).</summary>
    public bool ShouldAutomap(string name)
    {
        if (!DnsName.TryNormalize(name, out var normalized, out _))
            return false;
        foreach (var suffix in _suffixes)
        {
            if (DnsName.HasSuffix(normalized, suffix))
                return true;
        }

        return false;
    }

    /// <summary>True when <paramref name="address"/> lies in one of the virtual ranges (mapped or not).</summary>
    public bool IsVirtualAddress(IPAddress address)
    {
        address = EndPoints.Unmap(address);
        return NetworkV4.Contains(address) || NetworkV6.Contains(address);
    }

    /// <summary>
    /// The virtual address of <paramref name="name"/> in <paramref name="family"/>, assigned now if it has none;
    /// refreshes the entry. Throws <see cref="ArgumentException"/> for a name that is not a valid host name.
    /// </summary>
    public IPAddress GetOrAssign(string name, AddressFamily family)
    {
        if (!DnsName.TryNormalize(name, out var normalized, out var problem))
            throw new ArgumentException($"'{name}' is not a valid host name: {problem}", nameof(name));
        if (family is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6))
            throw new ArgumentException($"address family {family} is not supported; use InterNetwork or InterNetworkV6", nameof(family));

        lock (_gate)
        {
            var now = _time.GetTimestamp();
            Expire(now);
            if (!_byName.TryGetValue(normalized, out var entry))
            {
                if (_byName.Count >= Capacity)
                    Remove(_recent.Last!.Value);
                entry = new Entry(normalized);
                entry.Node = _recent.AddFirst(entry);
                _byName.Add(normalized, entry);
            }

            Touch(entry, now);
            var pool = family == AddressFamily.InterNetwork ? _v4 : _v6;
            ref var slot = ref family == AddressFamily.InterNetwork ? ref entry.V4 : ref entry.V6;
            if (slot is null)
            {
                slot = pool.Next(_byAddress);
                _byAddress.Add(slot, entry);
            }

            return slot;
        }
    }

    /// <summary>
    /// The host name a virtual address stands for (IPv4-mapped IPv6 accepted); refreshes the entry.
    /// False for addresses outside the map or whose entry expired or was evicted.
    /// </summary>
    public bool TryGetHostname(IPAddress address, out string hostname)
    {
        address = EndPoints.Unmap(address);
        lock (_gate)
        {
            var now = _time.GetTimestamp();
            Expire(now);
            if (_byAddress.TryGetValue(address, out var entry))
            {
                Touch(entry, now);
                hostname = entry.Name;
                return true;
            }
        }

        hostname = string.Empty;
        return false;
    }

    private void Touch(Entry entry, long now)
    {
        entry.LastUsed = now;
        if (entry.Node != _recent.First)
        {
            _recent.Remove(entry.Node!);
            _recent.AddFirst(entry.Node!);
        }
    }

    private void Expire(long now)
    {
        while (_recent.Last is { } oldest && now - oldest.Value.LastUsed >= _lifetimeTicks)
            Remove(oldest.Value);
    }

    private void Remove(Entry entry)
    {
        _recent.Remove(entry.Node!);
        _byName.Remove(entry.Name);
        if (entry.V4 is not null)
            _byAddress.Remove(entry.V4);
        if (entry.V6 is not null)
            _byAddress.Remove(entry.V6);
    }

    private sealed class Entry(string name)
    {
        public string Name { get; } = name;

        public IPAddress? V4;

        public IPAddress? V6;

        public long LastUsed;

        public LinkedListNode<Entry>? Node;
    }

    /// <summary>One range, handed out in order from a cursor so a freed address is reused as late as possible.</summary>
    private sealed class Pool
    {
        private readonly UInt128 _base;
        private readonly UInt128 _size; // usable offsets are 1 .. _size - 1 (the network's first address is skipped)
        private readonly int _byteCount;
        private UInt128 _cursor = 1;

        public Pool(IPNetwork network, AddressFamily family, int capacity)
        {
            var label = family == AddressFamily.InterNetwork ? "virtual_network_v4" : "virtual_network_v6";
            if (network.BaseAddress.AddressFamily != family)
                throw new ArgumentException($"{label} {network} is not an {(family == AddressFamily.InterNetwork ? "IPv4" : "IPv6")} network");
            _byteCount = family == AddressFamily.InterNetwork ? 4 : 16;
            var hostBits = _byteCount * 8 - network.PrefixLength;
            _size = hostBits >= 127 ? UInt128.MaxValue : UInt128.One << hostBits;
            // Room for every entry plus the skipped first address and, for IPv4, the last one.
            if (_size < (UInt128)(long)capacity + 2)
                throw new ArgumentException($"{label} {network} has too few addresses for a capacity of {capacity} names; use a shorter prefix or a smaller capacity");
            if (family == AddressFamily.InterNetwork)
                _size -= 1; // leave the last IPv4 address (the broadcast of a /N) unused
            _base = ToUInt128(network.BaseAddress.GetAddressBytes());
        }

        public IPAddress Next(Dictionary<IPAddress, Entry> inUse)
        {
            // Terminates: fewer addresses are in use than the pool holds (checked against the capacity).
            while (true)
            {
                var candidate = ToAddress(_base + _cursor);
                _cursor = _cursor + 1 >= _size ? 1 : _cursor + 1;
                if (!inUse.ContainsKey(candidate))
                    return candidate;
            }
        }

        private static UInt128 ToUInt128(byte[] bytes)
        {
            UInt128 value = 0;
            foreach (var b in bytes)
                value = (value << 8) | b;
            return value;
        }

        private IPAddress ToAddress(UInt128 value)
        {
            var bytes = new byte[_byteCount];
            for (var i = _byteCount - 1; i >= 0; i--)
            {
                bytes[i] = (byte)(value & 0xFF);
                value >>= 8;
            }

            return new IPAddress(bytes);
        }
    }
}
