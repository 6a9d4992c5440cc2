namespace Burrow.Tor.Channels;

/// <summary>Connection-level padding on channels to relays (padding-spec 2.5).</summary>
public enum ConnectionPadding
{
    /// <summary>Pad idle channels in both directions with the consensus's nf_ito_low..nf_ito_high range (the default).</summary>
    Normal,
    /// <summary>Ask the relay not to pad (PADDING_NEGOTIATE STOP) and pad only our side, less often (nf_ito_*_reduced):
    /// for clients that must save bandwidth or battery.</summary>
    Reduced,
    /// <summary>Ask the relay not to pad and send no padding: easier to fingerprint by traffic timing.</summary>
    Disabled,
}
