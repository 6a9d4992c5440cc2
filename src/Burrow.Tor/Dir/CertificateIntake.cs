using Burrow.Tor.NetDoc;

namespace Burrow.Tor.Dir;

/// <summary>What <see cref="DirectoryState.AcceptCertificates"/> did with a batch of certificates: how many
/// it added, why it refused the others, and the expired ones it dropped.</summary>
internal sealed record CertificateIntake(int Accepted, IReadOnlyList<string> Problems, IReadOnlyList<AuthorityCertificate> Expired);
