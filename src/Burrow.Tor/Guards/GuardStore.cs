// Persistent guard state (guard-spec A.5 leaves the format to implementations): JSON in
// state_dir, written atomically.
using System.Text.Json;
using System.Text.Json.Serialization;
using Burrow.Tor.Identities;
using Burrow.Tor.NetDoc;
using Burrow.Tor.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Burrow.Tor.Guards;

/// <summary>
/// Reads and writes state_dir/guards.json. A file that cannot be read (bad JSON, unknown version,
/// bad identities) is reported, moved aside to guards.json.corrupt and replaced by a fresh sample:
/// losing guard state costs some privacy over time, refusing to start would cost all of it.
/// </summary>
internal sealed class GuardStore
{
    public const string FileName = "guards.json";
    private const int FormatVersion = 1;
    /// <summary>More entries than any sample may hold: the file is not trusted to be small.</summary>
    private const int MaxEntries = 1000;
    private const long MaxFileBytes = 4 * 1024 * 1024;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private readonly ILogger _logger;

    public GuardStore(string stateDir, ILogger? logger = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(stateDir);
        FilePath = System.IO.Path.Combine(stateDir, FileName);
        _logger = logger ?? NullLogger.Instance;
    }

    public string FilePath { get; }

    /// <summary>The sampled guards in sample order (confirmed ones carry <see cref="SampledGuard.ConfirmedOn"/>)
    /// and the confirmed order; empty when there is no usable file.</summary>
    public (List<SampledGuard> Sampled, List<SampledGuard> Confirmed) Load()
    {
        if (!File.Exists(FilePath))
            return ([], []);
        try
        {
            var info = new FileInfo(FilePath);
            if (info.Length > MaxFileBytes)
                throw new GuardStateException($"the file is {info.Length} bytes, more than the {MaxFileBytes} a guard state can need");
            var file = JsonSerializer.Deserialize<GuardStateFile>(File.ReadAllBytes(FilePath), Json)
                ?? throw new GuardStateException("the file holds 'null'");
            return Convert(file);
        }
        catch (Exception e) when (e is JsonException or GuardStateException or IOException or UnauthorizedAccessException)
        {
            var aside = FilePath + ".corrupt";
            _logger.LogWarning("Guard state {Path} is unreadable ({Reason}); moved to {Aside}, choosing new guards.", FilePath, e.Message, aside);
            try
            {
                File.Move(FilePath, aside, overwrite: true);
            }
            catch (Exception moveError) when (moveError is IOException or UnauthorizedAccessException)
            {
                _logger.LogWarning("Could not move {Path} aside: {Reason}", FilePath, moveError.Message);
            }
            return ([], []);
        }
    }

    private static (List<SampledGuard>, List<SampledGuard>) Convert(GuardStateFile file)
    {
        if (file.Version != FormatVersion)
            throw new GuardStateException($"format version {file.Version} is not supported (this client writes version {FormatVersion})");
        var entries = file.Guards ?? throw new GuardStateException("'guards' is missing");
        if (entries.Count > MaxEntries)
            throw new GuardStateException($"{entries.Count} guards listed, at most {MaxEntries} accepted");
        var sampled = new List<SampledGuard>(entries.Count);
        var confirmed = new List<(int Index, SampledGuard Guard)>();
        var seen = new HashSet<RsaIdentity>();
        foreach (var e in entries)
        {
            if (e == null || e.Id == null || !RsaIdentity.TryFromHex(e.Id, out var id))
                throw new GuardStateException($"guard entry {sampled.Count + 1}: 'id' must be 40 hexadecimal digits");
            if (!seen.Add(id))
                throw new GuardStateException($"guard {e.Id} is listed twice");
            var g = new SampledGuard
            {
                Identity = id,
                Nickname = string.IsNullOrEmpty(e.Nickname) ? "Unnamed" : e.Nickname[..Math.Min(e.Nickname.Length, 19)],
                AddedOn = Utc(e.AddedOn),
                AddedBy = e.AddedBy ?? "unknown",
                IsListed = e.Listed,
                FirstUnlistedAt = e.FirstUnlistedAt is { } u ? Utc(u) : null,
                ConfirmedOn = e.ConfirmedOn is { } c ? Utc(c) : null,
                PathBias = PathBias.PathBiasCounts.Restore(e.PbCircuitAttempts ?? 0, e.PbCircuitSuccesses ?? 0, e.PbUseAttempts ?? 0, e.PbUseSuccesses ?? 0),
                PathBiasDisabled = e.PbDisabled ?? false,
            };
            sampled.Add(g);
            if (g.ConfirmedOn != null)
                confirmed.Add((e.ConfirmedIndex ?? int.MaxValue, g));
        }
        return (sampled, confirmed.OrderBy(c => c.Index).Select(c => c.Guard).ToList());
    }

    private static DateTime Utc(DateTime t) => t.Kind switch
    {
        DateTimeKind.Utc => t,
        DateTimeKind.Local => t.ToUniversalTime(),
        _ => DateTime.SpecifyKind(t, DateTimeKind.Utc),
    };

    /// <summary>Writes the state atomically. Failures are logged, not thrown: the client keeps running.</summary>
    public bool Save(IReadOnlyList<SampledGuard> sampled, IReadOnlyList<SampledGuard> confirmed)
    {
        var file = new GuardStateFile
        {
            Version = FormatVersion,
            Guards = sampled.Select(g => (GuardEntry?)new GuardEntry
            {
                Id = g.Identity.ToHex(),
                Nickname = g.Nickname,
                AddedOn = g.AddedOn,
                AddedBy = g.AddedBy,
                Listed = g.IsListed,
                FirstUnlistedAt = g.FirstUnlistedAt,
                ConfirmedOn = g.ConfirmedOn,
                ConfirmedIndex = g.ConfirmedOn == null ? null : IndexOf(confirmed, g),
                PbCircuitAttempts = g.PathBias.CircuitAttempts > 0 ? g.PathBias.CircuitAttempts : null,
                PbCircuitSuccesses = g.PathBias.CircuitAttempts > 0 ? g.PathBias.CircuitSuccesses : null,
                PbUseAttempts = g.PathBias.UseAttempts > 0 ? g.PathBias.UseAttempts : null,
                PbUseSuccesses = g.PathBias.UseAttempts > 0 ? g.PathBias.UseSuccesses : null,
                PbDisabled = g.PathBiasDisabled ? true : null,
            }).ToList(),
        };
        try
        {
            AtomicFile.Write(FilePath, JsonSerializer.SerializeToUtf8Bytes(file, Json));
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _logger.LogWarning("Could not save guard state to {Path}: {Reason}", FilePath, e.Message);
            return false;
        }
    }

    private static int? IndexOf(IReadOnlyList<SampledGuard> list, SampledGuard g)
    {
        for (var i = 0; i < list.Count; i++)
        {
            if (ReferenceEquals(list[i], g))
                return i;
        }
        return null;
    }

    internal sealed class GuardStateFile
    {
        public int Version { get; set; }

        public List<GuardEntry?>? Guards { get; set; }
    }

    internal sealed class GuardEntry
    {
        public string? Id { get; set; }

        public string? Nickname { get; set; }

        public DateTime AddedOn { get; set; }

        public string? AddedBy { get; set; }

        public bool Listed { get; set; }

        public DateTime? FirstUnlistedAt { get; set; }

        public DateTime? ConfirmedOn { get; set; }

        public int? ConfirmedIndex { get; set; }

        // Path bias (path-spec 7), absent in files written before it was kept.
        public double? PbCircuitAttempts { get; set; }

        public double? PbCircuitSuccesses { get; set; }

        public double? PbUseAttempts { get; set; }

        public double? PbUseSuccesses { get; set; }

        public bool? PbDisabled { get; set; }
    }
}
