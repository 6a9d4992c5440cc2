namespace Burrow.Soak;

/// <summary>A flow's bytes differ from what was expected (size, SHA-256 or status): the failure the soak exists to catch.</summary>
internal sealed class ByteMismatchException(string what) : Exception(what);
