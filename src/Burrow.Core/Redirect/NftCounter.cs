namespace Burrow.Core.Redirect;

/// <summary>A named nft counter's values.</summary>
internal readonly record struct NftCounter(long Packets, long Bytes);
