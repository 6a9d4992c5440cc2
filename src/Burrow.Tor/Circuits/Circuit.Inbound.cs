// Receiving (channel reader loop): tor-spec 5.5 routing, 5.4 DESTROY/TRUNCATED, 6 stream cells, 7.3 circuit SENDMEs.
using System.Security.Cryptography;
using Burrow.Tor.Cells;
using Burrow.Tor.Channels;
using Burrow.Tor.Crypto;

namespace Burrow.Tor.Circuits;

/// <summary>The inbound dispatcher: every cell for this circuit, decrypted in place and routed by command; a bad cell closes this circuit only.</summary>
internal sealed partial class Circuit
{
    /// <summary>DATA cells accepted on a stream this client closed before it connected: a stream's whole
    /// starting window (tor-spec 7.4), what the exit may already have sent.</summary>
    private const int HalfClosedDataAllowance = 500;

    void ICircuitCellHandler.OnCell(ChannelCommand command, Span<byte> body) => OnCell(command, body);

    internal void OnCell(ChannelCommand command, Span<byte> body)
    {
        CountInbound(command);
        if (!TryEnterCrypto())
            return;
        try
        {
            switch (command)
            {
                case ChannelCommand.Relay:
                    OnRelayCell(body);
                    break;
                case ChannelCommand.RelayEarly:
                    throw CircuitException.Violation("the relay sent an inbound RELAY_EARLY cell (tor-spec 5.6: close the circuit)");
                case ChannelCommand.Created2:
                    OnCreated2(body);
                    break;
                case ChannelCommand.CreatedFast:
                    OnCreatedFast(body);
                    break;
                case ChannelCommand.Destroy:
                    var reason = body.IsEmpty ? DestroyReason.None : (DestroyReason)body[0];
                    Close(new CircuitException(CircuitErrorKind.Destroyed, $"{Name}: the relay destroyed the circuit ({Describe(reason)}).", null, reason),
                        sendDestroy: false);
                    break;
                case ChannelCommand.Padding or ChannelCommand.VPadding:
                    break;
                default:
                    throw CircuitException.Violation($"unexpected {command} cell on a client circuit");
            }
        }
        catch (CircuitException e)
        {
            Close(e.Kind == CircuitErrorKind.ProtocolViolation && !e.Message.StartsWith("Circuit ", StringComparison.Ordinal)
                ? new CircuitException(e.Kind, $"{Name}: {e.Message}.", e.InnerException, e.DestroyReason)
                : e);
        }
        catch (CellFormatException e)
        {
            Close(new CircuitException(CircuitErrorKind.ProtocolViolation, $"{Name}: malformed {command} cell: {e.Message}", e));
        }
        catch (TorCryptoException e)
        {
            Close(new CircuitException(CircuitErrorKind.HandshakeFailed, $"{Name}: {e.Message}", e));
        }
        catch (Exception e)
        {
            // Never let a cell take the channel (or the process) down.
            Close(new CircuitException(CircuitErrorKind.ProtocolViolation, $"{Name}: failed to handle a {command} cell: {e.Message}", e));
        }
        finally
        {
            ExitCrypto();
        }
    }

    private void OnRelayCell(Span<byte> body)
    {
        if (!_crypto.TryDecryptInbound(body, out var hop))
            throw CircuitException.Violation("a relay cell that no hop recognized (wrong digest: corrupted or forged)");
        var header = RelayCell.ReadHeader(body);
        var data = body.Slice(RelayCell.HeaderLength, header.Length);
        var streamId = header.StreamId;
        switch (header.Command)
        {
            case RelayCommand.Data:
                OnData(hop, streamId, data);
                return;
            case RelayCommand.Sendme:
                if (streamId == 0)
                    OnCircuitSendme(hop, data);
                else
                    OnStreamSendme(hop, streamId);
                return;
            case RelayCommand.Drop:
                return; // long-range padding (tor-spec 6.2)
            case RelayCommand.Xon or RelayCommand.Xoff when _cc is not null:
                OnStreamFlowControl(hop, header.Command, streamId, data);
                return;
            case RelayCommand.Connected or RelayCommand.End or RelayCommand.Resolved:
                RelayMessage.CheckStreamId(header.Command, streamId);
                OnStreamControl(hop, header.Command, streamId, data);
                return;
            case RelayCommand.Extended2:
                RelayMessage.CheckStreamId(header.Command, streamId);
                var extended = Extended2Message.Decode(data);
                var pending = TakePendingHop(hop) ?? throw CircuitException.Violation($"EXTENDED2 from hop {hop + 1} without an EXTEND2 in progress");
                CompleteHop(pending, extended.HandshakeData.Span);
                return;
            case RelayCommand.Truncated:
                var reason = TruncatedMessage.Decode(data).Reason;
                // Clients do not reuse truncated circuits: tear the rest down (tor-spec 5.4).
                Close(new CircuitException(CircuitErrorKind.Truncated, $"{Name}: truncated after hop {hop + 1} ({Describe(reason)}).", null, reason));
                return;
            case RelayCommand.Begin or RelayCommand.BeginDir or RelayCommand.Extend or RelayCommand.Extend2
                or RelayCommand.Truncate or RelayCommand.Resolve or RelayCommand.Extended:
                throw CircuitException.Violation($"hop {hop + 1} sent {header.Command}, which only a client sends (or this client never asked for)");
            default:
                if (streamId == 0 && TryOnionCell(hop, header.Command, data))
                    return;
                // Recognized but not understood: dropped and ignored (tor-spec 6.1); it still counted for the
                // digest. Counted, so a relay that floods them shows in the state dump and the log.
                if (Interlocked.Increment(ref _unknownRelayCells) == 1)
                    CircuitLog.FirstUnknownRelayCommand(_logger, CircId, (byte)header.Command, hop);
                CircuitLog.IgnoredRelayCommand(_logger, CircId, header.Command, hop);
                return;
        }
    }

    private void OnData(int hop, ushort streamId, ReadOnlySpan<byte> data)
    {
        if (streamId == 0)
            throw CircuitException.Violation("RELAY_DATA with stream ID 0");
        if (hop != LastHop)
            throw CircuitException.Violation($"RELAY_DATA from hop {hop + 1}; streams end at hop {LastHop + 1}");
        // With congestion control the exit's own window limits it; what this client must do is acknowledge
        // every sendme_inc cells at once (proposal 324 section 3: the deliver window only times SENDMEs).
        if (_cc is null && --_deliverWindow < 0)
            throw CircuitException.Violation($"the relay sent more DATA than the circuit window of {_parameters.CircWindow} allows");
        NoteActivity();
        ICircuitStream? stream;
        var beforeConnected = false;
        lock (_lock)
        {
            if (_streamMap.TryGetOpen(streamId, out stream) && !stream.Connected.IsCompleted)
            {
                // The exit answers BEGIN with CONNECTED or END before any DATA (tor-spec 6.2); DATA first is a
                // protocol violation on that stream: close it, tolerating what was already in flight.
                beforeConnected = true;
                _streamMap.RemoveOpen(streamId);
                _streamMap.AddHalfClosed(streamId, _cc is null ? HalfClosedDataAllowance : int.MaxValue);
            }
            else if (stream is null)
            {
                stream = null;
                switch (_streamMap.TakeHalfClosedData(streamId))
                {
                    case null:
                        throw CircuitException.Violation($"RELAY_DATA for stream {streamId}, which is not open");
                    case false:
                        throw CircuitException.Violation($"more RELAY_DATA for closed stream {streamId} than its window allowed");
                }
            }
        }
        if (beforeConnected)
        {
            var violation = new CircuitException(CircuitErrorKind.ProtocolViolation,
                $"{Name}: the exit sent RELAY_DATA on stream {streamId} before RELAY_CONNECTED (tor-spec 6.2); the stream was closed with REASON_TORPROTOCOL.");
            SendControl(new EndMessage(EndReason.TorProtocol), streamId, hop);
            stream!.OnProtocolViolation(violation);
            stream = null;
        }
        if (stream is not null && !stream.OnData(data))
            throw CircuitException.Violation($"the exit sent more DATA on stream {streamId} than the stream window allows");
        if (_cc is not null)
        {
            if (++_deliveredSinceSendme >= _sendmeIncrement)
            {
                _deliveredSinceSendme = 0;
                SendCircuitSendme(hop);
            }
        }
        else if (_deliverWindow <= _parameters.CircWindow - SendmeIncrement)
        {
            _deliverWindow += SendmeIncrement;
            SendCircuitSendme(hop);
        }
    }

    private void OnCircuitSendme(int hop, ReadOnlySpan<byte> data)
    {
        if (hop != LastHop)
            throw CircuitException.Violation($"a circuit SENDME from hop {hop + 1}, which this client sends no DATA to");
        var sendme = SendmeMessage.Decode(data);
        if (sendme.Version > 1)
            throw CircuitException.Violation($"a circuit SENDME of unrecognized version {sendme.Version}");
        if (sendme.Version < _parameters.SendmeAcceptMinVersion)
            throw CircuitException.Violation($"a version {sendme.Version} circuit SENDME; the consensus requires version {_parameters.SendmeAcceptMinVersion} or later");
        bool found;
        ExpectedSendme expected;
        lock (_lock)
            found = _expectedSendmes.TryDequeue(out expected);
        if (!found)
            throw CircuitException.Violation(_cc is null
                ? $"a circuit SENDME that would raise the package window above {_parameters.CircWindow}"
                : "a circuit SENDME for DATA that was never sent");
        if (sendme.Version == 1 && !CryptographicOperations.FixedTimeEquals(expected.Digest, sendme.Digest.Span))
            throw CircuitException.Violation("an authenticated SENDME whose digest does not match the DATA cell it acknowledges");
        NoteActivity();
        if (_cc is { } cc)
        {
            OnCongestionSendme(cc, expected.SentAt);
            return;
        }
        if (!_packageWindow.TryGrant(SendmeIncrement))
            throw CircuitException.Violation($"a circuit SENDME that would raise the package window above {_parameters.CircWindow}");
    }

    private void OnStreamSendme(int hop, ushort streamId)
    {
        if (_cc is not null)
        {
            // No stream windows with congestion control (proposal 324 section 2.2): nothing to credit.
            CircuitLog.IgnoredRelayCommand(_logger, CircId, RelayCommand.Sendme, hop);
            return;
        }
        ICircuitStream? stream;
        lock (_lock)
        {
            if (!_streamMap.TryGetOpen(streamId, out stream))
            {
                if (_streamMap.IsHalfClosed(streamId))
                    return;
                throw CircuitException.Violation($"a SENDME for stream {streamId}, which is not open");
            }
        }
        if (hop != stream.Hop)
            throw CircuitException.Violation($"a SENDME for stream {streamId} from hop {hop + 1}, not from its exit");
        NoteActivity();
        if (!stream.OnSendme())
            throw CircuitException.Violation($"a SENDME for stream {streamId} that would raise its window above its starting value");
    }

    private void OnStreamControl(int hop, RelayCommand command, ushort streamId, ReadOnlySpan<byte> data)
    {
        // Streams end at the last hop; anything else is a violation before any state changes (a stream
        // taken out of the table here would miss the circuit's close).
        if (hop != LastHop)
            throw CircuitException.Violation($"{command} for stream {streamId} from hop {hop + 1}, not from its exit");
        // Decoded first for the same reason: a malformed message must not leave a half-updated table.
        RelayMessage message = command switch
        {
            RelayCommand.Connected => ConnectedMessage.Decode(data),
            RelayCommand.End => EndMessage.Decode(data),
            _ => ResolvedMessage.Decode(data),
        };
        ICircuitStream? stream = null;
        TaskCompletionSource<RelayMessage>? resolve = null;
        lock (_lock)
        {
            if (_streamMap.TryGetOpen(streamId, out stream))
            {
                if (command == RelayCommand.End)
                    _streamMap.RemoveOpen(streamId);
            }
            else if (_streamMap.TryGetResolve(streamId, out resolve))
            {
                stream = null;
                if (command is RelayCommand.End or RelayCommand.Resolved)
                    _streamMap.RemoveResolve(streamId);
            }
            else if (_streamMap.IsHalfClosed(streamId))
            {
                // Crossed with our END; the exit sends nothing after its own END.
                if (command == RelayCommand.End)
                    _streamMap.EndHalfClosed(streamId);
                return;
            }
            else
                throw CircuitException.Violation($"{command} for stream {streamId}, which is not open");
        }
        if (stream is not null)
        {
            switch (message)
            {
                case ConnectedMessage connected:
                    if (!stream.OnConnected(connected))
                        throw CircuitException.Violation($"RELAY_CONNECTED for stream {streamId}, which was already connected or failed");
                    break;
                case EndMessage end:
                    stream.OnEnd(end);
                    break;
                default:
                    throw CircuitException.Violation($"{command} for stream {streamId}, which is a data stream");
            }
            return;
        }
        switch (message)
        {
            case ResolvedMessage or EndMessage:
                resolve!.TrySetResult(message);
                break;
            default:
                throw CircuitException.Violation($"{command} for stream {streamId}, which is a resolve request");
        }
    }

    void ICircuitCellHandler.OnChannelClosed(ChannelException reason) =>
        Close(new CircuitException(CircuitErrorKind.ChannelClosed, $"{Name}: {reason.Message}", reason), sendDestroy: false);
}
