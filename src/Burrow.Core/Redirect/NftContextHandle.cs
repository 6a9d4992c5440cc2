using System.Runtime.InteropServices;

namespace Burrow.Core.Redirect;

/// <summary>
/// A <c>struct nft_ctx *</c>. Freeing it closes its netlink socket, and with it every table the
/// context made with <c>flags owner</c>: a SafeHandle so that cannot happen under a running command.
/// </summary>
internal sealed class NftContextHandle : SafeHandle
{
    public NftContextHandle()
        : base(0, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle == 0;

    protected override bool ReleaseHandle()
    {
        NftablesNative.CtxFree(handle);
        return true;
    }
}
