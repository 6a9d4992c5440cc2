namespace Burrow.Tor.BuildTimeout;

/// <summary>
/// The circuit build timeouts now (path-spec 2.4.3): <paramref name="TimeoutMs"/>, after which a request stops
/// waiting for a circuit and another is built, and <paramref name="CloseMs"/>, after which a build is abandoned.
/// <paramref name="Xm"/> and <paramref name="Alpha"/> are the Pareto fit once <paramref name="Learned"/>.
/// </summary>
internal sealed record CbtEstimate(int TimeoutMs, int CloseMs, int Samples, double? Xm, double? Alpha, bool Learned);
