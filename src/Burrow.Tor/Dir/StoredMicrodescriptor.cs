using Burrow.Tor.NetDoc;

namespace Burrow.Tor.Dir;

/// <summary>A microdescriptor with the exact text its digest covers (written to cached-microdescs).</summary>
internal sealed record StoredMicrodescriptor(Microdescriptor Microdescriptor, byte[] Text);
