namespace Burrow.Core.Namespaces;

/// <summary>Why a command's namespace could not be made.</summary>
public enum CommandNamespaceErrorKind
{
    /// <summary>Not Linux: network namespaces are a Linux feature.</summary>
    NotSupported,

    /// <summary>unshare(2) or mount(2) refused: root or CAP_SYS_ADMIN (and CAP_NET_ADMIN for the rules) is needed.</summary>
    NotPermitted,

    /// <summary>A tool the namespace needs (ip, setpriv, unshare from util-linux/iproute2) is missing.</summary>
    ToolMissing,

    /// <summary>Setting up the namespace (links, routes, rules, listeners) failed.</summary>
    SetupFailed,
}
