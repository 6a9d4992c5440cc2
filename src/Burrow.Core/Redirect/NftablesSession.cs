using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;

namespace Burrow.Core.Redirect;

/// <summary>
/// A network's redirect rules installed on Linux: one <c>inet burrow_&lt;name&gt;</c> table made in one
/// transaction through a libnftables context that stays open for the network's life. With the
/// <c>owner</c> flag (Linux 5.12+) the kernel removes the table when that context's netlink socket
/// closes: on <see cref="Dispose"/>, on process exit, on kill -9. Without it (older kernels) the table
/// is a plain one marked with this process (<see cref="BurrowTableMark"/>): <see cref="Dispose"/>
/// deletes it and the next <see cref="Install(RedirectPlan, ILogger, CancellationToken)"/> removes it when its maker has died.
/// </summary>
internal sealed partial class NftablesSession : IDisposable
{
    private readonly NftContext _context;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private bool _disposed;

    private NftablesSession(NftContext context, RedirectPlan plan, bool owned, string script, ILogger logger)
    {
        _context = context;
        Plan = plan;
        Owned = owned;
        Script = script;
        _logger = logger;
    }

    /// <summary>The plan in effect.</summary>
    public RedirectPlan Plan { get; private set; }

    /// <summary>The nft script last applied (what -WhatIf would have shown).</summary>
    public string Script { get; private set; }

    /// <summary>True when the table carries the owner flag (kernel-removed with this process).</summary>
    public bool Owned { get; }

    public string TableName => Plan.TableName;

    /// <summary>
    /// Installs <paramref name="plan"/>'s table. Throws <see cref="RedirectPlanException"/> for a bad plan and
    /// <see cref="NftablesException"/> with nft's message when nftables refuses; then nothing is installed.
    /// </summary>
    public static NftablesSession Install(RedirectPlan plan, ILogger logger, CancellationToken cancellationToken)
        => Install(plan, logger, preferOwner: true, cancellationToken);

    /// <param name="preferOwner">false makes the plain-table fallback of old kernels (tests use it on new ones)</param>
    internal static NftablesSession Install(RedirectPlan plan, ILogger logger, bool preferOwner, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(logger);
        plan.EnsureValid();
        cancellationToken.ThrowIfCancellationRequested();
        var context = NftContext.Open();
        try
        {
            string? reason = null;
            var owned = preferOwner && SupportsOwner(context, out reason);
            if (preferOwner && !owned)
                logger.OwnerUnsupported(plan.TableName, reason!);
            var prefix = RemoveStale(context, plan.TableName, logger);
            cancellationToken.ThrowIfCancellationRequested();
            var script = NftRuleset.Render(plan, new NftRenderOptions(owned, BurrowTableMark.ForCurrentProcess(plan.Network).ToComment()));
            logger.Script(plan.TableName, script);
            context.Run(prefix + script);
            logger.Installed(plan.TableName, plan.Scope, owned ? "owned by this process" : "plain table");
            return new NftablesSession(context, plan, owned, script, logger);
        }
        catch
        {
            context.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Replaces the rules with <paramref name="plan"/>'s (same network) in one transaction on the same
    /// context: the table is deleted and made again, so at no moment is half a ruleset in force; counters restart.
    /// </summary>
    public void Update(RedirectPlan plan, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        plan.EnsureValid();
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (plan.TableName != TableName)
                throw new ArgumentException($"the plan is for network '{plan.Network}' (table {plan.TableName}); this session holds table {TableName} of network '{Plan.Network}'", nameof(plan));
            cancellationToken.ThrowIfCancellationRequested();
            var script = NftRuleset.Render(plan, new NftRenderOptions(Owned, BurrowTableMark.ForCurrentProcess(plan.Network).ToComment()));
            _logger.Script(plan.TableName, script);
            _context.Run($"delete table {NftRuleset.Family} {TableName}\n" + script);
            Plan = plan;
            Script = script;
            _logger.Updated(TableName);
        }
    }

    /// <summary>The table's named counters (<see cref="NftCounterNames"/>) by name.</summary>
    public IReadOnlyDictionary<string, NftCounter> ReadCounters()
    {
        string json;
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            json = _context.Run($"list counters table {NftRuleset.Family} {TableName}", json: true);
        }
        return ParseCounters(json);
    }

    /// <summary>The table as <c>nft list table</c> prints it.</summary>
    public string List()
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _context.Run($"list table {NftRuleset.Family} {TableName}");
        }
    }

    /// <summary>Removes the table: a plain one explicitly, an owned one by closing the context.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed)
                return;
            _disposed = true;
            if (!Owned)
            {
                try { _context.Run($"delete table {NftRuleset.Family} {TableName}"); }
                catch (NftablesException e) { _logger.RemoveFailed(TableName, e); }
            }
            _context.Dispose();
            _logger.Removed(TableName);
        }
    }

    /// <summary>nft's JSON for <c>list counters</c>: {"nftables": [{"metainfo": ...}, {"counter": {"name": ..., "packets": n, "bytes": n}}, ...]}.</summary>
    internal static IReadOnlyDictionary<string, NftCounter> ParseCounters(string json)
    {
        var counters = new Dictionary<string, NftCounter>(StringComparer.Ordinal);
        using var doc = JsonDocument.Parse(json);
        if (!doc.RootElement.TryGetProperty("nftables", out var items) || items.ValueKind != JsonValueKind.Array)
            throw new FormatException("nft's JSON output has no 'nftables' array");
        foreach (var item in items.EnumerateArray())
        {
            if (!item.TryGetProperty("counter", out var c))
                continue;
            counters[c.GetProperty("name").GetString()!] = new NftCounter(c.GetProperty("packets").GetInt64(), c.GetProperty("bytes").GetInt64());
        }
        return counters;
    }

    /// <summary>
    /// Probes the owner flag with a throwaway table of this process's own (a table of the network's
    /// name might already exist plain, and adding the flag to an existing table is refused the same way).
    /// </summary>
    private static bool SupportsOwner(NftContext context, out string? reason)
    {
        var probe = $"{NftTableName.Prefix}probe_{Environment.ProcessId}";
        try
        {
            context.Run($"add table {NftRuleset.Family} {probe} {{ flags owner; }}\ndelete table {NftRuleset.Family} {probe}\n");
            reason = null;
            return true;
        }
        catch (NftablesException e) when (e.Kind == NftablesErrorKind.Rejected && IsOwnerUnsupported(e.NftMessage))
        {
            reason = e.NftMessage!.Split('\n')[0];
            return false;
        }
    }

    /// <summary>A kernel before 5.12 answers EOPNOTSUPP to an unknown table flag; an nft before 0.9.9 does not parse it.</summary>
    internal static bool IsOwnerUnsupported(string? nftMessage)
        => nftMessage is not null && (nftMessage.Contains("Operation not supported", StringComparison.Ordinal)
            || (nftMessage.Contains("owner", StringComparison.Ordinal) && nftMessage.Contains("syntax error", StringComparison.Ordinal)));

    /// <summary>
    /// Looks for a table of the network's name: none -> nothing to do; a stale Burrow table (its maker
    /// is gone) -> the commands that delete it, run in the same transaction as the new table; anything
    /// else (owned by a live process, a live Burrow's, not Burrow's) -> <see cref="NftablesErrorKind.TableInUse"/>.
    /// </summary>
    private static string RemoveStale(NftContext context, string table, ILogger logger)
    {
        string listing;
        try
        {
            listing = context.Run($"list table {NftRuleset.Family} {table}");
        }
        catch (NftablesException e) when (e.NftMessage?.Contains("No such file or directory", StringComparison.Ordinal) == true)
        {
            return "";
        }
        var header = listing.Split('\n').TakeWhile(l => !l.TrimStart().StartsWith("chain ", StringComparison.Ordinal)
            && !l.TrimStart().StartsWith("set ", StringComparison.Ordinal) && !l.TrimStart().StartsWith("counter ", StringComparison.Ordinal)).ToArray();
        var owner = header.Any(l => OwnerFlagPattern().IsMatch(l));
        var comment = header.Select(l => CommentPattern().Match(l)).FirstOrDefault(m => m.Success)?.Groups[1].Value;
        if (owner)
        {
            var prog = header.Select(l => ProgNamePattern().Match(l)).FirstOrDefault(m => m.Success)?.Groups[1].Value;
            throw new NftablesException(NftablesErrorKind.TableInUse,
                $"table inet {table} is owned by a running process{(prog is null ? "" : $" ({prog})")} through its netlink socket, " +
                "so a network of this name is already running on this host: stop it or choose another name");
        }
        if (!BurrowTableMark.TryParse(comment, out var mark))
            throw new NftablesException(NftablesErrorKind.TableInUse,
                $"table inet {table} exists and was not made by Burrow (comment: {comment ?? "none"}); delete it ('nft delete table inet {table}') or choose another network name");
        if (mark.MakerIsAlive())
            throw new NftablesException(NftablesErrorKind.TableInUse,
                $"table inet {table} belongs to network '{mark.Network}' of process {mark.Pid}, which is still running: stop it there or choose another name");
        logger.StaleTableRemoved(table, mark.Pid);
        return $"delete table {NftRuleset.Family} {table}\n";
    }

    [GeneratedRegex(@"^\s*flags\s.*\bowner\b")]
    private static partial Regex OwnerFlagPattern();

    [GeneratedRegex(@"^\s*comment ""(.*)""\s*$")]
    private static partial Regex CommentPattern();

    [GeneratedRegex(@"# progname (\S+)")]
    private static partial Regex ProgNamePattern();
}
