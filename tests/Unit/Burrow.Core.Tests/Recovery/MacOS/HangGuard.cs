namespace Burrow.Core.Tests.Recovery.MacOS;

/// <summary>
/// Awaits a task that should already be done or finish promptly. With a manual clock a broken
/// lookup would otherwise wait forever; this turns that into a failure. A hang guard, not a
/// timing assertion: the bound is far above anything a working test needs.
/// </summary>
internal static class HangGuard
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    public static Task<T> Guarded<T>(this Task<T> task) => task.WaitAsync(Bound);

    public static Task Guarded(this Task task) => task.WaitAsync(Bound);

    public static Task<T> Guarded<T>(this ValueTask<T> task) => task.AsTask().WaitAsync(Bound);
}
