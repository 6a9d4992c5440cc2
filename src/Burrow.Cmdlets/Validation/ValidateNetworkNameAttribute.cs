using System.Management.Automation;
using System.Text.RegularExpressions;

namespace Burrow.Cmdlets.Validation;

/// <summary>
/// A network name: 1-63 characters, letters, digits, '_', '.', '-', starting with a letter or digit.
/// Its own attribute (not ValidatePattern) so a bad name is refused in words, not with the regex.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed partial class ValidateNetworkNameAttribute : ValidateArgumentsAttribute
{
    public const string Accepted = "1 to 63 characters: letters, digits, '_', '.' and '-', starting with a letter or digit (e.g. edge, lab-1)";

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$", RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();

    public static bool IsValid(string? name) => name != null && NamePattern().IsMatch(name);

    protected override void Validate(object arguments, EngineIntrinsics engineIntrinsics)
    {
        var value = arguments is PSObject p ? p.BaseObject : arguments;
        if (value is not string name || !IsValid(name))
            throw new ValidationMetadataException($"'{value}' is not a valid network name; a name is {Accepted}.");
    }
}
