using System.Security.Cryptography;
using System.Text;

namespace Burrow.Core.Redirect;

/// <summary>
/// The nft table a network owns. Network names are case-insensitive and may hold '.', '-' and '_';
/// nft identifiers are case-sensitive. A lowercase letters-and-digits name is kept as it is
/// (<c>burrow_edge</c>); any other name is folded to letters, digits and '_' and gets a hash of the
/// case-folded name, so two networks never share a table: a kept name has no '_', a folded one does.
/// </summary>
internal static class NftTableName
{
    public const string Prefix = "burrow_";

    public static string For(string network)
    {
        ArgumentNullException.ThrowIfNull(network);
        var folded = network.ToLowerInvariant();
        if (folded.Length > 0 && folded.All(IsKept))
            return Prefix + folded;
        var readable = new string(folded.Select(c => IsKept(c) ? c : '_').ToArray());
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(folded)))[..8];
        return $"{Prefix}{readable}_{hash}";
    }

    private static bool IsKept(char c) => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c);
}
