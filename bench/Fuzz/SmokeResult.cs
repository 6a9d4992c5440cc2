namespace Burrow.Fuzz;

/// <summary>What one in-process smoke run of a harness did.</summary>
public sealed record SmokeResult(string Target, int Seeds, int Mutations, long Executions, IReadOnlyList<FuzzFailure> Failures, long KnownIssues);
