namespace Burrow.Tor.Cells;

/// <summary>Whether a relay command belongs to a stream (tor-spec 6.1, 7.3, 7.4).</summary>
internal enum StreamIdUsage
{
    /// <summary>Stream commands: StreamID must be nonzero.</summary>
    Required,
    /// <summary>Control commands: StreamID must be zero.</summary>
    Forbidden,
    /// <summary>SENDME (stream- or circuit-level) and commands this client does not know.</summary>
    Either,
}
