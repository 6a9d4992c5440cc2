using Burrow.Tor.NetDoc;

namespace Burrow.Tor.Dir;

/// <summary>An authority certificate with the exact text it was parsed from (written to cached-certs).</summary>
internal sealed record StoredCertificate(AuthorityCertificate Certificate, byte[] Text);
