namespace Burrow.Tor.Cells;

/// <summary>Channel cell commands (tor-spec 3). Values not listed are carried as-is.</summary>
internal enum ChannelCommand : byte
{
    Padding = 0,
    Create = 1,
    Created = 2,
    Relay = 3,
    Destroy = 4,
    CreateFast = 5,
    CreatedFast = 6,
    Versions = 7,
    Netinfo = 8,
    RelayEarly = 9,
    Create2 = 10,
    Created2 = 11,
    PaddingNegotiate = 12,
    VPadding = 128,
    Certs = 129,
    AuthChallenge = 130,
    Authenticate = 131,
    Authorize = 132,
}
