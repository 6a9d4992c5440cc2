namespace Burrow.Core.Configuration;

/// <summary>Where relative paths and "~" in a payload point, and where the payload came from.</summary>
/// <param name="BaseDirectory">Absolute folder relative paths resolve against.</param>
/// <param name="HomeDirectory">What "~" expands to; null when unknown (then "~" is an error).</param>
/// <param name="SourceName">The payload file, for messages; null for strings and hashtables.</param>
internal sealed record PayloadContext(string BaseDirectory, string? HomeDirectory, string? SourceName = null);
