namespace Burrow.Tor.Protocol.Onion;

/// <summary>What went wrong with an onion service, for callers that act on it (retry, give up, report).</summary>
internal enum OnionErrorKind
{
    /// <summary>The address is not a valid v3 onion address (length, alphabet, version, checksum, key).</summary>
    MalformedAddress,

    /// <summary>A descriptor (or one of its layers) is malformed or its signature/certificates do not verify.</summary>
    InvalidDescriptor,

    /// <summary>The descriptor needs client authorization and no configured key opens it.</summary>
    ClientAuthRequired,

    /// <summary>A client-authorization key file is malformed.</summary>
    InvalidClientAuthKey,

    /// <summary>The service asks for a proof-of-work puzzle this client does not solve.</summary>
    ProofOfWorkRequired,

    /// <summary>A cell of the introduction or rendezvous protocol is malformed or fails its checks.</summary>
    ProtocolViolation,

    /// <summary>No responsible HSDir has a descriptor: the service does not exist or is not online.</summary>
    ServiceNotFound,

    /// <summary>Every introduction point tried failed or refused the introduction.</summary>
    IntroductionFailed,

    /// <summary>The rendezvous did not complete (no RENDEZVOUS2 in time, or the rendezvous circuit failed).</summary>
    RendezvousFailed,

    /// <summary>Circuits for the onion service could not be built or the attempt ran out of time.</summary>
    CircuitFailed,
}
