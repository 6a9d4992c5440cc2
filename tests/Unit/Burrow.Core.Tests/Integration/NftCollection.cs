namespace Burrow.Core.Tests.Integration;

/// <summary>
/// Test classes that program nft redirects run one after another: two classes redirecting the same
/// destination at once would steal each other's connections (the first matching nat chain wins).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class NftCollection
{
    public const string Name = "nft redirects";
}
