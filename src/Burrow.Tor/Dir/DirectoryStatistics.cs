namespace Burrow.Tor.Dir;

/// <summary>Counts of directory requests since start (for status output and tests).</summary>
internal sealed class DirectoryStatistics
{
    private long _consensusRequests;
    private long _certificateRequests;
    private long _microdescriptorRequests;
    private long _microdescriptorsReceived;
    private long _failedRequests;

    public long ConsensusRequests => Interlocked.Read(ref _consensusRequests);

    public long CertificateRequests => Interlocked.Read(ref _certificateRequests);

    public long MicrodescriptorRequests => Interlocked.Read(ref _microdescriptorRequests);

    public long MicrodescriptorsReceived => Interlocked.Read(ref _microdescriptorsReceived);

    public long FailedRequests => Interlocked.Read(ref _failedRequests);

    public long TotalRequests => ConsensusRequests + CertificateRequests + MicrodescriptorRequests;

    internal void CountConsensusRequest() => Interlocked.Increment(ref _consensusRequests);

    internal void CountCertificateRequest() => Interlocked.Increment(ref _certificateRequests);

    internal void CountMicrodescriptorRequest() => Interlocked.Increment(ref _microdescriptorRequests);

    internal void CountMicrodescriptors(int n) => Interlocked.Add(ref _microdescriptorsReceived, n);

    internal void CountFailure() => Interlocked.Increment(ref _failedRequests);

    public override string ToString() =>
        $"{ConsensusRequests} consensus, {CertificateRequests} certificate, {MicrodescriptorRequests} microdescriptor requests ({MicrodescriptorsReceived} received), {FailedRequests} failed";
}
