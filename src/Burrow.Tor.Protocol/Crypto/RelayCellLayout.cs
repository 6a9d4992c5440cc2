// The unencrypted relay cell body (tor-spec 6.1): command [1], recognized [2], stream id [2],
// digest [4], length [2], data [PAYLOAD_LEN - 11].
namespace Burrow.Tor.Crypto;

internal static class RelayCellLayout
{
    /// <summary>PAYLOAD_LEN: the body of a RELAY / RELAY_EARLY cell.</summary>
    public const int BodyLength = 509;

    public const int CommandOffset = 0;
    public const int RecognizedOffset = 1;
    public const int StreamIdOffset = 3;
    public const int DigestOffset = 5;
    public const int DigestLength = 4;
    public const int LengthOffset = 9;
    public const int DataOffset = 11;
    public const int MaxDataLength = BodyLength - DataOffset;
}
