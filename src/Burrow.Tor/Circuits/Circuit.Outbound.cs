// Sending: tor-spec 5.5 relay cells, 5.6 RELAY_EARLY, 7.3/7.4 windows and SENDMEs (proposal 289 digests).
using Burrow.Tor.Cells;
using Burrow.Tor.Channels;

namespace Burrow.Tor.Circuits;

/// <summary>The outbound side: credits (stream window, circuit window, queue share), SENDMEs, and the writer loop's onion encryption and RELAY_EARLY choice.</summary>
internal sealed partial class Circuit
{
    /// <summary>Sends one DATA cell (at most 498 bytes) for <paramref name="stream"/>, waiting for the stream
    /// window, the circuit window and room in the queue (this circuit's share, then the channel's), in that
    /// order. Completes synchronously (no state machine) when all of them have room.</summary>
    public ValueTask SendDataAsync(ICircuitStream stream, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        // With congestion control there are no stream windows (proposal 324 section 4): XON/XOFF, in the stream.
        var windowed = _cc is null;
        if (!windowed || stream.PackageWindow.TryTake())
        {
            if (_packageWindow.TryTake())
            {
                if (TryTakeQueueSlots())
                {
                    try
                    {
                        EnqueueData(stream, data.Span);
                        return ValueTask.CompletedTask;
                    }
                    catch (Exception e)
                    {
                        return ValueTask.FromException(e);
                    }
                }
                _packageWindow.Give(1);
            }
            if (windowed)
                stream.PackageWindow.Give(1);
        }
        return SendDataSlowAsync(stream, data, windowed, cancellationToken);
    }

    private async ValueTask SendDataSlowAsync(ICircuitStream stream, ReadOnlyMemory<byte> data, bool windowed, CancellationToken cancellationToken)
    {
        var stage = 0;
        try
        {
            if (windowed)
                await stream.PackageWindow.TakeAsync(cancellationToken).ConfigureAwait(false);
            stage = 1;
            await _packageWindow.TakeAsync(cancellationToken).ConfigureAwait(false);
            stage = 2;
            await TakeQueueSlotsAsync(cancellationToken).ConfigureAwait(false);
            stage = 3;
        }
        catch (Exception e)
        {
            if (stage >= 2)
                _packageWindow.Give(1);
            if (stage >= 1 && windowed)
                stream.PackageWindow.Give(1);
            if (e is CircuitException or ChannelException)
                throw stream.WriteError(e);
            throw;
        }
        EnqueueData(stream, data.Span);
    }

    /// <summary>Queues a DATA cell whose credits (stream, circuit, queue slot) were taken.</summary>
    private void EnqueueData(ICircuitStream stream, ReadOnlySpan<byte> data)
    {
        if (IsClosed)
        {
            ReturnQueueSlots();
            throw stream.WriteError(ClosedError());
        }
        NoteActivity();
        var body = RentBody();
        var span = body.AsSpan(0, RelayCell.BodyLength);
        data.CopyTo(RelayCell.DataArea(span));
        RelayCell.Seal(span, RelayCommand.Data, stream.StreamId, data.Length);
        if (!_channel.TryEnqueue(new OutboundCell(CircId, ChannelCommand.Relay, body, this, (byte)stream.Hop, OutboundCellFlags.Counted | OutboundCellFlags.Data)))
        {
            _queueSlots.Give(1);
            throw stream.WriteError(ClosedError());
        }
    }

    /// <summary>A stream-level SENDME (empty, tor-spec 7.4); never waits.</summary>
    public void SendStreamSendme(ICircuitStream stream)
    {
        if (IsClosed)
            return;
        var body = RentBody();
        RelayCell.Seal(body.AsSpan(0, RelayCell.BodyLength), RelayCommand.Sendme, stream.StreamId, 0);
        _channel.TryEnqueue(new OutboundCell(CircId, ChannelCommand.Relay, body, this, (byte)stream.Hop, OutboundCellFlags.None));
    }

    /// <summary>XON or XOFF for a stream (proposal 324 section 4.1); never waits.</summary>
    public void SendStreamControl(ICircuitStream stream, RelayMessage message)
    {
        if (!IsClosed)
            SendControl(message, stream.StreamId, stream.Hop);
    }

    /// <summary>A relay message that takes a queue slot (BEGIN, RESOLVE, EXTEND2).</summary>
    private async ValueTask SendRelayAsync(RelayMessage message, ushort streamId, int hop, OutboundCellFlags flags, CancellationToken cancellationToken)
    {
        await TakeQueueSlotsAsync(cancellationToken).ConfigureAwait(false);
        var body = RentBody();
        try
        {
            RelayCell.Encode(body.AsSpan(0, RelayCell.BodyLength), streamId, message);
        }
        catch
        {
            CellBuffers.Return(body);
            ReturnQueueSlots();
            throw;
        }
        if (!_channel.TryEnqueue(new OutboundCell(CircId, ChannelCommand.Relay, body, this, (byte)hop, flags | OutboundCellFlags.Counted)))
        {
            _queueSlots.Give(1);
            throw ClosedError();
        }
    }

    /// <summary>A slot of this circuit's share of the channel queue and one of the channel's, both or neither.</summary>
    private bool TryTakeQueueSlots()
    {
        if (!_queueSlots.TryTake())
            return false;
        if (_channel.TryTakeQueueSlot())
            return true;
        _queueSlots.Give(1);
        return false;
    }

    private async ValueTask TakeQueueSlotsAsync(CancellationToken cancellationToken)
    {
        await _queueSlots.TakeAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await _channel.TakeQueueSlotAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            _queueSlots.Give(1);
            throw;
        }
    }

    private void ReturnQueueSlots()
    {
        _channel.ReturnQueueSlot();
        _queueSlots.Give(1);
    }

    /// <summary>A relay message sent without waiting (END); dropped if the channel is gone.</summary>
    private void SendControl(RelayMessage message, ushort streamId, int hop)
    {
        var body = RentBody();
        RelayCell.Encode(body.AsSpan(0, RelayCell.BodyLength), streamId, message);
        _channel.TryEnqueue(new OutboundCell(CircId, ChannelCommand.Relay, body, this, (byte)hop, OutboundCellFlags.None));
    }

    /// <summary>An authenticated circuit SENDME (version 1, tor-spec 7.3.1) carrying the digest of the cell
    /// just received from <paramref name="hop"/>. Reader loop only.</summary>
    private void SendCircuitSendme(int hop)
    {
        var body = RentBody();
        var span = body.AsSpan(0, RelayCell.BodyLength);
        var data = RelayCell.DataArea(span);
        data[0] = 1;
        data[1] = 0;
        data[2] = SendmeMessage.DigestLength;
        _crypto.LastReceivedDigest(hop).CopyTo(data[3..]);
        RelayCell.Seal(span, RelayCommand.Sendme, 0, 3 + SendmeMessage.DigestLength);
        _channel.TryEnqueue(new OutboundCell(CircId, ChannelCommand.Relay, body, this, (byte)hop, OutboundCellFlags.None));
    }

    bool ICircuitCellHandler.PrepareOutbound(Span<byte> body, in OutboundCell cell, out ChannelCommand command) =>
        PrepareOutbound(body, cell, out command);

    /// <summary>Writer loop: onion-encrypts a queued relay cell in place, records the digest every 100th DATA
    /// cell (the one the exit's authenticated SENDME will name), and picks RELAY or RELAY_EARLY.</summary>
    internal bool PrepareOutbound(Span<byte> body, in OutboundCell cell, out ChannelCommand command)
    {
        command = ChannelCommand.Relay;
        if ((cell.Flags & OutboundCellFlags.Counted) != 0)
            _queueSlots.Give(1);
        if (!TryEnterCrypto())
            return false;
        try
        {
            int hop = cell.Hop;
            if (IsClosed || hop >= _crypto.HopCount)
                return false;
            _crypto.EncryptOriginated(body, hop);
            if ((cell.Flags & OutboundCellFlags.Data) != 0 && ++_dataCellsPackaged % Volatile.Read(ref _sendmeIncrement) == 0)
            {
                // The SENDME for this cell names its digest; with congestion control its arrival also
                // gives an RTT sample (proposal 324 section 2.1), timed from here, as the cell leaves.
                var expected = new ExpectedSendme(_crypto.LastOriginatedDigest(hop).ToArray(), System.Diagnostics.Stopwatch.GetTimestamp());
                lock (_lock)
                    _expectedSendmes.Enqueue(expected);
            }
            if ((cell.Flags & OutboundCellFlags.Early) != 0)
            {
                if (++_relayEarlySent > MaxRelayEarly)
                {
                    Close(new CircuitException(CircuitErrorKind.ResourceLimit, $"{Name}: more than {MaxRelayEarly} RELAY_EARLY cells needed."));
                    return false;
                }
                command = ChannelCommand.RelayEarly;
            }
            else if (hop > 0 && _relayEarlySent < MaxRelayEarly && Volatile.Read(ref _built))
            {
                // tor-spec 5.6: the first cells past the first hop also go as RELAY_EARLY, so the
                // RELAY_EARLY count does not reveal the circuit's length.
                _relayEarlySent++;
                command = ChannelCommand.RelayEarly;
            }
            return true;
        }
        finally
        {
            ExitCrypto();
        }
    }


    /// <summary>The crypto state is used by the reader loop, the writer loop and closing, on different
    /// threads; it is disposed when the last of them lets go.</summary>
    private bool TryEnterCrypto()
    {
        var users = Volatile.Read(ref _cryptoUsers);
        while (users > 0)
        {
            var seen = Interlocked.CompareExchange(ref _cryptoUsers, users + 1, users);
            if (seen == users)
                return true;
            users = seen;
        }
        return false;
    }

    private void ExitCrypto()
    {
        if (Interlocked.Decrement(ref _cryptoUsers) == 0)
            _crypto.Dispose();
    }
}
