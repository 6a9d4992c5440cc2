using System.Net;

namespace Burrow.Core.Transparent;

/// <summary>What Test-BurrowRedirect found: whether a connection to <see cref="Destination"/> reached
/// the network's listener, and what the listener recovered as its original destination. <see cref="Check"/> names
/// the check (TcpIPv4, TcpIPv6, Dns, FailClosed); <see cref="Detail"/> says why it failed.</summary>
public sealed record RedirectTestResult(
    string Network,
    bool Redirected,
    IPEndPoint Destination,
    IPEndPoint? Observed,
    string? Method,
    string Detail,
    TimeSpan Elapsed,
    string Check = RedirectTester.CheckTcpIPv4);
