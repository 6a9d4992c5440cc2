namespace Burrow.Core.Redirect;

/// <summary>How <see cref="NftRuleset"/> renders the table itself (its rules come from the plan).</summary>
/// <param name="Owner">the table gets <c>flags owner</c>: the kernel removes it when the netlink socket that made it closes</param>
/// <param name="Comment">the table's comment: marks it as Burrow's (see <see cref="BurrowTableMark"/>)</param>
internal sealed record NftRenderOptions(bool Owner, string Comment);
