namespace Burrow.Core.Upstreams;

/// <summary>Bootstrap progress of a connector: 0..100 and what it is doing.</summary>
public readonly record struct UpstreamProgress(int Percent, string Phase);
