using System.Net;

namespace Burrow.Core.Recovery.MacOS;

/// <summary>An outbound TCP SYN seen on pflog0: who opened a connection, and where it was going before NAT.</summary>
internal readonly record struct PflogSyn(PflogFlowKey Key, IPEndPoint OriginalDestination);
