// libnftables(3) from Debian's libnftables1: the nft command language through one context whose
// netlink socket lives as long as the context (PLATFORM.md "Linux: rules and loop avoidance").
using System.Runtime.InteropServices;

namespace Burrow.Core.Redirect;

internal static partial class NftablesNative
{
    public const string Library = "libnftables.so.1";

    /// <summary>NFT_CTX_DEFAULT.</summary>
    public const uint ContextDefault = 0;

    /// <summary>NFT_CTX_OUTPUT_JSON (libnftables.h: 1 &lt;&lt; 4).</summary>
    public const uint OutputJson = 1u << 4;

    [LibraryImport(Library, EntryPoint = "nft_ctx_new")]
    public static partial NftContextHandle CtxNew(uint flags);

    [LibraryImport(Library, EntryPoint = "nft_ctx_free")]
    public static partial void CtxFree(nint ctx);

    [LibraryImport(Library, EntryPoint = "nft_ctx_buffer_output")]
    public static partial int CtxBufferOutput(NftContextHandle ctx);

    [LibraryImport(Library, EntryPoint = "nft_ctx_buffer_error")]
    public static partial int CtxBufferError(NftContextHandle ctx);

    /// <summary>The buffered output since the last call (the buffer is rewound): copy it before the next command.</summary>
    [LibraryImport(Library, EntryPoint = "nft_ctx_get_output_buffer")]
    public static partial nint CtxGetOutputBuffer(NftContextHandle ctx);

    [LibraryImport(Library, EntryPoint = "nft_ctx_get_error_buffer")]
    public static partial nint CtxGetErrorBuffer(NftContextHandle ctx);

    [LibraryImport(Library, EntryPoint = "nft_ctx_output_get_flags")]
    public static partial uint CtxOutputGetFlags(NftContextHandle ctx);

    [LibraryImport(Library, EntryPoint = "nft_ctx_output_set_flags")]
    public static partial void CtxOutputSetFlags(NftContextHandle ctx, uint flags);

    /// <summary>Runs a whole script as one netlink batch: all of it is committed or none of it. 0 on success.</summary>
    [LibraryImport(Library, EntryPoint = "nft_run_cmd_from_buffer", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int RunCmdFromBuffer(NftContextHandle ctx, string buffer);
}
