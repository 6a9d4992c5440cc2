namespace Burrow.Core.Transparent;

/// <summary>The listener could not be started; the message names tcp_stack.listen and why.</summary>
public sealed class ListenerException(string message, Exception? inner = null) : Exception(message, inner);
