using System.Net;

namespace Burrow.Core.Transparent;

/// <summary>What Test-BurrowRedirect found: whether a connection to <see cref="Destination"/> reached
/// the network's listener, and what the listener recovered as its original destination.</summary>
public sealed record RedirectTestResult(
    string Network,
    bool Redirected,
    IPEndPoint Destination,
    IPEndPoint? Observed,
    string? Method,
    string Detail,
    TimeSpan Elapsed);
