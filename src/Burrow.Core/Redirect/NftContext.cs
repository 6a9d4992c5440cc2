using System.Runtime.InteropServices;

namespace Burrow.Core.Redirect;

/// <summary>
/// One libnftables context: a netlink socket that lives until <see cref="Dispose"/>. Every script runs
/// as one transaction; output and errors are buffered and returned, never printed. Commands are
/// serialised: the context's buffers are not thread-safe.
/// </summary>
internal sealed class NftContext : IDisposable
{
    private readonly NftContextHandle _handle;
    private readonly Lock _lock = new();

    private NftContext(NftContextHandle handle) => _handle = handle;

    /// <summary>Opens a context. Throws <see cref="NftablesException"/> (<see cref="NftablesErrorKind.LibraryMissing"/>) without libnftables.</summary>
    public static NftContext Open()
    {
        NftContextHandle handle;
        try
        {
            handle = NftablesNative.CtxNew(NftablesNative.ContextDefault);
        }
        catch (DllNotFoundException e)
        {
            throw new NftablesException(NftablesErrorKind.LibraryMissing,
                $"{NftablesNative.Library} could not be loaded; Burrow installs its redirect rules through libnftables: install the Debian package libnftables1 (apt-get install libnftables1)", inner: e);
        }
        catch (EntryPointNotFoundException e)
        {
            throw new NftablesException(NftablesErrorKind.LibraryMissing,
                $"{NftablesNative.Library} lacks {e.Message}; Burrow needs libnftables 0.9.7 or later (Debian package libnftables1)", inner: e);
        }
        if (handle.IsInvalid)
        {
            handle.Dispose();
            throw new NftablesException(NftablesErrorKind.Rejected, "nft_ctx_new failed (could not open a netlink socket)");
        }
        if (NftablesNative.CtxBufferOutput(handle) != 0 || NftablesNative.CtxBufferError(handle) != 0)
        {
            handle.Dispose();
            throw new NftablesException(NftablesErrorKind.Rejected, "libnftables could not buffer its output");
        }
        return new NftContext(handle);
    }

    /// <summary>Runs <paramref name="script"/> as one transaction and returns nft's output. On error nothing of it is applied.</summary>
    public string Run(string script, bool json = false)
    {
        ArgumentNullException.ThrowIfNull(script);
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
            var flags = NftablesNative.CtxOutputGetFlags(_handle);
            if (json)
                NftablesNative.CtxOutputSetFlags(_handle, flags | NftablesNative.OutputJson);
            try
            {
                var rc = NftablesNative.RunCmdFromBuffer(_handle, script);
                // Both buffers are read (and so rewound) every time, so no text leaks into the next command's answer.
                var output = Marshal.PtrToStringUTF8(NftablesNative.CtxGetOutputBuffer(_handle)) ?? "";
                var error = Marshal.PtrToStringUTF8(NftablesNative.CtxGetErrorBuffer(_handle)) ?? "";
                if (rc != 0)
                {
                    var message = error.Trim();
                    if (message.Length == 0)
                        message = $"nft_run_cmd_from_buffer returned {rc} without a message";
                    var kind = message.Contains("Operation not permitted", StringComparison.Ordinal) ? NftablesErrorKind.NotPermitted : NftablesErrorKind.Rejected;
                    throw new NftablesException(kind, kind == NftablesErrorKind.NotPermitted ? "nftables refused (Burrow needs root or CAP_NET_ADMIN to install rules, and only the process owning a table may change it)" : "nftables refused the commands", message);
                }
                return output;
            }
            finally
            {
                if (json)
                    NftablesNative.CtxOutputSetFlags(_handle, flags);
            }
        }
    }

    public void Dispose()
    {
        lock (_lock)
            _handle.Dispose();
    }
}
