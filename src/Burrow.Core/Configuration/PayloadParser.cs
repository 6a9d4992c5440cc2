using System.Collections;

namespace Burrow.Core.Configuration;

/// <summary>
/// Turns a payload into <see cref="BurrowOptions"/>: a JSON or TOML string, a file, or a
/// hashtable-like tree. All three are read into one tree and checked by one set of rules, so a
/// payload means the same in every form. Bad input only ever raises <see cref="PayloadException"/>,
/// listing every problem found (see docs/payload.md).
/// </summary>
public static class PayloadParser
{
    /// <summary>Payloads are small; anything larger is refused before parsing (characters, or bytes for files).</summary>
    public const int MaxPayloadLength = 1024 * 1024;

    /// <summary>
    /// Parses a JSON or TOML payload string. JSON when the first non-blank character is '{',
    /// TOML otherwise (an empty string is an empty TOML document: all defaults).
    /// </summary>
    /// <param name="payload">The payload text.</param>
    /// <param name="baseDirectory">Absolute folder that relative state_dir/cache_dir resolve against
    /// (for a cmdlet: the current file-system location).</param>
    public static BurrowOptions Parse(string payload, string baseDirectory)
    {
        ArgumentNullException.ThrowIfNull(payload);
        return Parse(payload, PayloadFormat.Detect, Context(baseDirectory, null));
    }

    /// <summary>
    /// Parses a payload file: ".json" is JSON, ".toml" is TOML, any other extension is detected as
    /// for <see cref="Parse(string, string)"/>. Relative paths inside resolve against the file's folder.
    /// A missing or unreadable file is a <see cref="PayloadException"/> too.
    /// </summary>
    /// <param name="path">The file; a relative path is taken from the process's current directory,
    /// so cmdlets pass a resolved provider path.</param>
    public static BurrowOptions ParseFile(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return ParseFile(path, HomeDirectory());
    }

    /// <summary>
    /// Parses a tree as a PowerShell hashtable arrives: string keys (matched case-insensitively),
    /// values string, bool, integer types, float/double/decimal, arrays or other IEnumerables, nested IDictionary.
    /// </summary>
    /// <param name="tree">The root table.</param>
    /// <param name="baseDirectory">Absolute folder that relative state_dir/cache_dir resolve against.</param>
    /// <param name="unwrap">Applied to every key and value first; a cmdlet passes one that returns
    /// PSObject.BaseObject so wrapped values are seen as what they wrap.</param>
    public static BurrowOptions Parse(IDictionary tree, string baseDirectory, Func<object, object>? unwrap = null)
    {
        ArgumentNullException.ThrowIfNull(tree);
        return Parse(tree, Context(baseDirectory, null), unwrap);
    }

    internal enum PayloadFormat
    {
        Detect,
        Json,
        Toml,
    }

    internal static BurrowOptions Parse(IDictionary tree, PayloadContext context, Func<object, object>? unwrap = null)
        => PayloadValidator.Validate(DictionaryPayloadReader.Read(tree, unwrap), context);

    internal static BurrowOptions ParseFile(string path, string? homeDirectory)
    {
        string fullPath, text;
        try
        {
            fullPath = Path.GetFullPath(path);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw Unreadable(path, PayloadFileProblem.ReadFailed, e.Message, e);
        }
        switch (UnixFileType.Of(fullPath))
        {
            case UnixFileType.Kind.Missing:
                throw Unreadable(path, PayloadFileProblem.NotFound, "the file does not exist", null);
            case UnixFileType.Kind.Directory:
                throw Unreadable(path, PayloadFileProblem.IsDirectory, "it is a directory; accepted: a JSON or TOML file", null);
            case UnixFileType.Kind.Other:
                throw Unreadable(path, PayloadFileProblem.NotRegularFile,
                    "it is not a regular file (a pipe, device or socket); accepted: a JSON or TOML file, or the text itself with -Payload (e.g. -Payload (Get-Content -Raw FILE))", null);
        }
        try
        {
            text = ReadBounded(path, fullPath);
        }
        catch (UnauthorizedAccessException e)
        {
            throw Unreadable(path, PayloadFileProblem.AccessDenied, e.Message, e);
        }
        catch (IOException e)
        {
            throw Unreadable(path, PayloadFileProblem.ReadFailed, e.Message, e);
        }

        var format = Path.GetExtension(fullPath).ToLowerInvariant() switch
        {
            ".json" => PayloadFormat.Json,
            ".toml" => PayloadFormat.Toml,
            _ => PayloadFormat.Detect,
        };
        var context = new PayloadContext(Path.GetDirectoryName(fullPath) ?? fullPath, homeDirectory, fullPath);
        return Parse(text, format, context);
    }

    internal static BurrowOptions Parse(string payload, PayloadFormat format, PayloadContext context)
    {
        if (payload.Length > MaxPayloadLength)
            throw new PayloadException(new PayloadError("", $"the payload is {payload.Length} characters; accepted: at most {MaxPayloadLength}", SourceName: context.SourceName));
        // A byte-order mark is not content; File.ReadAllText drops it, strings may still carry one.
        var text = payload.StartsWith('\uFEFF') ? payload[1..] : payload;
        var detected = format == PayloadFormat.Detect;
        if (detected)
            format = text.AsSpan().TrimStart().StartsWith("{") ? PayloadFormat.Json : PayloadFormat.Toml;

        var root = format == PayloadFormat.Json
            ? JsonPayloadReader.Read(text, context.SourceName)
            : TomlPayloadReader.Read(text, context.SourceName,
                detected ? "the payload is neither JSON (it does not start with '{') nor valid TOML: " : "invalid TOML: ");
        return PayloadValidator.Validate(root, context);
    }

    internal static PayloadContext Context(string baseDirectory, string? homeDirectory)
    {
        ArgumentException.ThrowIfNullOrEmpty(baseDirectory);
        if (!Path.IsPathFullyQualified(baseDirectory))
            throw new ArgumentException($"The base directory must be an absolute path; got '{baseDirectory}'.", nameof(baseDirectory));
        return new PayloadContext(baseDirectory, homeDirectory ?? HomeDirectory());
    }

    private static string? HomeDirectory()
    {
        var home = Environment.GetEnvironmentVariable("HOME");
        if (string.IsNullOrEmpty(home))
            home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return string.IsNullOrEmpty(home) ? null : home;
    }

    // At most MaxPayloadLength bytes are ever read, whatever the file claims its length is.
    private static string ReadBounded(string path, string fullPath)
    {
        using var stream = new FileStream(fullPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.SequentialScan);
        var buffer = new byte[MaxPayloadLength + 1];
        var length = 0;
        int read;
        while (length < buffer.Length && (read = stream.Read(buffer, length, buffer.Length - length)) > 0)
            length += read;
        if (length > MaxPayloadLength)
            throw Unreadable(path, PayloadFileProblem.TooLarge, $"the file is larger than {MaxPayloadLength} bytes; accepted: at most {MaxPayloadLength} bytes", null);
        var bytes = buffer.AsSpan(0, length);
        if (bytes.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
            bytes = bytes[3..];
        var nul = bytes.IndexOf((byte)0);
        if (nul >= 0)
            throw Unreadable(path, PayloadFileProblem.Binary, $"it is a binary file (a NUL byte at offset {nul}); accepted: a JSON or TOML text file", null);
        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (System.Text.DecoderFallbackException e)
        {
            throw Unreadable(path, PayloadFileProblem.Binary, $"it is not UTF-8 text (an invalid byte at offset {e.Index}); accepted: a JSON or TOML text file in UTF-8", null);
        }
    }

    private static readonly System.Text.UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static PayloadException Unreadable(string path, PayloadFileProblem problem, string why, Exception? inner)
        => new(new PayloadError("", $"cannot read the payload file '{path}': {why}", SourceName: path), inner) { FileProblem = problem, FilePath = path };
}
