// Negotiating congestion control with an exit (proposal 324 section 10): the ntor v3 client message
// carries EXT_FIELD_TYPE 01 (request, empty), the server message EXT_FIELD_TYPE 02 (response, one byte
// sendme_inc); the client checks of section 10.5.
using Burrow.Tor.Crypto;

namespace Burrow.Tor.CongestionControl;

internal static class CongestionControlNegotiation
{
    public const byte RequestType = 0x01;
    public const byte ResponseType = 0x02;

    /// <summary>The ntor v3 client message: the congestion-control request, or no extensions at all.</summary>
    public static byte[] ClientMessage(bool requestCongestionControl) =>
        NtorV3Message.Encode(requestCongestionControl ? [new NtorV3Extension(RequestType, ReadOnlyMemory<byte>.Empty)] : []);

    /// <summary>
    /// Reads the relay's decrypted ntor v3 message: the negotiated sendme_inc, or null when the relay did
    /// not accept congestion control (the circuit then uses fixed windows). Unknown extensions are ignored
    /// and only the first response counts (section 10.3).
    /// </summary>
    /// <exception cref="TorCryptoException">A malformed message, a response nobody asked for, or a sendme_inc
    /// more than a factor of two away from the consensus value (section 10.5: close the circuit).</exception>
    public static int? ParseServerMessage(ReadOnlySpan<byte> serverMessage, bool requested, int consensusSendmeInc)
    {
        foreach (var extension in NtorV3Message.Parse(serverMessage))
        {
            if (extension.Type != ResponseType)
                continue;
            if (!requested)
                throw new TorCryptoException("ntor v3 reply: a congestion-control response to a handshake that did not request it (proposal 324 10.5)");
            if (extension.Data.Length < 1)
                throw new TorCryptoException("ntor v3 reply: the congestion-control response has no sendme_inc byte");
            int inc = extension.Data.Span[0];
            if (inc == 0 || inc * 2 < consensusSendmeInc || inc > consensusSendmeInc * 2)
                throw new TorCryptoException($"ntor v3 reply: sendme_inc {inc} is more than a factor of 2 away from the consensus cc_sendme_inc {consensusSendmeInc} (proposal 324 10.5)");
            return inc;
        }
        return null;
    }
}
