// The channel's loops: tor-spec 3 cell framing, 5.5.1 cells for unknown circuits dropped.
using System.Buffers.Binary;
using Burrow.Tor.Cells;

namespace Burrow.Tor.Channels;

/// <summary>The reactor: the writer loop drains the bounded queue (relay cells encrypted by their circuit in wire order, written in batches); the reader loop cuts cells out of the stream and hands them to circuits by ID, in place.</summary>
internal sealed partial class Channel
{
    // ---------------------------------------------------------------- sending

    /// <summary>Waits for room in the bounded outbound queue (backpressure). The slot is given back by the
    /// writer when a cell queued with <see cref="OutboundCellFlags.Counted"/> is written, or with
    /// <see cref="ReturnQueueSlot"/> if no cell is queued after all.</summary>
    public ValueTask TakeQueueSlotAsync(CancellationToken cancellationToken) => _slots.TakeAsync(cancellationToken);

    /// <summary>Takes a queue slot if one is free now (and the channel is open).</summary>
    public bool TryTakeQueueSlot() => !IsClosed && _slots.TryTake();

    public void ReturnQueueSlot() => _slots.Give(1);

    /// <summary>
    /// Queues a cell and takes ownership of its pooled body. A cell without
    /// <see cref="OutboundCellFlags.Counted"/> is a control cell: it never waits, but too many of them
    /// close the channel. Returns false (body returned, slot given back) when the channel is closed.
    /// </summary>
    public bool TryEnqueue(in OutboundCell cell)
    {
        var counted = (cell.Flags & OutboundCellFlags.Counted) != 0;
        if (!counted && Interlocked.Increment(ref _queuedControl) > _options.MaxQueuedControlCells)
        {
            Interlocked.Decrement(ref _queuedControl);
            CellBuffers.Return(cell.Body);
            Close(new ChannelException(ChannelErrorKind.ResourceLimit,
                $"Channel to {Target}: more than {_options.MaxQueuedControlCells} control cells are waiting to be written; the relay is not reading."));
            return false;
        }
        if (_queue.TryEnqueue(cell))
            return true;
        if (counted)
            _slots.Give(1);
        else
            Interlocked.Decrement(ref _queuedControl);
        CellBuffers.Return(cell.Body);
        return false;
    }

    private async Task WriteLoopAsync()
    {
        var batch = new byte[WriteBatchCells * CellLength];
        var cells = new OutboundCell[WriteBatchCells];
        try
        {
            while (true)
            {
                var n = _queue.Drain(cells);
                if (n == 0)
                {
                    if (_queue.IsCompleted)
                        return;
                    await _queue.WaitAsync(CancellationToken.None).ConfigureAwait(false);
                    continue;
                }
                var length = 0;
                for (var i = 0; i < n; i++)
                {
                    length += Serialize(cells[i], batch.AsSpan(length, CellLength));
                    cells[i] = default;
                }
                if (length > 0)
                {
                    await _stream.WriteAsync(batch.AsMemory(0, length), _closing.Token).ConfigureAwait(false);
                    Volatile.Write(ref _lastWriteTimestamp, System.Diagnostics.Stopwatch.GetTimestamp());
                }
            }
        }
        catch (Exception e)
        {
            for (var i = 0; i < cells.Length; i++)
            {
                if (cells[i].Body is { } body)
                    CellBuffers.Return(body);
                cells[i] = default;
            }
            Close(new ChannelException(ChannelErrorKind.Closed, $"Channel to {Target}: writing failed: {e.Message}", e));
        }
    }

    /// <summary>Writes one queued cell into <paramref name="destination"/> (514 bytes); 0 if it was dropped.</summary>
    private int Serialize(in OutboundCell cell, Span<byte> destination)
    {
        var body = destination.Slice(5, ChannelFraming.PayloadLength);
        cell.Body.AsSpan(0, ChannelFraming.PayloadLength).CopyTo(body);
        var command = cell.Command;
        var keep = true;
        if (cell.Handler is { } handler)
        {
            try
            {
                keep = handler.PrepareOutbound(body, cell, out command);
            }
            catch (Exception e)
            {
                ChannelLog.HandlerFailed(_logger, e, Target, cell.CircId, cell.Command);
                keep = false;
            }
        }
        CellBuffers.Return(cell.Body);
        if ((cell.Flags & OutboundCellFlags.Counted) != 0)
            _slots.Give(1);
        else
            Interlocked.Decrement(ref _queuedControl);
        if (!keep)
            return 0;
        BinaryPrimitives.WriteUInt32BigEndian(destination, cell.CircId);
        destination[4] = (byte)command;
        return CellLength;
    }

    // ---------------------------------------------------------------- receiving

    private async Task ReadLoopAsync()
    {
        try
        {
            while (!IsClosed)
            {
                DispatchBufferedCells();
                if (IsClosed)
                    return;
                CompactReceiveBuffer();
                Volatile.Write(ref _readerAwaiting, 1);
                var n = await _stream.ReadAsync(_receive.AsMemory(_receiveEnd), _closing.Token).ConfigureAwait(false);
                Volatile.Write(ref _readerAwaiting, 0);
                Volatile.Write(ref _lastReadTimestamp, System.Diagnostics.Stopwatch.GetTimestamp());
                Volatile.Write(ref _bytesRead, _bytesRead + n);
                if (n == 0)
                {
                    Close(new ChannelException(ChannelErrorKind.Closed, $"Channel to {Target}: the relay closed the connection."));
                    return;
                }
                _receiveEnd += n;
            }
        }
        catch (Exception e)
        {
            Close(new ChannelException(ChannelErrorKind.Closed, $"Channel to {Target}: reading failed: {e.Message}", e));
        }
    }

    private void DispatchBufferedCells()
    {
        while (ChannelCellReader.TryRead(_receive.AsSpan(_receiveStart, _receiveEnd - _receiveStart), _framing, out var cell, out var consumed))
        {
            var circId = cell.CircId;
            var command = cell.Command;
            var bodyLength = cell.Body.Length;
            // The same bytes as cell.Body, writable: circuits decrypt relay cells in place.
            var body = _receive.AsSpan(_receiveStart + consumed - bodyLength, bodyLength);
            _receiveStart += consumed;
            Volatile.Write(ref _cellsRead, _cellsRead + 1);
            if (circId == 0)
            {
                // PADDING / VPADDING keepalives, late VERSIONS (ignored, tor-spec 4.1), and anything else
                // without a circuit: nothing for a client to do.
                if (command == ChannelCommand.PaddingNegotiate)
                {
                    // padding-spec 2.5: "Clients ... MUST reject padding negotiation messages from relays, and close the channel."
                    Close(new ChannelException(ChannelErrorKind.ProtocolViolation, $"Channel to {Target}: the relay sent PADDING_NEGOTIATE, which only clients send (padding-spec 2.5)."));
                    return;
                }
                if (command is not (ChannelCommand.Padding or ChannelCommand.VPadding))
                    ChannelLog.DroppedCell(_logger, Target, command, 0);
                continue;
            }
            if (!_circuits.TryGet(circId, out var handler))
            {
                ChannelLog.DroppedCell(_logger, Target, command, circId);
                continue;
            }
            try
            {
                handler.OnCell(command, body);
            }
            catch (Exception e)
            {
                // Handlers close themselves on bad cells; this only guards the channel against bugs.
                ChannelLog.HandlerFailed(_logger, e, Target, circId, command);
            }
            if (IsClosed)
                return;
        }
    }

    private void CompactReceiveBuffer()
    {
        if (_receiveStart == _receiveEnd)
        {
            _receiveStart = _receiveEnd = 0;
            return;
        }
        if (_receiveStart == 0)
            return;
        _receive.AsSpan(_receiveStart, _receiveEnd - _receiveStart).CopyTo(_receive);
        _receiveEnd -= _receiveStart;
        _receiveStart = 0;
    }
}
