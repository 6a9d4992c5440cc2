namespace Burrow.Tor.Dir;

/// <summary>Bootstrap progress: percent done (0-100), the phase, and a summary such as
/// "loading microdescriptors 62%".</summary>
public sealed record BootstrapStatus(int Percent, BootstrapPhase Phase, string Summary)
{
    public static BootstrapStatus Starting { get; } = new(0, BootstrapPhase.Starting, "starting");

    public static BootstrapStatus ConnectingToDirectory { get; } = new(5, BootstrapPhase.ConnectingToDirectory, "connecting to a directory cache");

    public static BootstrapStatus LoadingConsensus { get; } = new(10, BootstrapPhase.LoadingConsensus, "loading consensus");

    public static BootstrapStatus LoadingCertificates { get; } = new(40, BootstrapPhase.LoadingCertificates, "loading authority certificates");

    public static BootstrapStatus BuildingCircuits { get; } = new(80, BootstrapPhase.BuildingCircuits, "building circuits");

    public static BootstrapStatus Done { get; } = new(100, BootstrapPhase.Done, "done");

    /// <summary>50% to 75% while microdescriptors arrive.</summary>
    public static BootstrapStatus LoadingMicrodescriptors(double fraction)
    {
        fraction = Math.Clamp(fraction, 0, 1);
        return new BootstrapStatus(50 + (int)(25 * fraction), BootstrapPhase.LoadingMicrodescriptors,
            $"loading microdescriptors {(int)(100 * fraction)}%");
    }

    public override string ToString() => $"{Percent}%: {Summary}";
}
