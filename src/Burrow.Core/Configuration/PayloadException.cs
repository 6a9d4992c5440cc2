using System.Globalization;
using System.Text;

namespace Burrow.Core.Configuration;

/// <summary>
/// A payload (JSON, TOML or hashtable) that cannot be used. All problems found are reported
/// together in <see cref="Errors"/> (in a fixed order: syntax first, then the schema's order);
/// <see cref="KeyPath"/>, <see cref="Line"/> and <see cref="Column"/> are the first one's.
/// </summary>
public sealed class PayloadException : Exception
{
    public PayloadException(IReadOnlyList<PayloadError> errors, Exception? innerException = null)
        : base(Format(errors), innerException)
    {
        ArgumentOutOfRangeException.ThrowIfZero(errors.Count);
        Errors = errors;
    }

    public PayloadException(PayloadError error, Exception? innerException = null)
        : this([error], innerException)
    {
    }

    /// <summary>Set when the payload file could not be read at all (rather than read and found invalid).</summary>
    public PayloadFileProblem? FileProblem { get; init; }

    /// <summary>The file named by the caller, when <see cref="FileProblem"/> is set.</summary>
    public string? FilePath { get; init; }

    /// <summary>Every problem found, first one first (at most 20).</summary>
    public IReadOnlyList<PayloadError> Errors { get; }

    /// <summary>Key path of the first problem ("" when the payload as a whole is bad, e.g. a syntax error).</summary>
    public string KeyPath => Errors[0].KeyPath;

    /// <summary>1-based line of the first problem in the payload text, when known.</summary>
    public int? Line => Errors[0].Line;

    /// <summary>1-based column of the first problem in the payload text, when known.</summary>
    public int? Column => Errors[0].Column;

    private static string Format(IReadOnlyList<PayloadError> errors)
    {
        if (errors.Count == 0)
            return "invalid payload";
        if (errors.Count == 1)
            return errors[0].ToString();
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"{errors.Count} problems in the payload:");
        foreach (var e in errors)
            sb.Append("\n  - ").Append(e.ToString());
        return sb.ToString();
    }
}
