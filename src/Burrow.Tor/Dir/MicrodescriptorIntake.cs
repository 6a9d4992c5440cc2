namespace Burrow.Tor.Dir;

/// <summary>The wanted microdescriptors of one response, and how many entries were unreadable or not asked for.</summary>
internal sealed record MicrodescriptorIntake(IReadOnlyList<StoredMicrodescriptor> Wanted, int Unreadable, int Unwanted);
