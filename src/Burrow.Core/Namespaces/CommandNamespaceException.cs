namespace Burrow.Core.Namespaces;

/// <summary>A command's namespace could not be made or used; <see cref="Kind"/> says which way.</summary>
public sealed class CommandNamespaceException : Exception
{
    public CommandNamespaceException(CommandNamespaceErrorKind kind, string message, Exception? inner = null)
        : base(message, inner)
    {
        Kind = kind;
    }

    public CommandNamespaceErrorKind Kind { get; }
}
