namespace Burrow.Tor.NetDoc;

/// <summary>One signature that did not count, with the reason and a message naming the authority.</summary>
internal sealed record SignatureFailure(DirectorySignature Signature, string? AuthorityName, SignatureFailureReason Reason, string Message)
{
    public override string ToString() => Message;
}
