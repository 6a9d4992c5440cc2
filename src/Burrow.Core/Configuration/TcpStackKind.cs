namespace Burrow.Core.Configuration;

public enum TcpStackKind
{
    /// <summary>The kernel's TCP stack with a transparent listener (the only kind today).</summary>
    System,
}
