namespace Burrow.Core.Redirect;

/// <summary>What went wrong talking to nftables, for callers to act on.</summary>
internal enum NftablesErrorKind
{
    /// <summary>libnftables.so.1 cannot be loaded (Debian package libnftables1).</summary>
    LibraryMissing,

    /// <summary>nft refused a command; the message is nft's own.</summary>
    Rejected,

    /// <summary>The network's table exists and belongs to a process that is still running (or is not Burrow's).</summary>
    TableInUse,

    /// <summary>Not allowed to program nftables (needs root or CAP_NET_ADMIN).</summary>
    NotPermitted,
}
