namespace Burrow.Core.Networks;

public enum BurrowNetworkState
{
    Starting,
    Running,
    Stopping,
    Stopped,
    Failed,
}
