namespace Burrow.Core.Recovery.MacOS;

/// <summary>
/// A BPF descriptor attached to <c>pflog0</c>, behind a seam so the observer's read loop runs over
/// a fake in tests. The real implementation is <see cref="DarwinBpfCapture"/>.
/// </summary>
internal interface IBpfCapture : IDisposable
{
    /// <summary>The length every read buffer must have (BIOCGBLEN; xnu rejects other sizes).</summary>
    int BufferLength { get; }

    /// <summary>Blocks until records arrive or the read timeout passes. Returns the number of bytes
    /// of <c>bpf_hdr</c>-framed records written to <paramref name="buffer"/>, 0 on timeout.
    /// Throws <see cref="MacOSRecoveryException"/> when the device fails.</summary>
    int Read(Span<byte> buffer);
}
