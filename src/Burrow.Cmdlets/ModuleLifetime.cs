using System.Management.Automation;
using Burrow.Core.Networks;

namespace Burrow.Cmdlets;

/// <summary>Removing the module (or ending the process) stops every network it started.</summary>
public sealed class ModuleLifetime : IModuleAssemblyInitializer, IModuleAssemblyCleanup
{
    private static int _hooked;

    public void OnImport()
    {
        if (Interlocked.Exchange(ref _hooked, 1) == 0)
            AppDomain.CurrentDomain.ProcessExit += (_, _) => StopAll();
    }

    public void OnRemove(PSModuleInfo psModuleInfo) => StopAll();

    // The hooks are synchronous; stopping is bounded (each network gives its flows 10 s at most).
    private static void StopAll() => BurrowNetworkRegistry.StopAllAsync().Wait(TimeSpan.FromSeconds(30));
}
