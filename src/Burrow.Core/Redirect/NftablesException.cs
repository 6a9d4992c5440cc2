namespace Burrow.Core.Redirect;

/// <summary>An nftables failure; <see cref="NftMessage"/> is nft's own error text when nft gave one.</summary>
internal sealed class NftablesException : Exception
{
    public NftablesException(NftablesErrorKind kind, string message, string? nftMessage = null, Exception? inner = null)
        : base(nftMessage is null ? message : $"{message}: {nftMessage}", inner)
    {
        Kind = kind;
        NftMessage = nftMessage;
    }

    public NftablesErrorKind Kind { get; }

    public string? NftMessage { get; }
}
