namespace Burrow.Soak;

/// <summary>One row of samples.csv.</summary>
internal sealed record Sample(double TSeconds, long FlowsDone, long FlowsFailed, long Bytes, double RssMb, int Fds, int Threads, int OpenFlows);
