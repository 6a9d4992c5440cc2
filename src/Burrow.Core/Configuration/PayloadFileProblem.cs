namespace Burrow.Core.Configuration;

/// <summary>Why a payload file could not be read (as opposed to read and found invalid).</summary>
public enum PayloadFileProblem
{
    NotFound,
    IsDirectory,
    /// <summary>A FIFO, device or socket: reading one can block forever or never end (/dev/zero).</summary>
    NotRegularFile,
    TooLarge,
    /// <summary>NUL bytes or bytes that are not UTF-8: not a JSON or TOML text.</summary>
    Binary,
    AccessDenied,
    ReadFailed,
}
