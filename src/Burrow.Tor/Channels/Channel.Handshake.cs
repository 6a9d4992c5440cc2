// The link handshake: tor-spec 4 (VERSIONS, CERTS, AUTH_CHALLENGE, NETINFO) as an initiator that does not authenticate.
using System.Security.Cryptography;
using Burrow.Tor.Cells;
using Burrow.Tor.Crypto;

namespace Burrow.Tor.Channels;

/// <summary>The handshake over an established transport: negotiate the link protocol, check CERTS against the expected identities, send NETINFO.</summary>
internal sealed partial class Channel
{
    private async Task HandshakeAsync(ReadOnlyMemory<byte> tlsCertificateDer, CancellationToken ct)
    {
        // The first VERSIONS cell always has 2-byte circuit IDs (tor-spec 3).
        await WriteCellAsync(new VersionsCell(SupportedLinkVersions), ct).ConfigureAwait(false);

        var (command, body) = await ReadHandshakeCellAsync(ct).ConfigureAwait(false);
        if (command != ChannelCommand.Versions)
            throw Handshake($"the relay's first cell is {command}; VERSIONS was expected");
        var theirs = Decode(VersionsCell.Decode, body).Versions;
        var version = VersionsCell.HighestCommon(SupportedLinkVersions, theirs)
            ?? throw Handshake($"no common link protocol: the relay offers [{string.Join(",", theirs)}], this client needs 4 or 5");
        _framing = ChannelFraming.ForLinkVersion(version);

        var sawCerts = false;
        CertsCell? certs = null;
        while (true)
        {
            (command, body) = await ReadHandshakeCellAsync(ct).ConfigureAwait(false);
            switch (command)
            {
                case ChannelCommand.Certs:
                    if (sawCerts)
                        throw Handshake("the relay sent a second CERTS cell");
                    sawCerts = true;
                    // Checked when NETINFO has told us the relay's clock (the responder sends CERTS,
                    // AUTH_CHALLENGE and NETINFO together, and nothing is sent before the check), so a
                    // lifetime failure can say whether the clocks disagree.
                    certs = Decode(CertsCell.Decode, body);
                    break;
                case ChannelCommand.AuthChallenge:
                    // Only needed to authenticate ourselves, which a client does not do (tor-spec 4.3).
                    if (!sawCerts)
                        throw Handshake("AUTH_CHALLENGE came before CERTS");
                    Decode(AuthChallengeCell.Decode, body);
                    break;
                case ChannelCommand.Netinfo:
                    if (!sawCerts)
                        throw Handshake("NETINFO came before CERTS; the relay never proved its identity");
                    var netinfo = Decode(NetinfoCell.Decode, body);
                    PeerClockOffset = netinfo.Timestamp == 0 ? null : netinfo.Time - _options.Clock();
                    PeerIdentity = CheckCerts(certs!, tlsCertificateDer.Span, PeerClockOffset);
                    // Clients send TIME 0 and no addresses of their own (tor-spec 4.5).
                    await WriteCellAsync(new NetinfoCell(0, NetinfoAddress.From(Target.OrPort.Address), []), ct).ConfigureAwait(false);
                    // padding-spec 2.5: padding is negotiated right after NETINFO (PADDING_NEGOTIATE needs link protocol 5).
                    Padding = _options.Padding?.Invoke();
                    if (Padding?.Negotiate is { } negotiate && _framing.LinkVersion >= 5)
                        await WriteCellAsync(negotiate, ct).ConfigureAwait(false);
                    return;
                case ChannelCommand.VPadding:
                    break;
                default:
                    throw Handshake($"unexpected {command} cell during the handshake (only CERTS, AUTH_CHALLENGE, NETINFO and VPADDING may follow VERSIONS)");
            }
        }
    }

    /// <summary>Clock differences below this are not worth a hint in a certificate error.</summary>
    private static readonly TimeSpan SkewHintThreshold = TimeSpan.FromMinutes(5);

    private RelayLinkIdentity CheckCerts(CertsCell certs, ReadOnlySpan<byte> tlsCertificateDer, TimeSpan? peerClockOffset)
    {
        RelayLinkIdentity identity;
        var digest = SHA256.HashData(tlsCertificateDer);
        var now = _options.Clock();
        try
        {
            identity = CertsCellValidator.ValidateResponder(certs.Certificates, digest, now);
        }
        catch (TorCryptoException e)
        {
            throw new ChannelException(ChannelErrorKind.HandshakeFailed,
                $"Relay {Target} sent invalid certificates: {e.Message}{ClockHint(certs, digest, now, peerClockOffset)}", e);
        }
        if (identity.RsaIdentity != Target.RsaIdentity)
            throw new ChannelException(ChannelErrorKind.IdentityMismatch,
                $"Relay at {Target.OrPort} proved RSA identity {identity.RsaIdentity}, but ${Target.Fingerprint} was expected; refusing the channel.");
        if (Target.Ed25519Identity is { } ed && identity.Ed25519Identity != ed)
            throw new ChannelException(ChannelErrorKind.IdentityMismatch,
                $"Relay {Target} proved Ed25519 identity {identity.Ed25519Identity}, but {ed} was expected; refusing the channel.");
        return identity;
    }

    /// <summary>
    /// When the certificates fail by this computer's clock but pass by the relay's (its NETINFO TIME), the
    /// lifetime check failed because the clocks disagree: say so. tor-spec 4.5 lets NETINFO's time help
    /// decide whether our clock is skewed, never trust it: the check itself still uses our clock.
    /// </summary>
    private string ClockHint(CertsCell certs, byte[] digest, DateTimeOffset now, TimeSpan? peerClockOffset)
    {
        if (peerClockOffset is not { } offset || offset.Duration() < SkewHintThreshold)
            return "";
        try
        {
            CertsCellValidator.ValidateResponder(certs.Certificates, digest, now + offset);
        }
        catch (TorCryptoException)
        {
            return "";
        }
        return $" (by the relay's clock, {(now + offset).ToUniversalTime():u}, they are valid: this computer's clock ({now.ToUniversalTime():u}) " +
            $"is {ClockSkewMonitor.Describe(offset)}: check it)";
    }

    private ChannelException Handshake(string what) =>
        new(ChannelErrorKind.HandshakeFailed, $"Link handshake with relay {Target} failed: {what}.");

    private T Decode<T>(Func<ReadOnlySpan<byte>, T> decode, byte[] body)
    {
        try
        {
            return decode(body);
        }
        catch (CellFormatException e)
        {
            throw new ChannelException(ChannelErrorKind.HandshakeFailed, $"Link handshake with relay {Target} failed: {e.Message}", e);
        }
    }

    private async Task WriteCellAsync(ChannelMessage message, CancellationToken ct)
    {
        var buffer = new byte[ChannelCellWriter.GetCellLength(_framing, message)];
        ChannelCellWriter.Write(buffer, _framing, 0, message);
        await _stream.WriteAsync(buffer, ct).ConfigureAwait(false);
        await _stream.FlushAsync(ct).ConfigureAwait(false);
    }

    /// <summary>Reads one cell with the current framing; the body is copied (handshake only).</summary>
    private async Task<(ChannelCommand Command, byte[] Body)> ReadHandshakeCellAsync(CancellationToken ct)
    {
        while (true)
        {
            if (ChannelCellReader.TryRead(_receive.AsSpan(_receiveStart, _receiveEnd - _receiveStart), _framing, out var cell, out var consumed))
            {
                var result = (cell.Command, cell.Body.ToArray());
                _receiveStart += consumed;
                if (cell.CircId != 0 && cell.Command != ChannelCommand.VPadding)
                    throw Handshake($"a {cell.Command} cell for circuit {cell.CircId} arrived before the handshake finished");
                if (_framing.LinkVersion == 0 && cell.Command == ChannelCommand.VPadding)
                    continue;
                return result;
            }
            CompactReceiveBuffer();
            var n = await _stream.ReadAsync(_receive.AsMemory(_receiveEnd), ct).ConfigureAwait(false);
            if (n == 0)
                throw Handshake("the relay closed the connection");
            _receiveEnd += n;
        }
    }
}
