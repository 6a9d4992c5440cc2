// Opening streams and resolving names on a circuit (tor-spec 6.2 BEGIN / BEGIN_DIR and CONNECTED,
// 6.4 RESOLVE and RESOLVED), with the stream layer's errors.
using System.Net;
using Burrow.Tor.Cells;
using Burrow.Tor.Channels;
using Burrow.Tor.Circuits;

namespace Burrow.Tor.Streams;

/// <summary>
/// Streams on a built <see cref="Circuit"/>. The circuit carries the cells; this layer makes the
/// <see cref="TorStream"/> and turns every failure into a <see cref="TorStreamException"/> whose kind
/// says what happened (a circuit or channel failure is its inner exception).
/// </summary>
internal static class CircuitStreams
{
    /// <summary>Opens a stream to "a.b.c.d:port", "[v6]:port" or "hostname:port" through the last hop.</summary>
    public static Task<TorStream> OpenStreamAsync(this Circuit circuit, string target, CancellationToken cancellationToken = default) =>
        circuit.OpenStreamAsync(StreamTarget.Parse(target), cancellationToken);

    public static Task<TorStream> OpenStreamAsync(this Circuit circuit, IPEndPoint target, CancellationToken cancellationToken = default) =>
        circuit.OpenStreamAsync(StreamTarget.For(target), cancellationToken);

    public static Task<TorStream> OpenStreamAsync(this Circuit circuit, string host, int port, CancellationToken cancellationToken = default) =>
        circuit.OpenStreamAsync(StreamTarget.For(host, port), cancellationToken);

    public static Task<TorStream> OpenStreamAsync(this Circuit circuit, StreamTarget target, CancellationToken cancellationToken = default) =>
        circuit.OpenStreamAsync(target, whileOpening: null, cancellationToken);

    /// <summary>Opens a stream; <paramref name="whileOpening"/> starts once BEGIN is queued and may write to the
    /// stream before CONNECTED (optimistic data, tor-spec 6.2); the stream is returned when both are done.</summary>
    public static Task<TorStream> OpenStreamAsync(this Circuit circuit, StreamTarget target,
        Func<TorStream, CancellationToken, Task>? whileOpening, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(circuit);
        ArgumentNullException.ThrowIfNull(target);
        return OpenAsync(circuit, target.ToBegin(), target.ToString(), whileOpening, cancellationToken);
    }

    /// <summary>Opens a directory stream to the last hop (BEGIN_DIR, tor-spec 6.2.1).</summary>
    public static Task<TorStream> OpenDirStreamAsync(this Circuit circuit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(circuit);
        return OpenAsync(circuit, BeginDirMessage.Instance, "the relay's directory", whileOpening: null, cancellationToken);
    }

    /// <summary>Opens a stream with a BEGIN the caller encoded (an onion service's ":port", which
    /// <see cref="BeginMessage"/> refuses): the same attach, wait and error mapping as every other stream.</summary>
    public static Task<TorStream> OpenStreamAsync(this Circuit circuit, RelayMessage begin, string description, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(circuit);
        ArgumentNullException.ThrowIfNull(begin);
        return OpenAsync(circuit, begin, description, whileOpening: null, cancellationToken);
    }

    private static async Task<TorStream> OpenAsync(Circuit circuit, RelayMessage begin, string description,
        Func<TorStream, CancellationToken, Task>? whileOpening, CancellationToken cancellationToken)
    {
        var stream = circuit.AttachStream((host, id, hop) => new TorStream(host, id, hop, description));
        try
        {
            await circuit.BeginStreamAsync(stream, begin, description,
                whileOpening is null ? null : ct => whileOpening(stream, ct), cancellationToken).ConfigureAwait(false);
            return stream;
        }
        catch (TimeoutException e)
        {
            var error = new TorStreamException(TorStreamErrorKind.Timeout, e.Message);
            stream.OnOpenFailed(error);
            await stream.DisposeAsync().ConfigureAwait(false);
            throw error;
        }
        catch (Exception e)
        {
            var error = e is CircuitException or ChannelException ? stream.WriteError(e) : null;
            await stream.DisposeAsync().ConfigureAwait(false);
            if (error is not null)
                throw error;
            throw;
        }
    }

    /// <summary>Asks the exit to resolve <paramref name="hostname"/> (RELAY_RESOLVE, tor-spec 6.4). An error
    /// answer throws <see cref="TorStreamException"/> with <see cref="TorStreamErrorKind.ResolveFailed"/>.</summary>
    public static async Task<IReadOnlyList<ResolvedAnswer>> ResolveAsync(this Circuit circuit, string hostname, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(circuit);
        ArgumentException.ThrowIfNullOrEmpty(hostname);
        RelayMessage answer;
        try
        {
            answer = await circuit.ExchangeResolveAsync(hostname, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException e)
        {
            throw new TorStreamException(TorStreamErrorKind.Timeout, e.Message);
        }
        catch (Exception e) when (e is CircuitException or ChannelException)
        {
            throw new TorStreamException(TorStreamErrorKind.Destroyed, $"Resolving {hostname} failed: {e.Message}", e);
        }
        if (answer is EndMessage end)
            throw TorStreamException.FromEnd(end, $"Resolving {hostname}");
        var resolved = (ResolvedMessage)answer;
        if (resolved.Answers.Count == 1 && resolved.Answers[0].IsError)
            throw new TorStreamException(TorStreamErrorKind.ResolveFailed,
                $"Resolving {hostname}: the exit answered with a {(resolved.Answers[0].Type == ResolvedAnswerType.TransientError ? "transient" : "permanent")} error.");
        return resolved.Answers;
    }
}
