// Dialling a relay's ORPort and the TLS layer under a channel (tor-spec 2: TLS with a self-signed
// certificate whose key CERTS then binds to the relay's identity; no SNI, no session resumption).
using System.Net.Security;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Security.Authentication;

namespace Burrow.Tor.Channels;

/// <summary>
/// Makes the transport a channel runs on: a TCP socket (marked with <see cref="ChannelOptions.SocketMark"/>
/// before connect when one is set) and TLS over it. The link handshake is the channel's business.
/// </summary>
internal static class ChannelConnector
{
    private const int SolSocket = 1; // SOL_SOCKET (asm-generic/socket.h)
    private const int SoMark = 36;   // SO_MARK (asm-generic/socket.h); setting it needs CAP_NET_ADMIN

    /// <summary>A TCP socket for <paramref name="target"/>, marked when <paramref name="mark"/> is set.
    /// Throws <see cref="ChannelException"/> (ConnectFailed) when the mark cannot be set: an unmarked relay
    /// socket would be caught by the very redirect the mark exists to exempt it from.</summary>
    public static Socket CreateSocket(ChannelTarget target, uint? mark)
    {
        var socket = new Socket(target.OrPort.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        if (mark is not { } value)
            return socket;
        try
        {
            SetMark(socket, value);
            return socket;
        }
        catch (Exception e) when (e is SocketException or PlatformNotSupportedException)
        {
            socket.Dispose();
            throw new ChannelException(ChannelErrorKind.ConnectFailed,
                $"Cannot set SO_MARK {value} on the socket to relay {target}: {e.Message} (SO_MARK is Linux-only and needs CAP_NET_ADMIN).", e);
        }
    }

    /// <summary>Reads a socket's SO_MARK back (tests).</summary>
    public static uint GetMark(Socket socket)
    {
        var value = new byte[4];
        socket.GetRawSocketOption(SolSocket, SoMark, value);
        return BitConverter.ToUInt32(value);
    }

    private static void SetMark(Socket socket, uint mark)
    {
        if (!OperatingSystem.IsLinux())
            throw new PlatformNotSupportedException("SO_MARK exists only on Linux.");
        Span<byte> value = stackalloc byte[4];
        MemoryMarshal.Write(value, in mark);
        socket.SetRawSocketOption(SolSocket, SoMark, value);
    }

    /// <summary>Connects to the relay's ORPort and does TLS, accepting the relay's self-signed certificate
    /// (trust comes from CERTS). Returns the TLS stream and the relay's certificate (DER); throws
    /// <see cref="ChannelException"/> (ConnectFailed, HandshakeFailed). Disposes what it made on failure.</summary>
    public static async Task<(SslStream Tls, byte[] CertificateDer)> ConnectAsync(ChannelTarget target, ChannelOptions options, CancellationToken cancellationToken)
    {
        var socket = CreateSocket(target, options.SocketMark);
        SslStream? ssl = null;
        try
        {
            try
            {
                await socket.ConnectAsync(target.OrPort, cancellationToken).ConfigureAwait(false);
            }
            catch (SocketException e)
            {
                throw new ChannelException(ChannelErrorKind.ConnectFailed, $"Cannot connect to relay {target}: {e.Message}", e);
            }
            ssl = new SslStream(new NetworkStream(socket, ownsSocket: true), leaveInnerStreamOpen: false);
            var tls = new SslClientAuthenticationOptions
            {
                // A random name, as C tor clients send (relays ignore it; no SNI at all would stand out).
                TargetHost = TlsServerName.Random(),
                // tor-spec 2.2: no TLS session resumption.
                AllowTlsResume = false,
                CertificateRevocationCheckMode = System.Security.Cryptography.X509Certificates.X509RevocationMode.NoCheck,
                // The relay's certificate is self-signed; CERTS binds it to the identity (type 5).
                RemoteCertificateValidationCallback = static (_, certificate, _, _) => certificate is not null,
            };
            try
            {
                await ssl.AuthenticateAsClientAsync(tls, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is AuthenticationException or IOException)
            {
                throw new ChannelException(ChannelErrorKind.HandshakeFailed, $"TLS handshake with relay {target} failed: {e.Message}", e);
            }
            var der = ssl.RemoteCertificate?.GetRawCertData()
                ?? throw new ChannelException(ChannelErrorKind.HandshakeFailed, $"Relay {target} presented no TLS certificate.");
            return (ssl, der);
        }
        catch
        {
            DisposeQuietly(ssl, socket);
            throw;
        }
    }

    private static void DisposeQuietly(Stream? stream, Socket socket)
    {
        try
        {
            if (stream is not null)
                stream.Dispose();
            else
                socket.Dispose();
        }
        catch (Exception)
        {
            // Already failing; the original error is what matters.
        }
    }
}
