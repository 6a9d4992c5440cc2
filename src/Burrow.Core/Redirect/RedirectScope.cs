namespace Burrow.Core.Redirect;

/// <summary>Whose traffic a network's redirect rules capture.</summary>
public enum RedirectScope
{
    /// <summary>This host's own outbound traffic (nft nat <c>output</c> hook).</summary>
    Host,

    /// <summary>Traffic forwarded for <see cref="RedirectPlan.Sources"/> (nft <c>prerouting</c> hook and a forward filter).</summary>
    Gateway,
}
